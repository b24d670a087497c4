# The quick search (issue 18) finds customers, and contracts by their customer, by a part of
# the name (`name ILIKE '%…%'` on the bare column, salescrm.search.ILikeContains): a trigram
# GIN index answers it on 100,000 customers instead of a sequential scan (bench/README.md).
# PostgreSQL only, like the leads' trigram indexes (leads/migrations/0010).

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "customer_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON customers_customer USING gin (name gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_customer_territory"),
    ]

    operations = [
        TrigramExtension(),  # a no-op where it exists (leads/migrations/0010) or on SQLite
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
