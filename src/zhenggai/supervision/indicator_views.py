"""指标 pages: a unit's indicators for a year (list, add, edit, retire, report an actual).

Unit leaders and the owning department write; supervisors above the unit and others in scope read. The
services check the permission again on every call."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.querysets import path_q, scope_paths
from zhenggai.sheets.read import MAX_BYTES
from zhenggai.supervision.execution import import_execution
from zhenggai.supervision.execution_export import export_execution
from zhenggai.supervision.execution_sheet import FIELDS, ExecutionImportError, letter
from zhenggai.supervision.forms import (
    ExecutionUploadForm,
    IndicatorActualForm,
    IndicatorForm,
    IssueIndicatorNoticesForm,
    RetireIndicatorForm,
)
from zhenggai.supervision.indicators import (
    add_indicator,
    can_add,
    can_import,
    can_write,
    colour_for,
    edit_indicator,
    own_departments,
    record_indicator_actual,
    retire_indicator,
    schedule,
)
from zhenggai.supervision.models import Indicator, IndicatorActual, IndicatorNotice
from zhenggai.supervision.services import warnings_sent
from zhenggai.supervision.warning_notices import issue_indicator_notices
from zhenggai.supervision.warning_notices import notice_docx as render_notice_docx
from zhenggai.untrusted.staging import StagedUploads
from zhenggai.web.forms import attach_error

MAX_UNITS = 500  # units offered in the picker; a supervisor over more picks by the address (?unit=)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def unit_choices(user: User) -> list[Unit]:
    """Units (not departments) whose indicators the user may see: in scope, or above a department of theirs."""
    paths = scope_paths(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT)
    if paths is not None:
        parents = Membership.objects.filter(user=user, unit__kind=UnitKind.DEPARTMENT).values("unit__parent")
        units = units.filter(path_q("path", paths) | Q(pk__in=parents))
    return list(units.order_by("path")[:MAX_UNITS])


@dataclass
class Row:
    indicator: Indicator
    latest: IndicatorActual | None
    rate: Decimal
    colour: str
    gap: Decimal
    writable: bool


def rows_for(user: User, unit: Unit, year: int, on: dt.date) -> list[Row]:
    """The unit's indicators of the year with the latest actual on or before `on`, rate, colour and gap
    (rate − 序时进度, in percentage points); red first, then yellow (lowest rate first), green, retired."""
    indicators = (
        Indicator.objects.visible_to(user)
        .filter(unit=unit, year=year)
        .select_related("department", "unit", "measure")
        .prefetch_related(
            Prefetch(
                "actuals",
                IndicatorActual.objects.filter(on_date__lte=on).order_by("-on_date"),
                to_attr="recent",
            )
        )
        .order_by("retired_at", "name", "pk")
    )
    line = schedule(on, year)
    # can_write for every row in two queries: a leader of the unit writes all; staff and department leaders
    # write their departments' indicators.
    leads = has_role(user, unit, Role.LEADER)
    own: set[int] = set()
    if not leads and user.pk is not None:  # an unsaved reader (the CLI's operator) writes nothing
        own = set(
            Membership.objects.filter(
                user=user, role__in=[Role.STAFF, Role.LEADER], unit__parent=unit
            ).values_list("unit_id", flat=True)
        )
    rows = []
    for indicator in indicators:
        latest = indicator.recent[0] if indicator.recent else None  # type: ignore[attr-defined]
        value = latest.value if latest else Decimal(0)
        rate = (value * 100 / indicator.target).quantize(Decimal("0.1"))
        colour = "" if indicator.retired_at else colour_for(value, indicator.target, on, year)
        writable = leads or (indicator.department_id in own and user.is_active)
        rows.append(Row(indicator, latest, rate, colour, rate - line, writable))
    order = {"red": 0, "yellow": 1, "green": 2, "": 3}  # reddest first, retired last
    return sorted(
        rows, key=lambda r: (order[r.colour], r.rate if r.colour != "green" else 0, r.indicator.name)
    )


def _pick(request: HttpRequest, user: User) -> tuple[list[Unit], Unit | None, int]:
    units = unit_choices(user)
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
    raw_unit = request.GET.get("unit", "")
    unit = None
    if raw_unit.isdigit():
        unit = next((u for u in units if u.pk == int(raw_unit)), None)
        if unit is None:
            unit = Unit.objects.visible_to(user).exclude(kind=UnitKind.DEPARTMENT).filter(pk=raw_unit).first()
            if unit is None:
                raise Http404("单位不存在或无权查看。")
    elif units:
        led = Membership.objects.filter(user=user, role=Role.LEADER).values_list("unit_id", flat=True)
        unit = next((u for u in units if u.pk in set(led)), units[0])
    return units, unit, year


def _page(
    request: HttpRequest,
    unit: Unit | None,
    units: list[Unit],
    year: int,
    *,
    add_form: IndicatorForm | None = None,
    failed: tuple[int, IndicatorActualForm] | None = None,
    notice_form: IssueIndicatorNoticesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    on = min(today, dt.date(year, 12, 31))
    rows = rows_for(user, unit, year, on) if unit is not None else []
    counts = {c: sum(1 for r in rows if r.colour == c) for c in ("red", "yellow", "green")}
    # What the user may put on a 预警单: every red and yellow project for a leader, their departments' for staff.
    issuable = {c: sum(1 for r in rows if r.colour == c and r.writable) for c in ("red", "yellow")}
    notices = (
        list(
            IndicatorNotice.objects.filter(unit=unit, on_date__year=year)
            .select_related("department", "issued_by")
            .prefetch_related("indicators")[:50]
        )
        if unit is not None
        else []
    )
    return render(
        request,
        "supervision/indicators.html",
        {
            "units": units,
            "unit": unit,
            "year": year,
            "years": list(range(today.year - 3, today.year + 2)),
            "on": on,
            "line": schedule(on, year),
            "rows": rows,
            "counts": counts,
            "can_add": unit is not None and can_add(user, unit),
            "can_import": unit is not None and can_import(user, unit),
            "issuable": issuable,
            "add_form": add_form or (IndicatorForm(unit=unit) if unit is not None else None),
            "actual_form": IndicatorActualForm(initial={"on_date": on}),
            "notices": notices,
            "chart": chart_data(rows, year, on) if rows else None,
            "notice_form": notice_form
            or IssueIndicatorNoticesForm(initial={"reply_deadline": today + dt.timedelta(days=10)}),
            "sent": warnings_sent(unit, since=dt.date(year, 1, 1)) if unit is not None else 0,
            "failed_pk": failed[0] if failed else None,
            "failed_form": failed[1] if failed else None,
        },
        status=status,
    )


CHART_COLOURS = {"red": "#d93026", "yellow": "#e6a100", "green": "#2e9e44", "": "#adb5bd"}


def chart_data(rows: list[Row], year: int, on: dt.date) -> dict[str, Any]:
    """Each current project's rate at each month's end up to `on` (the latest actual by then; None before
    the first report), and the 序时进度 of those days: for charts.js's `execution` builder."""
    ends = []
    for month in range(1, 13):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(end, on))
        if end >= on:
            break
    actuals: dict[int, list[tuple[dt.date, Decimal]]] = {}
    current = [r for r in rows if r.indicator.retired_at is None]
    for indicator_id, on_date, value in (
        IndicatorActual.objects.filter(indicator__in=[r.indicator.pk for r in current], on_date__lte=on)
        .order_by("on_date")
        .values_list("indicator_id", "on_date", "value")
    ):
        actuals.setdefault(indicator_id, []).append((on_date, value))
    projects = []
    for r in current:
        series = actuals.get(r.indicator.pk, [])
        rates: list[float | None] = []
        for end in ends:
            latest = [value for day, value in series if day <= end]
            rates.append(
                float((latest[-1] * 100 / r.indicator.target).quantize(Decimal("0.1"))) if latest else None
            )
        projects.append({"name": r.indicator.name, "rates": rates, "color": CHART_COLOURS[r.colour]})
    return {
        "execution": {
            "months": [f"{end.month}月{end.day}日" if end == on else f"{end.month}月" for end in ends],
            "schedule": [float(schedule(end, year)) for end in ends],
            "projects": projects,
        }
    }


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units, unit, year = _pick(request, user)
    return _page(request, unit, units, year)


def _back(indicator: Indicator) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse('supervision:indicators')}?unit={indicator.unit_id}&year={indicator.year}"
        f"#indicator-{indicator.pk}"
    )


@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units, unit, year = _pick(request, user)
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    if not can_add(user, unit):
        raise PermissionDenied("新增指标由该单位的领导办理。")
    form = IndicatorForm(request.POST, unit=unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = add_indicator(
                by=user,
                name=data["name"],
                year=year,
                target=data["target"],
                unit=unit,
                measure=data["measure"],
                department=data["department"],
                unit_label=data["unit_label"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, f"已新增指标“{created.name}”。")
            return _back(created)
    return _page(request, unit, units, year, add_form=form, status=400)


def _indicator(request: HttpRequest, pk: int) -> Indicator:
    found: Indicator = get_object_or_404(
        Indicator.objects.visible_to(_user(request)).select_related("unit", "department"), pk=pk
    )
    return found


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    indicator = _indicator(request, pk)
    initial = {
        "name": indicator.name,
        "department": indicator.department_id,
        "target": indicator.target,
        "unit_label": indicator.unit_label,
    }
    status = 200
    if request.method == "POST":
        if not can_write(user, indicator):
            raise PermissionDenied("修改指标由该单位的领导或责任部门办理。")
        form = IndicatorForm(request.POST, unit=indicator.unit, initial=initial, with_measure=False)
        if form.is_valid():
            data = form.cleaned_data
            try:
                edit_indicator(
                    by=user,
                    indicator=indicator,
                    name=data["name"],
                    department=data["department"],
                    target=data["target"],
                    unit_label=data["unit_label"],
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "指标已保存。")
                return _back(indicator)
        status = 400
    else:
        form = IndicatorForm(unit=indicator.unit, initial=initial, with_measure=False)
    return render(
        request,
        "supervision/indicator_edit.html",
        {
            "indicator": indicator,
            "form": form,
            "retire_form": RetireIndicatorForm(),
            "writable": can_write(user, indicator),
        },
        status=status,
    )


@login_required
@require_POST
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    indicator = _indicator(request, pk)
    if not can_write(user, indicator):
        raise PermissionDenied("停用指标由该单位的领导或责任部门办理。")
    form = RetireIndicatorForm(request.POST)
    if form.is_valid():
        try:
            retire_indicator(by=user, indicator=indicator, reason=form.cleaned_data["reason"])
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, f"指标“{indicator.name}”已停用。")
            return _back(indicator)
    return render(
        request,
        "supervision/indicator_edit.html",
        {
            "indicator": indicator,
            "form": IndicatorForm(unit=indicator.unit, with_measure=False),
            "retire_form": form,
            "writable": can_write(user, indicator),
        },
        status=400,
    )


@login_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report an actual value for a date; the same date again corrects it (audited by the service)."""
    user = _user(request)
    indicator = _indicator(request, pk)
    if not can_write(user, indicator):
        raise PermissionDenied("实际值由该单位的领导或责任部门报送。")
    form = IndicatorActualForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        existed = indicator.actuals.filter(on_date=data["on_date"]).exists()
        try:
            record_indicator_actual(
                by=user, indicator=indicator, on_date=data["on_date"], value=data["value"]
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(
                request,
                f"已{'更正' if existed else '报送'}“{indicator.name}”{data['on_date']:%Y年%m月%d日}的实际值。",
            )
            return _back(indicator)
    units = unit_choices(user)
    return _page(request, indicator.unit, units, indicator.year, failed=(indicator.pk, form), status=400)


@login_required
@require_POST
def issue_notices(request: HttpRequest) -> HttpResponse:
    """Issue the 预警单 of today (or the year's last day) for the unit's red and yellow indicators."""
    user = _user(request)
    units, unit, year = _pick(request, user)
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    if not can_import(user, unit):
        raise PermissionDenied("预警单由该单位的领导或项目的责任部门发出。")
    form = IssueIndicatorNoticesForm(request.POST)
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    if form.is_valid():
        try:
            issued = issue_indicator_notices(
                by=user,
                unit=unit,
                on_date=on,
                reply_deadline=form.cleaned_data["reply_deadline"],
                per=form.cleaned_data["per"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, f"已发出预警单{len(issued)}份，已通知责任部门。")
            return HttpResponseRedirect(
                f"{reverse('supervision:indicators')}?unit={unit.pk}&year={year}#indicator-notices"
            )
    return _page(request, unit, units, year, notice_form=form, status=400)


@login_required
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    notice = get_object_or_404(
        IndicatorNotice.objects.filter(
            Q(unit__in=Unit.objects.visible_to(user)) | Q(department__in=Unit.objects.visible_to(user))
        ).select_related("unit", "department"),
        pk=pk,
    )
    response = HttpResponse(
        render_notice_docx(notice),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"预算项目执行率预警单{notice.number}.docx"
    )
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _units, unit, year = _pick(request, user)
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    rows = rows_for(user, unit, year, on)
    data = export_execution(
        [
            (
                r.indicator.name,
                r.indicator.department.name if r.indicator.department else "",
                r.indicator.target,
                r.latest.value if r.latest else None,
                r.rate,
                r.colour,
                r.gap,
            )
            for r in rows
        ],
        title=f"{unit.display_name}{year}年预算项目执行情况表",
        on=on,
        line=schedule(on, year),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{unit.display_name}{year}年执行情况表.xlsx"
    )
    return response


STAGED = StagedUploads("execution")
OVERRIDES = (
    "header_row",
    "project",
    "department",
    "budget",
    "executed",
    "rate",
    "budget_unit",
    "executed_unit",
)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → preview (the mapped columns as written, the rows with their colours; the mapping can be
    changed by column letters) → confirm. The file waits in StagedUploads between the two steps."""
    user = _user(request)
    _units, unit, year = _pick(request, user)
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    if not can_import(user, unit):
        raise PermissionDenied("导入项目执行情况表由该单位的领导或项目的责任部门办理。")
    leader = can_add(user, unit)
    departments = (
        list(Unit.objects.filter(parent=unit, kind=UnitKind.DEPARTMENT).order_by("name"))
        if leader
        else own_departments(user, unit)
    )
    context: dict[str, Any] = {"unit": unit, "year": year, "today": timezone.localdate()}
    if request.method != "POST":
        form = ExecutionUploadForm(
            initial={"on_date": min(timezone.localdate(), dt.date(year, 12, 31))},
            departments=departments,
            leader=leader,
        )
        # The first step needs a file (only the confirming post goes without, naming the staged one): no 选填.
        form.fields["file"].required = True
        context["form"] = form
        return render(request, "supervision/indicators_import.html", context)
    form = ExecutionUploadForm(request.POST, request.FILES, departments=departments, leader=leader)
    context["form"] = form
    if not form.is_valid():
        return render(request, "supervision/indicators_import.html", context, status=400)
    data = form.cleaned_data
    sha = request.POST.get("staged", "")
    if data["file"] is not None:
        raw = data["file"].read(MAX_BYTES + 1)
        sha = STAGED.store(user.pk, raw)
        name = data["file"].name
    else:
        name = request.POST.get("name", "执行情况表.xlsx")
    staged = STAGED.load(user.pk, sha) if sha else None
    if staged is None:
        form.add_error("file", "请选择要导入的项目执行情况表（.xlsx）。")
        return render(request, "supervision/indicators_import.html", context, status=400)
    override = {key: request.POST[key] for key in OVERRIDES if request.POST.get(key, "").strip()}
    confirm = "confirm" in request.POST
    try:
        result = import_execution(
            BytesIO(staged),
            unit=unit,
            by=user,
            on_date=data["on_date"],
            dry_run=not confirm,
            name=name,
            override=override or None,
            department=data["owner"],
        )
    except ExecutionImportError as error:
        STAGED.discard(user.pk, sha)
        form.add_error("file", error.message)
        return render(request, "supervision/indicators_import.html", context, status=400)
    except DomainError as error:
        attach_error(form, error)
        return render(request, "supervision/indicators_import.html", context, status=400)
    if confirm and result.ok:
        STAGED.discard(user.pk, sha)
        counts = result.counts()
        messages.success(
            request,
            f"已导入{len(result.rows)}个项目：新增指标{result.created}个，报送实际值{result.reported}个；"
            f"红色{counts['red']}个、黄色{counts['yellow']}个。",
        )
        return HttpResponseRedirect(
            f"{reverse('supervision:indicators')}?unit={unit.pk}&year={data['on_date'].year}"
        )
    context |= {
        "result": result,
        "staged": sha,
        "name": name,
        "override": override,
        "letters": [letter(i) for i in range(26)],
        "mapped": {
            key: letter(col) for key, col in (result.mapping.columns.items() if result.mapping else [])
        },
        "fields": FIELDS,
    }
    return render(request, "supervision/indicators_import.html", context, status=200 if result.ok else 400)
