from django.db import migrations

DEFAULTS = [
    ("courses", "个人课程", "Courses for individuals"),
    ("corporate", "企业内训", "In-house corporate training"),
    ("online", "在线培训", "Online training"),
]


def add_defaults(apps, schema_editor):
    ProductLine = apps.get_model("salescrm", "ProductLine")
    for code, name, name_en in DEFAULTS:
        ProductLine.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


def remove_defaults(apps, schema_editor):
    apps.get_model("salescrm", "ProductLine").objects.filter(
        code__in=[c for c, _n, _e in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("salescrm", "0003_product_lines")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
