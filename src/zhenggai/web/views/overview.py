"""巡察办's overview: every unit in scope in one table, from the stored figures (never counting measures).

Each row is a stored UnitTally (ledger.tally keeps it with the inspections' tallies, in the same transaction, so
the figures are as live as the tallies; the red and yellow counts are the latest sweep's, as before): a page
reads 50 rows along the index of its sort, the totals sum the rows of the scope, never grouping the tallies."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhenggai.ledger.models import Round, UnitTally
from zhenggai.ledger.models.tally import ALL_ROUNDS
from zhenggai.ledger.querysets import path_q, scope_is_whole, scope_paths
from zhenggai.ledger.security_audit import download_event
from zhenggai.ledger.tally import UNIT_SUMS
from zhenggai.web.views.common import MANAGERS, paginate, require_roles

COLUMNS = [
    ("unit__name", "单位"),
    ("inspections", "巡察次数"),
    ("problems", "反馈问题"),
    ("measures", "整改措施"),
    ("done", "已完成"),
    ("done_late", "逾期完成"),
    ("ongoing", "推进中"),
    ("overdue", "已逾期"),
    ("red", "红灯"),
    ("yellow", "黄灯"),
    ("rate", "完成率"),
]
SORTABLE = {name for name, _ in COLUMNS}
_FIELDS = ("unit_id", "name", "inspections", *UNIT_SUMS, "rate", "red", "yellow")


TOTALS = ("measures", "done", "done_late", "overdue")  # the figures above the table (in `ledger_ut_scope`)


def _scoped(request: HttpRequest) -> QuerySet[UnitTally]:
    """The stored overview rows of the units in the user's scope whose name matches the search, all round keys."""
    paths = scope_paths(request.user)
    # every unit: no path condition, so that a page reads its sort's index (with one, the planner reads the
    # scope's range of `ledger_ut_scope` and sorts it: 5,000 rows for the province)
    whole = scope_is_whole(request.user)
    rows = UnitTally.objects.all() if whole else UnitTally.objects.filter(path_q("path", paths or []))
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(unit__short_name__icontains=query))
    return rows


def _round_key(request: HttpRequest) -> int | None:
    round_id = request.GET.get("round", "")
    if not round_id.isdigit():
        return None
    return int(round_id) if len(round_id) < 19 else -1  # beyond any id: no rows (not a database error)


def _rows(request: HttpRequest) -> QuerySet[UnitTally]:
    """One row per unit, over the round asked for (or all rounds)."""
    key = _round_key(request)
    return _scoped(request).filter(round_key=ALL_ROUNDS if key is None else key)


def as_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row under the names the template and the export read (`unit`, `unit__name`)."""
    row["unit"] = row.pop("unit_id")
    row["unit__name"] = row.pop("name")
    return row


def unit_rows(request: HttpRequest) -> QuerySet[Any]:
    """One row per unit (stored in UnitTally: the sums of its inspections' tallies and the latest sweep's lights),
    sorted as asked, then by the unit's path (the units' order): each sort, either way, is an index of UnitTally.
    Pass the rows through `as_row`."""
    sort = request.GET.get("sort", "unit__name")
    if sort.lstrip("-") not in SORTABLE:
        sort = "unit__name"
    sort = sort.replace("unit__name", "name")
    rows: QuerySet[Any] = _rows(request).values(*_FIELDS).order_by(sort, "path")
    return rows


def overview(request: HttpRequest) -> HttpResponse:
    require_roles(request, MANAGERS, "整改总览供单位领导和巡察办使用。")
    # COUNT(*), not COUNT(id): the totals then read `ledger_ut_scope` alone (an index-only scan, 0.9 ms instead
    # of 2 ms over a province's 5,000 rows on PostgreSQL).
    totals = _rows(request).aggregate(units=Count("*"), **{n: Sum(n) for n in TOTALS})
    page = paginate(request, unit_rows(request), count=totals["units"])
    page.object_list = [as_row(row) for row in page.object_list]
    measures = totals["measures"] or 0
    totals["rate"] = round((totals["done"] or 0) * 100 / measures, 1) if measures else 0.0
    # the rounds with a row in scope: a probe of `ledger_ut_scope` per round (a handful), not every unit's rows
    key = _round_key(request)
    rounds = Round.objects.filter(Exists(_scoped(request).filter(round_key=OuterRef("pk")))).order_by(
        "-year", "name"
    )
    if key is not None:
        rounds = rounds.filter(pk=key)
    return render(
        request,
        "web/overview.html",
        {
            "page": page,
            "totals": totals,
            "columns": COLUMNS,
            "rounds": rounds,
            "round": request.GET.get("round", ""),
            "q": request.GET.get("q", ""),
            "query_string": request.GET.urlencode(),
        },
    )


def export(request: HttpRequest) -> HttpResponse:
    """The overview table as .xlsx, every row (not only the page shown).

    Unit names are written as text cells even when they begin with = + - @ (openpyxl would otherwise store
    a formula); the sheet prints on A4 landscape, one page wide, the header repeated on every page.
    """
    require_roles(request, MANAGERS, "整改总览供单位领导和巡察办使用。")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "整改总览"
    headers = [label for _, label in COLUMNS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in map(as_row, unit_rows(request).iterator(chunk_size=2000)):
        sheet.append([row[name] if name != "rate" else round(row["rate"], 1) for name, _ in COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 36
    for index in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%80%BB%E8%A7%88.xlsx"
    download_event(request, "download_overview", None, None, "整改总览.xlsx")
    return response
