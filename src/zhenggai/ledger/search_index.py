"""SQLite: a full-text index (FTS5, trigram tokenizer) over the measures' text and code, kept in step by triggers,
so that the lists' text search reads an index instead of testing LIKE on every row. Trigrams need no word
splitting, so Chinese works; a term shorter than three characters cannot use them and is searched with LIKE.

Installed after every `migrate` when missing and then rebuilt from the measures (apps.LedgerConfig), like the
reach triggers; the triggers are dropped before migrating (SQLite rebuilds a table it alters, which fails on
triggers naming it). PostgreSQL uses pg_trgm indexes instead (migration 0010_measure_text_trigram).
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

TABLE = "ledger_measure_fts"
MIN_LENGTH = 3  # a trigram index finds terms of three characters or more
TRIGGERS = {
    "ledger_fts_measure_ins": f"""CREATE TRIGGER IF NOT EXISTS ledger_fts_measure_ins AFTER INSERT ON ledger_measure
    BEGIN
        INSERT INTO {TABLE} (rowid, text, code) VALUES (NEW.id, NEW.text, NEW.code);
    END""",
    "ledger_fts_measure_del": f"""CREATE TRIGGER IF NOT EXISTS ledger_fts_measure_del AFTER DELETE ON ledger_measure
    BEGIN
        INSERT INTO {TABLE} ({TABLE}, rowid, text, code) VALUES ('delete', OLD.id, OLD.text, OLD.code);
    END""",
    "ledger_fts_measure_upd": f"""CREATE TRIGGER IF NOT EXISTS ledger_fts_measure_upd AFTER UPDATE OF text, code
    ON ledger_measure BEGIN
        INSERT INTO {TABLE} ({TABLE}, rowid, text, code) VALUES ('delete', OLD.id, OLD.text, OLD.code);
        INSERT INTO {TABLE} (rowid, text, code) VALUES (NEW.id, NEW.text, NEW.code);
    END""",
}


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
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name LIKE 'ledger_fts_%%')",
            [TABLE],
        )
        return bool(cursor.fetchone()[0] == 1 + len(TRIGGERS))


def uninstall(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure(connection: Any) -> bool:
    """Create the index and its triggers when missing, then rebuild it from the measures; True when it had to.
    Where FTS5 or its trigram tokenizer is missing the search falls back to LIKE."""
    if not supported(connection) or present(connection):
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(text, code, "
                "content='ledger_measure', content_rowid='id', tokenize='trigram')"
            )
            for statement in TRIGGERS.values():
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")
    except Exception:  # FTS5 not compiled in: the search scans
        return False
    return True


FREQUENT = 2000  # more matches than this: reading the list's order index and testing LIKE finds a page sooner


def match_ids(connection: Any, term: str) -> tuple[str, list[str]] | None:
    """SQL selecting the ids of the measures whose text or code contains `term`, or None when LIKE along the
    list's order is the better plan: PostgreSQL (its pg_trgm indexes serve LIKE), no index, a term too short
    for trigrams, or a frequent term (a page of it lies in the first rows read; its thousands of ids would be
    collected first). One capped count in the index decides."""
    if connection.vendor != "sqlite" or len(term) < MIN_LENGTH or not supported(connection):
        return None
    phrase = '"' + term.replace('"', '""') + '"'
    sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {FREQUENT + 1})", [phrase])
        if cursor.fetchone()[0] > FREQUENT:
            return None
    return sql, [phrase]
