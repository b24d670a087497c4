"""Default seniority bands (seed 003: under 3 months 0.5, 3-12 months 0.8, a year and more
1.0) and the admin permissions of the role groups on the targets models."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

BANDS = [(0, Decimal("0.5"), 20), (3, Decimal("0.8"), 0), (12, Decimal("1.0"), 0)]

MODELS = [
    "seniorityweight",
    "targetplan",
    "monthweight",
    "teamshare",
    "planmember",
    "target",
    "adjustment",
    "adjustmentline",
]
GRANTS = {
    "manager": ["view_targetplan", "view_target", "view_adjustment", "view_planmember"],
    "director": [f"view_{m}" for m in MODELS]
    + [
        "add_targetplan",
        "change_targetplan",
        "change_monthweight",
        "change_teamshare",
        "change_planmember",
        "change_seniorityweight",
    ],
    "admin": [f"{action}_{m}" for m in MODELS for action in ("view", "add", "change", "delete")],
}


def seed(apps, schema_editor):
    SeniorityWeight = apps.get_model("targets", "SeniorityWeight")
    for min_months, weight, visits in BANDS:
        SeniorityWeight.objects.get_or_create(
            min_months=min_months, defaults={"weight": weight, "monthly_visits": visits}
        )
    app_config = apps.get_app_config("targets")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="targets", codename__in=codenames)
        )


def unseed(apps, schema_editor):
    apps.get_model("targets", "SeniorityWeight").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_plans_targets_and_adjustments"),
        ("salescrm", "0002_role_groups_and_permissions"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
