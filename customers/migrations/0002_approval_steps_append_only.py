"""The approval log is append-only in the database itself: a decided step can be neither
updated (not even through queryset.update()) nor deleted, so a step is decided exactly once."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION customers_approvalstep_append_only() RETURNS trigger AS $$
BEGIN
    IF OLD.decision <> 'pending' THEN
        RAISE EXCEPTION 'approval step % is already decided (%)', OLD.id, OLD.decision
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER customers_approvalstep_append_only
    BEFORE UPDATE OR DELETE ON customers_approvalstep
    FOR EACH ROW EXECUTE FUNCTION customers_approvalstep_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS customers_approvalstep_append_only ON customers_approvalstep;
DROP FUNCTION IF EXISTS customers_approvalstep_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER customers_approvalstep_no_update BEFORE UPDATE ON customers_approvalstep
       FOR EACH ROW WHEN OLD.decision <> 'pending'
       BEGIN SELECT RAISE(ABORT, 'approval step is already decided'); END;""",
    """CREATE TRIGGER customers_approvalstep_no_delete BEFORE DELETE ON customers_approvalstep
       FOR EACH ROW WHEN OLD.decision <> 'pending'
       BEGIN SELECT RAISE(ABORT, 'approval step is already decided'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS customers_approvalstep_no_update;",
    "DROP TRIGGER IF EXISTS customers_approvalstep_no_delete;",
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_customers_contracts_approvals_payments_service")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
