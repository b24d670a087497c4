"""Demo custom fields: a campus and a VIP flag on customers, a campus and a deposit on
contracts, filled in on the demo records so that the lists show the columns and the filters
find something. Idempotent: the fields are found by key, the values written the same way."""

from django.apps import apps

from salescrm.demo import DemoContext, demo_seeder

from .models import CustomField

CAMPUSES = ["浦东校区", "徐汇校区", "线上"]


def _field(target, key, **values) -> CustomField:
    field, _created = CustomField.objects.update_or_create(target=target, key=key, defaults=values)
    return field


@demo_seeder(order=70)
def seed_custom_fields(ctx: DemoContext) -> None:
    options = "\n".join(CAMPUSES)
    _field("customer", "campus", label="校区", label_en="Campus", kind="choice", choices=options)
    _field("customer", "vip", label="贵宾", label_en="VIP", kind="yes_no", position=1)
    _field(
        "contract", "campus", label="上课校区", label_en="Campus", kind="choice", choices=options
    )
    _field("contract", "deposit", label="定金", label_en="Deposit", kind="number", position=1)
    # the records in the app's other registries (apps.get_model: this app imports no record app)
    for label, build in (
        ("customers.Customer", lambda i: {"campus": CAMPUSES[i % 3], "vip": i % 4 == 0}),
        (
            "customers.Contract",
            lambda i: {"campus": CAMPUSES[i % 3], "deposit": f"{500 * (i % 3)}.00"},
        ),
    ):
        model = apps.get_model(label)
        groups: dict[str, tuple[dict, list[int]]] = {}
        for index, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
            values = build(index)
            groups.setdefault(repr(sorted(values.items())), (values, []))[1].append(pk)
        for values, pks in groups.values():
            model.objects.filter(pk__in=pks).update(custom=values)
    ctx.log("custom fields: 4 demo fields on customers and contracts")
