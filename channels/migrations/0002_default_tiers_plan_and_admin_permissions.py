"""Default partner tiers (gold / silver / bronze on the quarter's signed amount), a default
agent commission plan, the referral reward policy, and Django-admin permissions for the
administrator role's group. All admin-editable afterwards."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

TIERS = [
    ("gold", "金牌", "Gold", Decimal("300000.00")),
    ("silver", "银牌", "Silver", Decimal("100000.00")),
    ("bronze", "铜牌", "Bronze", Decimal("0.00")),
]
PLAN_TIERS = [
    (Decimal("0"), Decimal("0.05")),
    (Decimal("100000"), Decimal("0.08")),
    (Decimal("300000"), Decimal("0.10")),
]
MODELS = [
    "partnertier",
    "agentcommissionplan",
    "agentcommissiontier",
    "partner",
    "partnercontact",
    "partneraccount",
    "event",
    "campaigngoal",
    "campaigncost",
    "referralrewardpolicy",
]


def forwards(apps, schema_editor):
    PartnerTier = apps.get_model("channels", "PartnerTier")
    for code, name, name_en, floor in TIERS:
        PartnerTier.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "min_quarter_signed": floor}
        )
    Plan = apps.get_model("channels", "AgentCommissionPlan")
    plan, created = Plan.objects.get_or_create(
        name="代理商标准阶梯佣金", defaults={"base": "collected", "method": "marginal"}
    )
    if created:
        for floor, rate in PLAN_TIERS:
            plan.tiers.create(floor=floor, rate=rate)
    apps.get_model("channels", "ReferralRewardPolicy").objects.get_or_create(
        pk=1, defaults={"kind": "fixed", "amount": Decimal("500.00")}
    )
    app_config = apps.get_app_config("channels")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin, _created = Group.objects.get_or_create(name="admin")
    admin.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="channels",
            codename__in=[f"{a}_{m}" for m in MODELS for a in ("add", "change", "view", "delete")],
        )
    )
    Group.objects.get_or_create(name="partner")


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_partners_events_campaigns_rewards"),
        ("salescrm", "0008_partner_role"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
