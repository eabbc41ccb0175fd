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

Terms of one or two characters: every value is indexed with two padding characters (PAD) after it, so each
occurrence of such a term begins a trigram (and values of one or two characters are indexed too). The trigrams
that begin with the term are a range of the index's vocabulary (an fts5vocab table per index): none means no
row holds the term (said without reading a row); a few are OR-ed into one MATCH. The padding is why the rows
are put in by INSERT … SELECT (`fill`), never by FTS5's 'rebuild' (which would read the unpadded columns).

The vocabulary tables are of the 'instance' kind, walked from one trigram to the next (`trigrams`): a 'row'
table counts every row of each trigram it returns, 6 ms for the 300,000 people's "某某\x1f"; an 'instance' table
returns a trigram's first occurrence at once. They hold no data: a table of an older kind is replaced without
rebuilding the indexes (`ensure`).
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from typing import Any

MIN_LENGTH = 3  # a trigram index finds terms of three characters or more by themselves
PAD = "\x1f\x1f"  # after every indexed value: a term of one or two characters then begins a trigram
PAD_SQL = "char(31, 31)"
TRIGRAM_CAP = 64  # more trigrams begin with a short term than this: LIKE along the list's order instead
FREQUENT = 2000  # more matches than this: reading the list's order index and testing LIKE finds a page sooner


@dataclass(frozen=True)
class Index:
    table: str  # the FTS5 table
    source: str  # the model table it indexes (rowid = id)
    columns: tuple[str, ...]
    trigger: str  # its triggers' name prefix

    @property
    def vocab(self) -> str:
        """Its fts5vocab table: one row per occurrence of a trigram, seekable by range (`trigrams`)."""
        return f"{self.table}_vocab"

    def padded(self, prefix: str = "") -> str:
        return ", ".join(f"{prefix}{c} || {PAD_SQL}" for c in self.columns)

    def triggers(self) -> dict[str, str]:
        cols = ", ".join(self.columns)
        new = self.padded("NEW.")
        old = self.padded("OLD.")
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

    def create_vocab(self) -> str:
        return f"CREATE VIRTUAL TABLE {self.vocab} USING fts5vocab({self.table}, 'instance')"

    def fill(self) -> str:
        """The rows, padded, into the freshly created index."""
        cols = ", ".join(self.columns)
        return f"INSERT INTO {self.table} (rowid, {cols}) SELECT id, {self.padded()} FROM {self.source}"


# A table of its own for the person: a term frequent in the texts would make a column filter over one table
# read the texts' long posting lists to find the few people.
MEASURES = Index("ledger_measure_fts", "ledger_measure", ("text", "code"), "ledger_fts_measure")
PEOPLE = Index("ledger_measure_fts_person", "ledger_measure", ("responsible_person",), "ledger_fts_person")
FINDINGS = Index("ledger_measure_fts_finding", "ledger_finding", ("title",), "ledger_fts_finding")
UNITS = Index("ledger_measure_fts_unit", "ledger_unit", ("name",), "ledger_fts_unit")
INDEXES = (MEASURES, PEOPLE, FINDINGS, UNITS)
TABLE = MEASURES.table
SHADOW = ("_data", "_idx", "_docsize", "_config", "_content")  # FTS5's own tables behind each index
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


def _found(connection: Any) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE (type = 'table' AND name LIKE 'ledger_measure_fts%%') "
            "OR (type = 'trigger' AND name LIKE 'ledger_fts_%%')",
        )
        return {name: sql for name, sql in cursor.fetchall() if not name.endswith(SHADOW)}


def _same(found: dict[str, str], layout: dict[str, str]) -> bool:
    return all(
        name in found and found[name].replace(" ", "") == sql.replace(" ", "") for name, sql in layout.items()
    )


def present(connection: Any) -> bool:
    """Every table in its current layout, and every trigger."""
    found = _found(connection)
    layout = {index.table: index.create() for index in INDEXES} | {i.vocab: i.create_vocab() for i in INDEXES}
    return set(found) == set(layout) | set(TRIGGERS) and _same(found, layout)


def _indexes_present(connection: Any) -> bool:
    """The indexes in their current layout and every trigger (their vocabulary tables aside)."""
    found = _found(connection)
    vocabs = {index.vocab for index in INDEXES}
    layout = {index.table: index.create() for index in INDEXES}
    return set(found) - vocabs == set(layout) | set(TRIGGERS) and _same(found, layout)


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
    if _indexes_present(connection):  # only a vocabulary table missing or of an older kind: no rebuild
        with connection.cursor() as cursor:
            for index in INDEXES:
                cursor.execute(f"DROP TABLE IF EXISTS {index.vocab}")
                cursor.execute(index.create_vocab())
        return False
    try:
        uninstall(connection)
        with connection.cursor() as cursor:
            for index in INDEXES:
                cursor.execute(f"DROP TABLE IF EXISTS {index.vocab}")
                cursor.execute(f"DROP TABLE IF EXISTS {index.table}")
                cursor.execute(index.create())
                cursor.execute(index.create_vocab())
            for statement in TRIGGERS.values():
                cursor.execute(statement)
            for index in INDEXES:
                cursor.execute(index.fill())
    except Exception:  # FTS5 not compiled in: the search scans
        return False
    return True


def phrase(term: str) -> str:
    """An FTS5 query for `term` as it is (quoted: no operators)."""
    return '"' + term.replace('"', '""') + '"'


def indexed(connection: Any, term: str) -> bool:
    """Whether `term` can be looked up in the SQLite trigram indexes (any length, thanks to the padding)."""
    return bool(term) and supported(connection)


NOTHING = "SELECT NULL WHERE 0"  # no row holds the term


def lookup(connection: Any, index: Index, term: str) -> tuple[str, list[str]] | None:
    """SQL selecting the ids of the rows of `index`'s table that contain `term`; None when the index cannot
    say (a one- or two-character term that begins more than TRIGRAM_CAP trigrams: a common one)."""
    if len(term) >= MIN_LENGTH:
        return f"SELECT rowid FROM {index.table} WHERE {index.table} MATCH %s", [phrase(term)]
    trigrams = _trigrams(connection, index, term)
    if len(trigrams) > TRIGRAM_CAP:
        return None
    if not trigrams:
        return NOTHING, []
    match = " OR ".join(phrase(t) for t in trigrams)
    return f"SELECT rowid FROM {index.table} WHERE {index.table} MATCH %s", [match]


def _trigrams(connection: Any, index: Index, term: str) -> list[str]:
    """The trigrams of `index` that begin with `term` (a term of one or two characters), up to TRIGRAM_CAP + 1.

    One index probe each: the first trigram at or after the term, then the first at or after the one before
    with char(1) appended (no trigram lies between, every trigram being three characters), in one recursive
    query. The 'instance' vocabulary returns a trigram's first occurrence without reading its other rows."""
    folded = term.lower()  # the tokenizer folds case, so does its vocabulary
    vocab = index.vocab
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE walk(trigram, n) AS (
                SELECT (SELECT term FROM {vocab} WHERE term >= %s AND term < %s LIMIT 1), 1
                UNION ALL
                SELECT (SELECT term FROM {vocab} WHERE term >= walk.trigram || char(1) AND term < %s LIMIT 1),
                       walk.n + 1
                FROM walk WHERE walk.trigram IS NOT NULL AND walk.n <= {TRIGRAM_CAP}
            ) SELECT trigram FROM walk WHERE trigram IS NOT NULL""",
            [folded, folded + "\U0010ffff", folded + "\U0010ffff"],
        )
        return [row[0] for row in cursor.fetchall()]


def match_ids(connection: Any, term: str, index: Index = MEASURES) -> tuple[str, list[str]] | None:
    """SQL selecting the ids of the measures whose text or code (or person: PEOPLE) contain `term`, or None
    when LIKE along the list's order is the better plan: PostgreSQL (its pg_trgm indexes serve LIKE), no index,
    a short term common in the index, or a frequent term (a page of it lies in the first rows read; its
    thousands of ids would be collected first). One capped count in the index decides."""
    if connection.vendor != "sqlite" or not indexed(connection, term):
        return None
    found = lookup(connection, index, term)
    if found is None:
        return None
    sql, params = found
    if sql == NOTHING:  # no trigram begins with the term: nothing to count
        return sql, params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {FREQUENT + 1})", params)
        if cursor.fetchone()[0] > FREQUENT:
            return None
    return sql, params
