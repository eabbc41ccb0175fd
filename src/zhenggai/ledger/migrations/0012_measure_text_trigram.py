"""PostgreSQL only: trigram GIN indexes (pg_trgm) serving the measure lists' text search, which Django writes as
`UPPER(col::text) LIKE UPPER('%term%')` (icontains). Trigrams work for Chinese without a tokeniser. Where the
extension cannot be created (no privilege, not installed), the search still works, by scanning; SQLite is left
as it is."""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = {
    "ledger_measure_text_trgm": 'UPPER("text"::text)',
    "ledger_measure_code_trgm": 'UPPER("code"::text)',
}


def create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT zhenggai_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT zhenggai_trgm")
            except Exception:  # no privilege or extension not installed: search scans instead
                cursor.execute("ROLLBACK TO SAVEPOINT zhenggai_trgm")
                return
        for name, expression in INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "ledger_measure" USING gin ({expression} gin_trgm_ops)'
            )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_password_state")]

    operations = [migrations.RunPython(create, drop)]
