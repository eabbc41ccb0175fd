"""SQLite: full-text indexes (FTS5, trigram tokenizer) for the measure lists' one search box, kept in step by
triggers, so that the search reads an index instead of testing LIKE on every row. Trigrams need no word
splitting, so Chinese works; a term shorter than three characters cannot use them and is searched with LIKE.

Four external-content tables (the rows stay in the model tables; the index holds only the trigrams):
- `ledger_measure_fts`: a measure's text and code;
- `ledger_measure_fts_person`: its responsible person (责任人);
- `ledger_measure_fts_finding`: the findings' titles (问题标题);
- `ledger_measure_fts_unit`: the units' names (牵头部门).
(All named `ledger_measure_fts…`: tools that compare a database with its models leave these out by prefix.)

Installed after every `migrate` when missing (or of an older layout) and then rebuilt from the rows
(apps.LedgerConfig), like the reach triggers; the triggers are dropped before migrating (SQLite rebuilds a table
it alters, which fails on triggers naming it). PostgreSQL uses pg_trgm indexes instead (migrations
0012_measure_text_trigram, 0013_search_trigram).
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from typing import Any

MIN_LENGTH = 3  # a trigram index finds terms of three characters or more
FREQUENT = 2000  # more matches than this: reading the list's order index and testing LIKE finds a page sooner


@dataclass(frozen=True)
class Index:
    table: str  # the FTS5 table
    source: str  # the model table it indexes (rowid = id)
    columns: tuple[str, ...]
    trigger: str  # its triggers' name prefix

    def triggers(self) -> dict[str, str]:
        cols = ", ".join(self.columns)
        new = ", ".join(f"NEW.{c}" for c in self.columns)
        old = ", ".join(f"OLD.{c}" for c in self.columns)
        insert = f"INSERT INTO {self.table} (rowid, {cols}) VALUES (NEW.id, {new});"
        delete = f"INSERT INTO {self.table} ({self.table}, rowid, {cols}) VALUES ('delete', OLD.id, {old});"
        name = self.trigger
        return {
            f"{name}_ins": f"CREATE TRIGGER IF NOT EXISTS {name}_ins AFTER INSERT ON {self.source} "
            f"BEGIN {insert} END",
            f"{name}_del": f"CREATE TRIGGER IF NOT EXISTS {name}_del AFTER DELETE ON {self.source} "
            f"BEGIN {delete} END",
            f"{name}_upd": f"CREATE TRIGGER IF NOT EXISTS {name}_upd AFTER UPDATE OF {cols} ON {self.source} "
            f"BEGIN {delete} {insert} END",
        }

    def create(self) -> str:
        return (
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({', '.join(self.columns)}, "
            f"content='{self.source}', content_rowid='id', tokenize='trigram')"
        )


# A table of its own for the person: a term frequent in the texts would make a column filter over one table
# read the texts' long posting lists to find the few people.
MEASURES = Index("ledger_measure_fts", "ledger_measure", ("text", "code"), "ledger_fts_measure")
PEOPLE = Index("ledger_measure_fts_person", "ledger_measure", ("responsible_person",), "ledger_fts_person")
FINDINGS = Index("ledger_measure_fts_finding", "ledger_finding", ("title",), "ledger_fts_finding")
UNITS = Index("ledger_measure_fts_unit", "ledger_unit", ("name",), "ledger_fts_unit")
INDEXES = (MEASURES, PEOPLE, FINDINGS, UNITS)
TABLE = MEASURES.table
TRIGGERS = {name: sql for index in INDEXES for name, sql in index.triggers().items()}


@functools.cache
def _trigram_fts5() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer (3.34 and later), tried in memory."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    return True


def supported(connection: Any) -> bool:
    return connection.vendor == "sqlite" and _trigram_fts5()


def present(connection: Any) -> bool:
    """Every table in its current layout, and every trigger."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE (type = 'table' AND name IN (%s, %s, %s, %s)) "
            "OR (type = 'trigger' AND name LIKE 'ledger_fts_%%')",
            [index.table for index in INDEXES],
        )
        found = dict(cursor.fetchall())
    return set(found) == {index.table for index in INDEXES} | set(TRIGGERS) and all(
        found[index.table].replace(" ", "") == index.create().replace(" ", "") for index in INDEXES
    )


def uninstall(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_fts_%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure(connection: Any) -> bool:
    """Create the indexes and their triggers when missing (or of an older layout), then rebuild them from the
    rows; True when it had to. Where FTS5 or its trigram tokenizer is missing the search falls back to LIKE."""
    if not supported(connection) or present(connection):
        return False
    tables = set(connection.introspection.table_names())
    if not {index.source for index in INDEXES} <= tables:
        return False
    try:
        uninstall(connection)
        with connection.cursor() as cursor:
            for index in INDEXES:
                cursor.execute(f"DROP TABLE IF EXISTS {index.table}")
                cursor.execute(index.create())
            for statement in TRIGGERS.values():
                cursor.execute(statement)
            for index in INDEXES:
                cursor.execute(f"INSERT INTO {index.table} ({index.table}) VALUES ('rebuild')")
    except Exception:  # FTS5 not compiled in: the search scans
        return False
    return True


def phrase(term: str) -> str:
    """An FTS5 query for `term` as it is (quoted: no operators)."""
    return '"' + term.replace('"', '""') + '"'


def indexed(connection: Any, term: str) -> bool:
    """Whether `term` can be looked up in the SQLite trigram indexes."""
    return len(term) >= MIN_LENGTH and supported(connection)


def lookup(index: Index, term: str) -> tuple[str, list[str]]:
    """SQL selecting the ids of the rows of `index`'s table that contain `term`."""
    return f"SELECT rowid FROM {index.table} WHERE {index.table} MATCH %s", [phrase(term)]


def match_ids(connection: Any, term: str, index: Index = MEASURES) -> tuple[str, list[str]] | None:
    """SQL selecting the ids of the measures whose text or code (or person: PEOPLE) contain `term`, or None
    when LIKE along the list's order is the better plan: PostgreSQL (its pg_trgm indexes serve LIKE), no index,
    a term too short for trigrams, or a frequent term (a page of it lies in the first rows read; its thousands
    of ids would be collected first). One capped count in the index decides."""
    if connection.vendor != "sqlite" or not indexed(connection, term):
        return None
    sql, params = lookup(index, term)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {FREQUENT + 1})", params)
        if cursor.fetchone()[0] > FREQUENT:
            return None
    return sql, params
