"""Django-admin permissions on the customers app for the role groups (views check roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RULES = ["approvalpolicy", "tierpolicy", "product"]
RECORDS = [
    "customer",
    "contact",
    "referral",
    "tierchange",
    "contract",
    "contractline",
    "instalment",
    "payment",
    "dunningrecord",
    "lessondelivery",
    "refund",
    "approvalstep",
    "approvaldeputy",
    "complaint",
    "satisfactionsurvey",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("customers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {
        # the admin sets the rules and can read and correct everything
        "admin": [
            f"{action}_{model}" for model in RULES + RECORDS for action in ("add", "change", "view")
        ]
        + [f"delete_{model}" for model in RULES],
        "director": [f"view_{model}" for model in RULES + RECORDS],
        "finance": [f"view_{model}" for model in ["payment", "refund", "instalment", "contract"]],
        "legal": ["view_contract", "view_approvalstep"],
    }
    for role, names in codenames.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="customers", codename__in=names)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.all():
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="customers"))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_approval_steps_append_only"),
        ("salescrm", "0002_role_groups_and_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
