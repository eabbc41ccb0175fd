"""PostgreSQL only: trigram GIN indexes (pg_trgm) for the rest of the measure lists' one search box: the
responsible person (责任人) on the measure, the finding title (问题标题) and the unit name (牵头部门), each
searched as `UPPER(col::text) LIKE UPPER('%term%')` (icontains). Like 0012_measure_text_trigram: where the
extension is missing the search still works, by scanning; SQLite keeps FTS5 tables instead (search_index)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = {
    "ledger_measure_person_trgm": ("ledger_measure", 'UPPER("responsible_person"::text)'),
    "ledger_finding_title_trgm": ("ledger_finding", 'UPPER("title"::text)'),
    "ledger_unit_name_trgm": ("ledger_unit", 'UPPER("name"::text)'),
}


def create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:  # 0012 could not create it: search scans instead
            return
        for name, (table, expression) in INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)'
            )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_measure_text_trigram")]

    operations = [migrations.RunPython(create, drop)]
