"""The measure lists' one search box: a term is looked for in the measure's text and code, its finding's title
(问题标题), its lead department's name (牵头部门) and its responsible person (责任人), each through an index
(PostgreSQL: pg_trgm GIN indexes serving LIKE; SQLite: FTS5 trigram tables, search_index).

Ranked in two tiers, each in the list's own order: the measures whose text or code holds the term, then those
that hold it only elsewhere. Each tier is its own query along the order's index, so keyset pages stay cheap: a
page reads the second tier only once the first runs out (web.seek). A term of one or two characters: SQLite
finds it in the same trigram indexes (padded values, search_index.lookup); PostgreSQL in GIN indexes over every
one- and two-character substring of the text, code, finding title and unit name (`zg_grams`, migration
0017_search_grams; `Grams` below), and walks the distinct people along their B-tree index (people).

A finding title or department name held by very many rows (more than ID_CAP) is tested per measure along the
list's order (PostgreSQL: a join on the key, SQLite: EXISTS; see _place).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhenggai.ledger import search_index
from zhenggai.ledger.models import Finding, Measure, Unit

ID_CAP = 2000  # more matching findings or departments than this: checked per row (their value), not listed
ESTIMATE_FACTOR = 10  # PostgreSQL: a title or name the planner expects in 10 × ID_CAP rows is frequent unread
PEOPLE_WALK = 5000  # distinct responsible people walked for a short term on PostgreSQL, at most
TEXT_WIDTH = 60  # characters of the measure text the list shows (as truncatechars:60)

# Where a measure matched when not in its text or code, as the row says it.
PLACES = (("finding", "问题标题"), ("department", "牵头部门"), ("person", "责任人"))


class Grams(Func):
    """PostgreSQL: whether `field` holds `term`, a term of one or two characters, case-insensitively (as
    icontains), through the GIN index over the field's one- and two-character substrings (migration
    0017_search_grams): `zg_grams(UPPER(field)) @> ARRAY[UPPER(term)]`. Exact, `%` and `_` included. Never a
    LIKE: pg_trgm would offer its index for it, which for so short a term reads every entry."""

    output_field = BooleanField()

    def __init__(self, field: str, term: str) -> None:
        super().__init__(F(field))
        self.term = term

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        folded = f"UPPER({column}::text)"
        # strpos first: the same test, cheap on a row read along the list's order (the grams are computed
        # only for rows that hold the term); the planner serves the second through the gram index. `<> 0`,
        # not `> 0`: the planner takes an unknown `<>` to hold for nearly every row and an unknown `>` for a
        # third, which would make every term look three times rarer than the gram statistics say.
        sql = f"(strpos({folded}, UPPER(%s)) <> 0 AND zg_grams({folded}) @> ARRAY[UPPER(%s)]::text[])"
        return sql, [*params, self.term, *params, self.term]


def grams(connection: Any, term: str) -> bool:
    """Whether `term` is looked up in the PostgreSQL gram indexes: one or two characters (whose upper case is
    as long, and without the indexes' separator U+001F)."""
    return (
        connection.vendor == "postgresql"
        and 0 < len(term) < search_index.MIN_LENGTH
        and len(term.upper()) == len(term)
        and "\x1f" not in term
    )


@dataclass
class Search:
    term: str
    direct: Q  # the term in the measure's text or code
    other: Q  # the term in its finding's title, its lead department's name or its responsible person
    # The same as `direct`, to test rows already found (the second tier's exclusion, the rank): a plain LIKE
    # costs less per row than the gram arrays.
    direct_rows: Q | None = None
    # The same as `other` for the capped count (web.seek), where they differ: PostgreSQL, a place held by very
    # many rows, checked per measure by key (a scalar subquery, which the planner cannot hash). Joined, as the
    # page reads it, the count hashed every finding first (100,000: 22-29 ms, against 3 ms by key).
    other_counted: Q | None = None

    @property
    def any(self) -> Q:
        return self.direct | self.other

    @property
    def counted(self) -> Q | None:
        """The matches as the capped count tests them, when that differs from `any`; else None."""
        return None if self.other_counted is None else self.direct | self.other_counted

    @property
    def holds(self) -> Q:
        return self.direct if self.direct_rows is None else self.direct_rows

    def tiers(self, measures: QuerySet[Measure]) -> list[QuerySet[Measure]]:
        """The matches in rank order, each tier to be read in the list's order."""
        return [measures.filter(self.direct), measures.filter(self.other).exclude(self.holds)]

    def ranked(self, measures: QuerySet[Measure], *order: Any) -> QuerySet[Measure]:
        """All matches, ranked then in `order`, in one query (for the orders that page by offset)."""
        rank = Case(When(self.holds, then=Value(0)), default=Value(1), output_field=IntegerField())
        return measures.filter(self.any).annotate(search_rank=rank).order_by("search_rank", *order)


def _place(
    connection: Any, relation: str, model: Any, field: str, index: search_index.Index, term: str
) -> tuple[Q, Q | None]:
    """The measures whose `relation` (a foreign key) points at a `model` row whose `field` holds `term`.

    A few such rows (found in `index` on SQLite, through the trigram or gram index on PostgreSQL):
    `relation_id IN (ids)`, the database starts from them (the column's index). Very many (more than ID_CAP):
    the term is frequent, so the list's order index is read and each row checked by its key, which finds a page
    soon, instead of collecting thousands of ids and sorting every match. On PostgreSQL the check is a join on
    the key (the planner then knows from the column's statistics how many rows hold the term, and reads a page
    along the order): an EXISTS there it would run as a hash of every matching row, built in full before the
    first measure (70 ms for 30,000 finding titles), and a scalar subquery it would guess at 0.5 %."""
    ids: list[int]
    column = f"{relation}_id"
    found = search_index.lookup(connection, index, term) if search_index.indexed(connection, term) else None
    if found is not None and found[0] == search_index.NOTHING:  # no trigram begins with the term
        ids = []
    elif found is not None:
        sql, params = found
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT {ID_CAP + 1}", params)
            ids = [row[0] for row in cursor.fetchall()]
    else:
        test = Q(Grams(field, term)) if grams(connection, term) else Q(**{f"{field}__icontains": term})
        matching = model.objects.filter(test).order_by()
        if model is Finding and _estimate(connection, matching) > ESTIMATE_FACTOR * ID_CAP:
            return _joined(model, relation, field, term)
        ids = list(matching.values_list("pk", flat=True)[: ID_CAP + 1])
    if len(ids) <= ID_CAP:
        return Q(**{f"{column}__in": ids}), None
    if connection.vendor == "postgresql":
        return _joined(model, relation, field, term)
    return Q(Exists(model.objects.filter(pk=OuterRef(column), **{f"{field}__icontains": term}))), None


def _joined(model: Any, relation: str, field: str, term: str) -> tuple[Q, Q]:
    """PostgreSQL, a frequent place: joined by key for the page (read along the order), and for the capped
    count the same test as a scalar subquery by key (see Search.other_counted)."""
    # (SELECT true … WHERE id = outer key AND field LIKE … LIMIT 1): NULL, so false, where the place lacks it.
    holds = model.objects.filter(pk=OuterRef(f"{relation}_id"), **{f"{field}__icontains": term}).order_by()
    per_row = Subquery(holds.annotate(holds=Value(True)).values("holds")[:1], output_field=BooleanField())
    return Q(**{f"{relation}__{field}__icontains": term}), Q(per_row)


def _estimate(connection: Any, rows: QuerySet[Any]) -> float:
    """PostgreSQL: how many rows the planner expects `rows` to hold (from the column's statistics; no row is
    read); 0 elsewhere. A term it expects in very many findings (ESTIMATE_FACTOR × ID_CAP) skips collecting
    ids: reading until ID_CAP + 1 of them are found reads far (20 ms for 第2个具体问题, whose findings
    lie together at the end of the table), and the answer would be "too many" anyway. Only the plan depends on
    it: both ways find the same measures. Asked for the findings only: the units are far fewer (reading until
    ID_CAP + 1 match reads at most all 10,000 of a province, about 5 ms)."""
    if connection.vendor != "postgresql":
        return 0.0
    sql, params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def people(connection: Any, term: str) -> list[str] | None:
    """PostgreSQL, a term of one or two characters (too short for its trigram indexes): the distinct responsible
    people that hold it, found by walking the B-tree index on the person (measure_person) from one name to
    the next (one index probe per distinct person, not a read of every measure); None elsewhere, or when
    there are more than PEOPLE_WALK distinct people (LIKE along the list's order then)."""
    if connection.vendor != "postgresql" or len(term) >= search_index.MIN_LENGTH:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH RECURSIVE walk(name, n) AS (
                (SELECT responsible_person, 1 FROM ledger_measure ORDER BY responsible_person LIMIT 1)
                UNION ALL
                SELECT (SELECT m.responsible_person FROM ledger_measure m WHERE m.responsible_person > walk.name
                        ORDER BY m.responsible_person LIMIT 1), walk.n + 1
                FROM walk WHERE walk.name IS NOT NULL AND walk.n <= %s
            ) SELECT name FROM walk WHERE name IS NOT NULL""",
            [PEOPLE_WALK],
        )
        names = [row[0] for row in cursor.fetchall()]
    if len(names) > PEOPLE_WALK:
        return None
    return [name for name in names if _holds(name, term)]


def build(connection: Any, term: str) -> Search:
    """The search for `term` on `connection`: a fixed number of small queries (capped counts and id lookups
    in the indexes), whatever the term."""
    text = search_index.match_ids(connection, term)
    direct_rows = None
    if text is not None:  # SQLite, a rarer term: the full-text index over text and code
        direct = Q(pk__in=RawSQL(*text))
    elif grams(connection, term):  # PostgreSQL, one or two characters: the gram indexes (or along the order)
        direct = Q(Grams("text", term)) | Q(Grams("code", term))
        direct_rows = Q(text__icontains=term) | Q(code__icontains=term)
    else:  # PostgreSQL (pg_trgm indexes serve these LIKEs), or a frequent term along the order
        direct = Q(text__icontains=term) | Q(code__icontains=term)
    person = search_index.match_ids(connection, term, search_index.PEOPLE)
    names = people(connection, term) if person is None else None
    if person is not None:  # SQLite: the person's trigram index
        other = Q(pk__in=RawSQL(*person))
    elif names is not None:  # PostgreSQL, one or two characters: the matching people, by equality
        other = Q(responsible_person__in=names)
    else:  # pg_trgm serves it (three characters or more), or a frequent term along the order
        other = Q(responsible_person__icontains=term)
    places = [
        _place(connection, "finding", Finding, "title", search_index.FINDINGS, term),
        _place(connection, "lead_department", Unit, "name", search_index.UNITS, term),
    ]
    counted = None
    if any(per_row is not None for _, per_row in places):
        counted = other
        for joined, per_row in places:
            counted |= joined if per_row is None else per_row
    for joined, _ in places:
        other |= joined
    return Search(term, direct, other, direct_rows, counted)


def _holds(value: str | None, term: str) -> bool:
    return bool(term) and term.casefold() in (value or "").casefold()


def places(measure: Measure, term: str) -> list[str]:
    """Where `measure` holds `term` when not in its text or code: 问题标题, 牵头部门, 责任人 (the row says so)."""
    if not term or _holds(measure.text, term) or _holds(measure.code, term):
        return []
    department = measure.lead_department.name if measure.lead_department else ""
    values = {
        "finding": measure.finding.title,
        "department": department,
        "person": measure.responsible_person,
    }
    # The person is not shown elsewhere in the row: name them.
    return [
        f"{label}（{values[key]}）" if key == "person" else label
        for key, label in PLACES
        if _holds(values[key], term)
    ]


def highlight(text: str, term: str, width: int = TEXT_WIDTH) -> SafeString:
    """`text` cut to `width` characters as the list shows it (around the first match when that lies further
    on), every match of `term` in <mark>, everything else escaped. The term is plain text, never a pattern."""
    pattern = re.compile(re.escape(term), re.IGNORECASE) if term else None
    first = pattern.search(text) if pattern else None
    start = 0
    if first is not None and first.end() > width - 1:
        start = max(0, first.start() - width // 4)
    end = len(text) if len(text) <= width else max(start + width - 1, first.end() if first else 0)
    shown = text[start:end]
    parts = ["…" if start > 0 else ""]
    position = 0
    for match in pattern.finditer(shown) if pattern else ():
        parts += [escape(shown[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    parts += [escape(shown[position:]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))  # every piece of the text is escaped above
