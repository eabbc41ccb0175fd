"""An index on the notice table for the portal's lists (what is public, by date, round and year): the count,
the year list and the round list read it instead of the rows, whose HTML makes them large. Created here, by the
app that needs it, with plain SQL that SQLite and PostgreSQL both understand."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS portal_notice_public ON notices_notice "
    "(audience, state, published_at, withdrawn_at, notice_date, inspection_id)"
)


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_notice_search_trigram")]

    operations = [migrations.RunSQL(CREATE, "DROP INDEX IF EXISTS portal_notice_public")]
