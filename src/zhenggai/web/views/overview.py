"""巡察办's overview: every unit in scope in one table, from the stored figures (never counting measures)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import Count, F, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhenggai.ledger.models import InspectionTally, Round
from zhenggai.ledger.querysets import path_q, scope_paths
from zhenggai.ledger.security_audit import download_event
from zhenggai.supervision.models import DailySnapshot, SnapshotBasis
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
# Light counts come from the latest 每日快照, not from the stored tallies.
LIGHTS = ("red", "yellow")
_SUMS = (
    "problems",
    "details",
    "measures",
    "done",
    "done_late",
    "ongoing",
    "overdue",
    "regulations_new",
    "regulations_revised",
)


def _tallies(request: HttpRequest) -> QuerySet[InspectionTally]:
    paths = scope_paths(request.user)
    tallies = (
        InspectionTally.objects.all()
        if paths is None
        else InspectionTally.objects.filter(path_q("unit__path", paths))
    )
    round_id = request.GET.get("round", "")
    if round_id.isdigit():
        tallies = tallies.filter(round_id=int(round_id))
    query = request.GET.get("q", "").strip()
    if query:
        tallies = tallies.filter(Q(unit__name__icontains=query) | Q(unit__short_name__icontains=query))
    return tallies


def _rate() -> Any:
    return Coalesce(
        Cast(F("done"), FloatField()) * 100.0 / NullIf(Cast(F("measures"), FloatField()), 0.0), Value(0.0)
    )


def latest_snapshot_day() -> dt.date | None:
    day: dt.date | None = DailySnapshot.objects.filter(basis=SnapshotBasis.UNIT).aggregate(day=Max("day"))[
        "day"
    ]
    return day


def _light(name: str, day: dt.date | None) -> Any:
    if day is None:
        return Value(0)
    rows = DailySnapshot.objects.filter(basis=SnapshotBasis.UNIT, unit=OuterRef("unit"), day=day)
    return Coalesce(Subquery(rows.values(name)[:1]), Value(0))


def unit_rows(request: HttpRequest, *, lights: bool = False) -> QuerySet[Any]:
    """One row per unit: the sums of its inspections' stored figures, sorted as asked. The light counts of
    the latest sweep are annotated when asked for or sorted by (a lookup per unit); a page gets them with
    `attach_lights` instead, in one query."""
    sort = request.GET.get("sort", "unit__name")
    if sort.lstrip("-") not in SORTABLE:
        sort = "unit__name"
    rows = (
        _tallies(request)
        .values("unit", "unit__name")
        .annotate(inspections=Count("pk"), **{name: Sum(name) for name in _SUMS})
        .annotate(rate=_rate())
    )
    if lights or sort.lstrip("-") in LIGHTS:
        day = latest_snapshot_day()
        rows = rows.annotate(**{name: _light(name, day) for name in LIGHTS})
    return rows.order_by(sort, "unit")


def attach_lights(rows: list[dict[str, Any]]) -> None:
    """Give each row its unit's red and yellow counts on the latest sweep (0 before any)."""
    if rows and "red" in rows[0]:
        return
    day = latest_snapshot_day()
    if day is None:
        for row in rows:
            row.update(dict.fromkeys(LIGHTS, 0))
        return
    found = {
        row["unit"]: row
        for row in DailySnapshot.objects.filter(
            basis=SnapshotBasis.UNIT, day=day, unit__in=[row["unit"] for row in rows]
        ).values("unit", *LIGHTS)
    }
    for row in rows:
        for name in LIGHTS:
            row[name] = found.get(row["unit"], {}).get(name, 0)


def overview(request: HttpRequest) -> HttpResponse:
    require_roles(request, MANAGERS, "整改总览供单位领导和巡察办使用。")
    totals = _tallies(request).aggregate(units=Count("unit", distinct=True), **{n: Sum(n) for n in _SUMS})
    page = paginate(request, unit_rows(request), count=totals["units"])
    page.object_list = list(page.object_list)
    attach_lights(page.object_list)
    measures = totals["measures"] or 0
    totals["rate"] = round((totals["done"] or 0) * 100 / measures, 1) if measures else 0.0
    rounds = Round.objects.filter(pk__in=_tallies(request).values("round_id")).order_by("-year", "name")
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
    for row in unit_rows(request, lights=True).iterator(chunk_size=2000):
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
