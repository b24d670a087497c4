"""Django-admin permissions of the performance app for the role groups (SPEC §1): admins set
KPI schemes and commission plans; the director reads them and every result; finance reads the
statements (closing them happens in the app)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RULES = ["commissionplan", "commissiontier", "kpischeme", "kpischemeitem"]
RESULTS = ["scorecard", "scoreline", "commissionstatement", "commissionline", "funnelsnapshot"]

GRANTS = {
    "admin": [
        f"{action}_{model}" for model in RULES for action in ("add", "change", "delete", "view")
    ]
    + [f"view_{model}" for model in RESULTS],
    "director": [f"view_{model}" for model in RULES + RESULTS],
    "finance": [
        "view_commissionplan",
        "view_commissiontier",
        "view_commissionstatement",
        "view_commissionline",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("performance")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="performance", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="performance"))


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0002_commission_statements"),
        ("salescrm", "0002_role_groups_and_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
