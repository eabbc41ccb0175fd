"""PostgreSQL only: indexes serving the one search box for terms of one or two characters, which pg_trgm cannot
(`LIKE '%ab%'` yields no trigram, so the trigram indexes of 0012/0013 are of no use there).

`zg_grams(value)` is every substring of one and of two characters of `value`, as an array (duplicates kept):
the characters themselves (`string_to_array(value, NULL)`), then every pair: each character c is written as
`c U+001F c` (one `regexp_replace` pass), so "abc" becomes "a␟ab␟bc␟c", cut at U+001F into a, ab, bc, c. So for a
term `t` of one or two characters (without U+001F), `zg_grams(UPPER(col)) @> ARRAY[UPPER(t)]` holds exactly
when `UPPER(col) LIKE '%t%'` (icontains) does: no recheck needed, and `%` or `_` in `t` are plain characters. A plain
GIN index (array_ops, built in: no extension) over `zg_grams(UPPER(col))` serves it, one posting list per term,
and ANALYZE keeps element frequencies for the expression, so the planner reads a frequent term along the list's
order index instead (web/search.py).

Built CONCURRENTLY (the migration is not atomic): the measure table stays writable during the build (300,000
measures: about 15 s). A build that failed half-way leaves an invalid index behind; it is dropped and built again.
The tables are analyzed afterwards (the planner needs the expression's statistics). SQLite is left as it is (its
padded FTS5 tables serve short terms, ledger/search_index.py).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# PL/pgSQL, not an SQL function: an SQL function would be inlined into the query, and the planner would then
# price the expression like a few string operators and read a rare term along the list's order, computing the
# grams of every row (5–10 µs each: seconds over a province). Its COST tells it what a call really costs.
# PARALLEL RESTRICTED: a scan that tests it is never split over parallel workers, whose start (10–20 ms) costs
# more than reading a page; the high COST would otherwise make the planner start them for a page's count.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION zg_grams(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000 AS $$
BEGIN
  RETURN string_to_array(value, NULL)
    || string_to_array(regexp_replace(value, '(.)', E'\\1\x1f\\1', 'g'), E'\x1f');
END
$$
"""

INDEXES = {
    "ledger_measure_text_grams": ("ledger_measure", 'zg_grams(UPPER("text"::text))'),
    "ledger_measure_code_grams": ("ledger_measure", 'zg_grams(UPPER("code"::text))'),
    "ledger_finding_title_grams": ("ledger_finding", 'zg_grams(UPPER("title"::text))'),
    "ledger_unit_name_grams": ("ledger_unit", 'zg_grams(UPPER("name"::text))'),
}


def create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for name, (table, expression) in INDEXES.items():
            cursor.execute(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND NOT i.indisvalid",
                [name],
            )
            if cursor.fetchone() is not None:  # a build interrupted half-way
                cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            cursor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})'
            )
        for table in sorted({table for table, _ in INDEXES.values()}):
            cursor.execute(f'ANALYZE "{table}"')


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
        cursor.execute("DROP FUNCTION IF EXISTS zg_grams(text)")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("ledger", "0016_unit_tally")]

    operations = [migrations.RunPython(create, drop)]
