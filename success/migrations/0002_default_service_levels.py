from django.db import migrations

# Seed 001: strategic customers every two weeks with a 24-hour response from the
# cross-department VIP group; core customers monthly, handled by the regional manager;
# ordinary customers quarterly.
DEFAULTS = [
    ("strategic", 14, 24, "跨部门VIP服务小组"),
    ("core", 30, 24, "区域经理直接对接"),
    ("ordinary", 90, 48, ""),
]


def add_levels(apps, schema_editor):
    ServiceLevel = apps.get_model("success", "ServiceLevel")
    for tier, cadence, hours, team in DEFAULTS:
        ServiceLevel.objects.get_or_create(
            tier=tier,
            defaults={"cadence_days": cadence, "response_hours": hours, "service_team": team},
        )


class Migration(migrations.Migration):
    dependencies = [("success", "0001_customer_success")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
