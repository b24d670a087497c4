import django.core.serializers.json
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Admins and the director read how the nightly jobs went; nobody edits a run by hand.
GRANTS = {"admin": ["view_jobrun"], "director": ["view_jobrun"]}


def grant_view(apps, schema_editor):
    app_config = apps.get_app_config("salescrm")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="salescrm", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("salescrm", "0005_notifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(max_length=100, verbose_name="job")),
                ("business_date", models.DateField(verbose_name="business date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "row_counts",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="row counts",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
            ],
            options={
                "verbose_name": "nightly job run",
                "verbose_name_plural": "nightly job runs",
                "ordering": ["-business_date", "job"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("job", "business_date"), name="job_run_once_per_date"
                    )
                ],
            },
        ),
        migrations.RunPython(grant_view, migrations.RunPython.noop),
    ]
