"""Admin permissions of the role groups on the product line split."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "director": ["view_productlineshare", "view_productlinetarget", "change_productlineshare"],
    "admin": [
        f"{action}_{model}"
        for model in ("productlineshare", "productlinetarget")
        for action in ("view", "add", "change", "delete")
    ],
}


def grant(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("targets", "0003_product_line_split")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
