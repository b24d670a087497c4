# The quick search's one- and two-character texts (issue 18): `(UPPER(name::text) COLLATE "C")
# LIKE 'X%'` ordered by the same key (salescrm.search.NameKey) is a range of this btree
# index read in order, stopped at the limit; pg_trgm has no trigram to offer such a text.
# PostgreSQL only, like the trigram indexes: the SQLite demo's few hundred rows need none.
from django.db import migrations

INDEX = "lead_name_prefix_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON leads_lead ((UPPER(name::text) COLLATE "C"))'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0014_lead_trial_lesson_day_and_grade_override")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
