"""我的整改任务 / 全部整改措施: the measures a user works on (or, for supervisors and leaders, every measure they
may see), most urgent first, filterable and sortable, a page at a time (keyset pages: page 100 costs page 1)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, without its check for lazy strings per value
from typing import Any, NamedTuple, cast

from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from zhenggai.ledger.choices import MeasureStatus, Role
from zhenggai.ledger.models import InspectionTally, Measure
from zhenggai.ledger.querysets import path_q, role_paths, scope_is_whole, scope_is_wide
from zhenggai.supervision.rules import MeasureFlags
from zhenggai.supervision.snapshots import warning_counts
from zhenggai.web import search
from zhenggai.web.filters import SCOPES, SHOW, TaskFilter, due_text
from zhenggai.web.lights import Light, light_of, with_lights
from zhenggai.web.seek import seek_page
from zhenggai.web.templatetags.zg import light_dot
from zhenggai.web.views.common import PAGE_SIZE

FILTERS = SHOW  # the 范围 choices, as the template names them


def tallies_for(user: Any) -> QuerySet[InspectionTally]:
    """The stored tallies of the inspections under the units of the user's roles. A user whose roles cover
    every root of the unit tree (the province) reads them all, without the join on the units' paths (0.6 ms
    instead of 3.6 ms CPU over 5,000 inspections)."""
    paths = role_paths(user)
    tallies = InspectionTally.objects.all()
    return tallies if paths is None or scope_is_whole(user) else tallies.filter(path_q("unit__path", paths))


def _estimate(request: HttpRequest, show: str, unit_path: str | None = None) -> int | None:
    """About how many measures the list holds, unfiltered or filtered to one unit's subtree (`unit_path`), from
    the stored tallies of the inspected units (no scan of the measures). The subtree's measures led by its
    departments for inspections elsewhere are not in its tallies: a low estimate, shown as 约 N 条 only when
    well beyond the exact count's cap."""
    tallies = tallies_for(request.user)
    if unit_path is not None:  # the unit choices lie in the user's scope
        tallies = tallies.filter(unit__path__prefix=unit_path)
    row = tallies.aggregate(measures=Sum("measures"), done=Sum("done"))
    total, closed = row["measures"] or 0, (row["done"] or 0)
    return {"all": total, "closed": closed, "open": total - closed}.get(show)


_ID = 2_147_483_647  # a stand-in id: the measure URL is reversed once a page, not twice a row
STATUS_LABELS = {str(value): str(label) for value, label in MeasureStatus.choices}


def truncate(text: str, length: int) -> str:
    """The template's truncatechars: a text that fits is returned as Truncator returns it (NFC), without its
    walk over every character."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


class _Titled(NamedTuple):
    title: str


class _Named(NamedTuple):
    name: str


@dataclass(slots=True)
class Listed:
    """The columns of one listed measure that the row shows (read as values by primary key: no model instances
    of the measure, its inspection, unit, finding and department, 250 a page), with the names the row code, the
    light (`light_of`), the due text (`due_text`) and the search places (`search.places`) read from a Measure."""

    pk: int
    code: str
    text: str
    kind: str
    status: str
    deadline: dt.date | None
    completed_date: dt.date | None
    progress: int
    responsible_person: str
    light_flags: int | None
    finding: _Titled
    lead_department: _Named | None
    unit: str

    @property
    def is_done_late(self) -> bool:  # Measure.is_done_late
        return (
            self.status == MeasureStatus.DONE
            and self.deadline is not None
            and self.completed_date is not None
            and self.completed_date > self.deadline
        )


_LISTED = (
    "pk",
    "code",
    "text",
    "kind",
    "status",
    "deadline",
    "completed_date",
    "progress",
    "responsible_person",
    "light_flags",
    "finding__title",
    "lead_department__name",
    "inspection__inspected_unit__short_name",
    "inspection__inspected_unit__name",
)


def listed(ids: list[int], now: dt.datetime) -> dict[int, Listed]:
    """The page's rows by id (seek_page's `fetch`): one query by primary key alone, with today's light flags
    (the list's own query chose the ids, so its filters are not repeated)."""
    found = (
        Measure.objects.filter(pk__in=ids)
        .order_by()  # the page's order is the keys' (seek_page)
        .annotate(light_flags=MeasureFlags(timezone.localdate(now), now))
        .values_list(*_LISTED)
    )
    rows: dict[int, Listed] = {}
    for (
        pk,
        code,
        text,
        kind,
        status,
        deadline,
        done,
        progress,
        person,
        flags,
        title,
        dept,
        short,
        name,
    ) in found:
        rows[pk] = Listed(
            pk,
            code,
            text,
            kind,
            status,
            deadline,
            done,
            progress,
            person,
            flags,
            _Titled(title),
            None if dept is None else _Named(dept),
            short or name,
        )
    return rows


def deadline_html(deadline: dt.date | None, kind: str, dates: dict[dt.date, str]) -> str:
    """The deadline as the lists show it, escaped; each date formatted once a page (`dates`)."""
    if not deadline:
        return "长期坚持" if kind == "long_term" else "未定"
    shown = dates.get(deadline)
    if shown is None:
        shown = dates[deadline] = escape(date_format(deadline))
    return shown


def _rows_html(measures: list[Listed], today: dt.date, q: str = "") -> list[SafeString]:
    """The table's rows, written here rather than in the template: the same HTML (escaped as the template
    escapes it) at about a fifth of the template's time for 50 rows (one variable lookup, one url tag, one
    filter call each cost more than the row's string). Kept in step with the header in tasks.html."""
    href_parts = reverse("measure", args=[_ID]).split(str(_ID))
    dots: dict[Light, str] = {}
    dates: dict[dt.date, str] = {}
    rows: list[SafeString] = []
    for m in measures:
        measure = cast(Measure, m)  # what light_of, due_text and search.places read of a Measure, Listed has
        light, due = light_of(measure), due_text(measure, today)
        dot = dots.get(light)
        if dot is None:
            dot = dots[light] = light_dot(light)
        href = escape(f"{href_parts[0]}{m.pk}{href_parts[1]}")
        # Measure.status_label, without get_status_display's dict of the choices built per call.
        label = escape("逾期完成" if m.is_done_late else STATUS_LABELS.get(m.status, m.status))
        status = escape(m.status)
        overdue = " overdue" if "逾期" in due else ""
        deadline = deadline_html(m.deadline, m.kind, dates)
        finding = m.finding.title
        # A search: the term marked in the whole text, and where else the row matched (web.search).
        text = search.highlight(m.text or "", q) if q else escape(truncate(m.text, 60))
        where = "、".join(search.places(measure, q)) if q else ""
        place = f'<div class="small muted search-place">匹配：{escape(where)}</div>' if where else ""
        unit = m.unit
        department = m.lead_department.name if m.lead_department else ""
        rows.append(
            mark_safe(  # every value below is escaped (or our own constant text)
                "<tr>\n"
                f'    <td class="d-none d-md-table-cell">{dot}'
                + (f'<div class="small due{overdue}">{escape(due)}</div>' if due else "")
                + "</td>\n"
                f'    <td class="nowrap"><span class="d-md-none">{dot}</span><a href="{href}">{escape(m.code)}</a>'
                f' <span class="badge st {status} d-md-none">{label}</span>'
                + (f' <span class="small due d-md-none{overdue}">{escape(due)}</span>' if due else "")
                + "</td>\n"
                f'    <td class="text"><a href="{href}">{text}</a>'
                f'<div class="muted small">{escape(truncate(finding, 40))}</div>{place}</td>\n'
                f'    <td data-label="责任">{escape(unit)}<span class="muted small"> {escape(department or "")}</span></td>\n'
                f'    <td class="nowrap" data-label="整改时限">{deadline}</td>\n'
                f'    <td class="num" data-label="进度">{m.progress}%</td>\n'
                f'    <td class="d-none d-md-table-cell"><span class="badge st {status}">{label}</span></td>\n'
                "  </tr>"
            )
        )
    return rows


def my_tasks(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    form = TaskFilter(request.GET, user=request.user)
    form.is_valid()
    responsible = role_paths(request.user, (Role.LEADER, Role.STAFF))
    # Supervisors and viewers are responsible for nothing: their list is every measure they may see.
    scope = form.value("scope") or ("mine" if responsible != [] else "all")
    base = (
        Measure.objects.visible_to(request.user)
        if scope == "all"
        else Measure.objects.responsible_for(request.user)
    )
    measures = form.apply(with_lights(base, now))
    show = form.value("show") or "open"
    filtered = {
        name
        for name in ("status", "colour", "dept", "dept_name", "due_from", "due_to", "q")
        if form.value(name)
    }
    # One unit's subtree (a city holds tens of thousands of measures): the count from its tallies too, not a
    # capped count that walks the list's order checking each row against the subtree.
    unit = form.units.get(form.value("unit"))
    unit_path = unit[1] if unit else None
    estimate = None if filtered or scope != "all" else _estimate(request, show, unit_path)
    if (
        scope == "all"
        and filtered == {"colour"}
        and unit is None
        and show in ("open", "all")
        and scope_is_wide(request.user)
    ):
        # One colour over a wide scope: about as many as the sweep's stored totals of what the user may see
        # (the warnings page's counts), instead of counting the first thousand rows one light at a time.
        estimate = warning_counts(request.user)[form.value("colour")]
    page = seek_page(
        request,
        measures,
        form.order,
        PAGE_SIZE,
        estimate=estimate,
        tiers=form.tiers,
        fetch=lambda ids: listed(ids, now),
        counted=form.counted,
    )
    rows = _rows_html(page.rows, today, form.value("q") or "")
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("after", None)
    next_params = params.copy()
    next_params["page"] = str(page.number + 1)
    if page.next_cursor:
        next_params["after"] = page.next_cursor
    return render(
        request,
        "web/tasks.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "show": show,
            "scope": scope,
            "title": "我的整改任务" if scope == "mine" else "全部整改措施",
            "scopes": SCOPES,
            "filters": FILTERS,
            "q": form.value("q") or "",
            "today": today,
            "query_string": params.urlencode(),
            "next_query": next_params.urlencode(),
        },
    )
