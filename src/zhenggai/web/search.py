"""The measure lists' one search box: a term is looked for in the measure's text and code, its finding's title
(问题标题), its lead department's name (牵头部门) and its responsible person (责任人), each through an index
(PostgreSQL: pg_trgm GIN indexes serving LIKE; SQLite: FTS5 trigram tables, search_index).

Ranked in two tiers, each in the list's own order: the measures whose text or code holds the term, then those
that hold it only elsewhere. Each tier is its own query along the order's index, so keyset pages stay cheap: a
page reads the second tier only once the first runs out (web.seek). A term of one or two characters: SQLite
finds it in the same trigram indexes (padded values, search_index.lookup); PostgreSQL walks the distinct people
along their B-tree index (people) and tests the finding titles and unit names (small tables) with LIKE; the
measure text there is tested with LIKE along the list's order, within the user's scope, a page at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhenggai.ledger import search_index
from zhenggai.ledger.models import Finding, Measure, Unit

ID_CAP = 2000  # more matching findings or departments than this: checked per row (EXISTS), not listed
PEOPLE_WALK = 5000  # distinct responsible people walked for a short term on PostgreSQL, at most
TEXT_WIDTH = 60  # characters of the measure text the list shows (as truncatechars:60)

# Where a measure matched when not in its text or code, as the row says it.
PLACES = (("finding", "问题标题"), ("department", "牵头部门"), ("person", "责任人"))


@dataclass
class Search:
    term: str
    direct: Q  # the term in the measure's text or code
    other: Q  # the term in its finding's title, its lead department's name or its responsible person

    @property
    def any(self) -> Q:
        return self.direct | self.other

    def tiers(self, measures: QuerySet[Measure]) -> list[QuerySet[Measure]]:
        """The matches in rank order, each tier to be read in the list's order."""
        return [measures.filter(self.direct), measures.filter(self.other).exclude(self.direct)]

    def ranked(self, measures: QuerySet[Measure], *order: Any) -> QuerySet[Measure]:
        """All matches, ranked then in `order`, in one query (for the orders that page by offset)."""
        rank = Case(When(self.direct, then=Value(0)), default=Value(1), output_field=IntegerField())
        return measures.filter(self.any).annotate(search_rank=rank).order_by("search_rank", *order)


def _place(connection: Any, column: str, model: Any, field: str, index: search_index.Index, term: str) -> Q:
    """The measures whose `column` points at a `model` row whose `field` holds `term`.

    A few such rows (found in `index` on SQLite, through the trigram index on PostgreSQL): `column IN (ids)`,
    the database starts from them (the column's index). Very many (more than ID_CAP): the term is frequent, so
    the list's order index is read and each row checked by its key (EXISTS), which finds a page soon, instead
    of collecting thousands of ids and sorting every match."""
    ids: list[int]
    found = search_index.lookup(connection, index, term) if search_index.indexed(connection, term) else None
    if found is not None:
        sql, params = found
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT {ID_CAP + 1}", params)
            ids = [row[0] for row in cursor.fetchall()]
    else:
        matching = model.objects.filter(**{f"{field}__icontains": term}).order_by()
        ids = list(matching.values_list("pk", flat=True)[: ID_CAP + 1])
    if len(ids) <= ID_CAP:
        return Q(**{f"{column}__in": ids})
    return Q(Exists(model.objects.filter(pk=OuterRef(column), **{f"{field}__icontains": term})))


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
    if text is not None:  # SQLite, a rarer term: the full-text index over text and code
        direct = Q(pk__in=RawSQL(*text))
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
    other |= _place(connection, "finding_id", Finding, "title", search_index.FINDINGS, term)
    other |= _place(connection, "lead_department_id", Unit, "name", search_index.UNITS, term)
    return Search(term, direct, other)


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
