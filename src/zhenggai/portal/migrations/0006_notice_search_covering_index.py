"""SQLite: an index that holds everything the portal's search reads of a notice (what is public, the order, the
inspection, the title and the text), so the search scans it instead of the rows. In a row the large HTML comes
before the text and the state, and SQLite walks through it to reach them: the search read every notice's HTML.
PostgreSQL keeps the HTML out of the row (and has trigram indexes, 0004); a B-tree entry there could not hold a
long text anyway."""

from typing import Any

from django.db import migrations

NAME = "portal_notice_search"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {NAME} ON notices_notice "
    "(audience, published_at, id, state, inspection_id, title, markdown)"
)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_notice_public_index")]

    operations = [migrations.RunPython(forwards, backwards)]
