"""Keyset (seek) pagination for the deep measure lists: page N+1 starts after page N's last row's sort keys,
so page 100 costs what page 1 does (an index range from the cursor) instead of skipping 4,950 rows; and no exact
COUNT over a wide scope: the count is exact up to a cap, else an estimate ("约 N 条")."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Func, Model, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.http import HttpRequest

COUNT_CAP = 1000  # count exactly up to this many rows; beyond, show the estimate


@dataclass
class SeekPage:
    rows: list[Any]
    number: int
    has_next: bool
    next_cursor: str
    has_previous: bool
    count_text: str  # "共 37 条" / "约 12,000 条" / "1,000 条以上"


def _field(name: str) -> tuple[str, bool]:
    return (name[1:], True) if name.startswith("-") else (name, False)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _decode(value: Any, model: type[Model], spec: str) -> Any:
    field: Any = model._meta.get_field(_field(spec)[0])
    field = getattr(field, "output_field", None) or field  # a GeneratedField stores its output field's type
    if field.is_relation:  # a foreign key (or a one-to-one primary key) stores the target's key
        field = field.target_field
    if isinstance(field, models.DateTimeField):
        return dt.datetime.fromisoformat(str(value))
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(str(value))
    if isinstance(field, models.IntegerField | models.AutoField):
        return int(value)
    return str(value)


class _Row(Func):
    """A row value, `(a, b, c)`: compared with another as a whole, the form both databases read as one range of
    a multi-column index."""

    template = "(%(expressions)s)"
    output_field = models.IntegerField()  # not read: only compared with another row


def after_q(order: list[str], values: list[Any]) -> Q:
    """Rows after `values` in `order`: the first key bounded (an index range start), then the tie-breaks.

    When every key runs the same way the tie-breaks are one row-value comparison, `(k1, k2, id) > (v1, v2, v3)`:
    PostgreSQL then starts the index scan at the cursor (the OR of tie-breaks is only a filter there, and page
    100 read the 4,950 rows before it). Mixed directions keep the OR form."""
    name0, desc0 = _field(order[0])
    condition = Q(**{f"{name0}__{'lte' if desc0 else 'gte'}": values[0]})
    if len(order) > 1 and all(_field(o)[1] == desc0 for o in order):
        keys = _Row(*(F(_field(o)[0]) for o in order))
        cursor = _Row(*(Value(v) for v in values))
        return condition & Q((LessThan if desc0 else GreaterThan)(keys, cursor))
    strictly = Q()
    equal: dict[str, Any] = {}
    for name_spec, value in zip(order, values, strict=True):
        name, desc = _field(name_spec)
        strictly |= Q(**equal, **{f"{name}__{'lt' if desc else 'gt'}": value})
        equal[name] = value
    return condition & strictly


def seek_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    order: list[str] | None,
    per_page: int,
    *,
    related: tuple[str, ...] = (),
    estimate: int | None = None,
    tiers: list[QuerySet[Any]] | None = None,
    fetch: Callable[[list[Any]], dict[Any, Any]] | None = None,
    counted: QuerySet[Any] | None = None,
) -> SeekPage:
    """The page the request asks for: `after` (a cursor) when the order allows seeking, else `page` by offset.

    Two steps: the page's ids (and sort keys) from the measure table alone, which the database reads along
    the order's index; then those rows with `related` joined, by primary key alone (without the list's
    filters) unless the queryset carries annotations or deferred fields. One query with the joins lets SQLite
    start from a joined table and sort everything. `fetch` (ids → rows by id) replaces the second step: rows
    of another model, or annotated, read by primary key alone without the list's filters.

    `tiers` (a ranked search, web.search): the rows of `queryset` split into ranks, each in `order`; a page
    reads them one after the other, the next only once the one before runs out, and its cursor starts with the
    rank. `counted`: the same rows written for the capped count (web.search.Search.other_counted).
    """
    number = _int(request.GET.get("page"), 1)
    cursor = request.GET.get("after", "")
    names = [_field(o)[0] for o in order] if order else []
    keys = queryset.values_list("pk", *names)
    found: list[Any]
    start = True  # the rows read begin at the list's first row: a short list is counted by reading it
    if order and tiers:
        found, number, start = _tiered(tiers, order, names, cursor, per_page, number)
    elif order and cursor:
        try:
            raw = json.loads(cursor)
            values = [_decode(v, queryset.model, o) for v, o in zip(raw, order, strict=True)]
            sliced, start = keys.filter(after_q(order, values)), False
        except (ValueError, TypeError):  # a damaged cursor: the first page
            sliced, number = keys, 1
        found = list(sliced[: per_page + 1])
    else:
        offset = (number - 1) * per_page
        found = list(keys[offset : offset + per_page + 1])
        start = offset == 0
        if not found and number > 1:  # past the end: the first page
            number, found, start = 1, list(keys[: per_page + 1]), True
    has_next = len(found) > per_page
    found = found[:per_page]
    ids = [k[0] for k in found]
    if fetch is None:
        source = queryset.order_by()
        if not source.query.annotations and not source.query.deferred_loading[0]:
            # Plain rows: by primary key alone, without the list's filters (already applied to the ids; on
            # PostgreSQL, planned and run again, they cost more than the page's rows).
            source = queryset.model._default_manager.order_by()
        by_id = {row.pk: row for row in source.select_related(*related).filter(pk__in=ids)}
    else:
        by_id = fetch(ids)
    rows = [by_id[k[0]] for k in found if k[0] in by_id]
    next_cursor = json.dumps([_encode(v) for v in found[-1][1:]]) if order and found else ""
    # Every row of the list is on this page: it is its count (no second query that reads them again).
    whole = len(found) if start and not has_next else None
    return SeekPage(
        rows,
        number,
        has_next,
        next_cursor,
        number > 1,
        _count_text(queryset if counted is None else counted, estimate, whole),
    )


def _tiered(
    tiers: list[QuerySet[Any]], order: list[str], names: list[str], cursor: str, per_page: int, number: int
) -> tuple[list[Any], int, bool]:
    """Up to per_page + 1 key rows, (pk, rank, *sort keys), from the tiers in turn, after `cursor`; the page
    number; whether the rows begin at the first tier's first row."""
    rank, values = 0, None
    if cursor:
        try:
            raw = json.loads(cursor)
            rank = int(raw[0])
            values = [_decode(v, tiers[0].model, o) for v, o in zip(raw[1:], order, strict=True)]
            if not 0 <= rank < len(tiers):
                raise ValueError(rank)
        except (ValueError, TypeError, IndexError, KeyError):  # a damaged cursor: the first page
            rank, values, number = 0, None, 1
    found: list[Any] = []
    for tier in range(rank, len(tiers)):
        keys = tiers[tier].values_list("pk", *names)
        if tier == rank and values is not None:
            keys = keys.filter(after_q(order, values))
        found += [(row[0], tier, *row[1:]) for row in keys[: per_page + 1 - len(found)]]
        if len(found) > per_page:
            break
    return found, number, rank == 0 and values is None


def _value(row: Any, spec: str) -> Any:
    return getattr(row, _field(spec)[0])


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


def _count_text(queryset: QuerySet[Any], estimate: int | None, whole: int | None = None) -> str:
    """The count line; `whole`: the list's every row was read (a last first page), this many."""
    if estimate and estimate > 2 * COUNT_CAP:  # clearly beyond the cap: no counting at all
        return f"约 {estimate:,} 条"
    if whole is not None and whole <= COUNT_CAP:
        return f"共 {whole} 条"
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()  # ids only: no annotations
    if counted <= COUNT_CAP:
        return f"共 {counted} 条"
    if estimate and estimate > COUNT_CAP:
        return f"约 {estimate:,} 条"
    return f"{COUNT_CAP:,} 条以上"
