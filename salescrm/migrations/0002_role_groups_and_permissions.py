"""One Django group per role (SPEC §1). Other apps grant their own permissions to these
groups in their migrations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["rep", "manager", "director", "legal", "finance", "service", "admin"]

# Django-admin permissions on the organisation, by role. Views check the role itself.
GRANTS = {
    "manager": ["view_team", "view_user"],
    "director": ["view_team", "view_user", "change_team"],
    "admin": [
        "add_team",
        "change_team",
        "delete_team",
        "view_team",
        "add_user",
        "change_user",
        "view_user",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create this app's now to grant them.
    app_config = apps.get_app_config("salescrm")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(
            content_type__app_label="salescrm", codename__in=GRANTS.get(role, [])
        )
        group.permissions.add(*perms)


def drop_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("salescrm", "0001_organisation_users_and_teams"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, drop_groups)]
