"""PostgreSQL: trigram indexes for the portal's search (Django's icontains is UPPER(column) LIKE UPPER(%s),
which a pg_trgm GIN index on UPPER(column) serves; trigrams work for Chinese text, unlike the default
full-text parser). Without the right to create the extension the search still works, unindexed."""

from typing import Any

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "portal_notice_markdown_trgm": "markdown",
    "portal_notice_title_trgm": "title",
}


def forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        for name, column in INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON notices_notice USING gin (UPPER("{column}") gin_trgm_ops)'
            )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_feedback_red_since"), ("notices", "__first__")]

    operations = [migrations.RunPython(forwards, backwards)]
