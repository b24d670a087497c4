"""Default scoring rules (SPEC §2: budget confirmed, decision maker reached, urgency, channel
quality, trial lesson attended, engaged in the last 14 days) and the settings row with the
source's thresholds: A >= 20, B 15-19, C <= 14; pool after 15 idle days, reminder 3 days
before."""

from django.db import migrations

RULES = [
    ("budget_confirmed", 5),
    ("decision_maker_reached", 5),
    ("urgent", 4),
    ("channel_quality", 0),  # adds the channel's own quality points
    ("trial_lesson_attended", 6),
    ("engaged_14_days", 3),
    ("product_line_known", 2),
    ("payer_known", 2),
]


def create_defaults(apps, schema_editor):
    ScoringRule = apps.get_model("leads", "ScoringRule")
    for criterion, points in RULES:
        ScoringRule.objects.get_or_create(criterion=criterion, defaults={"points": points})
    apps.get_model("leads", "LeadSettings").objects.get_or_create(pk=1)


def remove_defaults(apps, schema_editor):
    apps.get_model("leads", "ScoringRule").objects.all().delete()
    apps.get_model("leads", "LeadSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_default_channels_and_lost_reasons")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
