"""The admin role maintains channels, campaigns, lost reasons, scoring rules and the lead
settings in Django admin (SPEC §1), and may correct any lead record."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "channel",
    "campaign",
    "lostreason",
    "leadsettings",
    "scoringrule",
    "lead",
    "stagechange",
    "assignment",
    "roundrobincursor",
    "activity",
    "activityplan",
    "coachingcomment",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("leads")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")
    ]
    group, _created = Group.objects.get_or_create(name="admin")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="leads", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="admin"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="leads"))


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_default_scoring_rules_and_settings"),
        ("salescrm", "0002_role_groups_and_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
