"""Database triggers that refuse UPDATE and DELETE on the audit log, on SQLite and PostgreSQL."""

from typing import Any

from django.db import migrations


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER core_auditevent_no_{operation.lower()} BEFORE {operation} ON core_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON core_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();"
        )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditevent_append_only();")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
