"""指标 pages: a unit's indicators for a year (list, add, edit, retire, report an actual).

Unit leaders and the owning department write; supervisors above the unit and others in scope read. The
services check the permission again on every call.

The import of a 项目执行情况表 (upload, preview, confirm) is in indicator_import_views; the tables the pages
show are computed in indicator_rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Membership, Unit
from zhenggai.supervision.execution_export import export_execution
from zhenggai.supervision.forms import (
    IndicatorActualForm,
    IndicatorForm,
    IssueIndicatorNoticesForm,
    RetireIndicatorForm,
)
from zhenggai.supervision.indicator_rows import chart_data, rows_for, unit_choices
from zhenggai.supervision.indicators import (
    add_indicator,
    can_add,
    can_import,
    can_write,
    edit_indicator,
    record_indicator_actual,
    retire_indicator,
    schedule,
)
from zhenggai.supervision.models import Indicator, IndicatorNotice
from zhenggai.supervision.services import warnings_sent
from zhenggai.supervision.warning_notices import issue_indicator_notices
from zhenggai.supervision.warning_notices import notice_docx as render_notice_docx
from zhenggai.web.forms import attach_error


def request_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def pick_unit(request: HttpRequest, user: User) -> tuple[list[Unit], Unit | None, int]:
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


def chosen_unit(
    request: HttpRequest,
    user: User,
    allowed: Callable[[User, Unit], bool] | None = None,
    refusal: str = "",
) -> tuple[list[Unit], Unit, int]:
    """The unit and year the address names, for a page that needs one: 404 when there is none the user may
    see; with `allowed`, refused (`refusal`) unless it allows the user in that unit."""
    units, unit, year = pick_unit(request, user)
    if unit is None:
        raise Http404("单位不存在或无权查看。")
    if allowed is not None and not allowed(user, unit):
        raise PermissionDenied(refusal)
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
    user = request_user(request)
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


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units, unit, year = pick_unit(request, user)
    return _page(request, unit, units, year)


def _back(indicator: Indicator) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse('supervision:indicators')}?unit={indicator.unit_id}&year={indicator.year}"
        f"#indicator-{indicator.pk}"
    )


@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units, unit, year = chosen_unit(request, user, can_add, "新增指标由该单位的领导办理。")
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
        Indicator.objects.visible_to(request_user(request)).select_related("unit", "department"), pk=pk
    )
    return found


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
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
    user = request_user(request)
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
    user = request_user(request)
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
    user = request_user(request)
    units, unit, year = chosen_unit(request, user, can_import, "预警单由该单位的领导或项目的责任部门发出。")
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
    user = request_user(request)
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
    user = request_user(request)
    _units, unit, year = chosen_unit(request, user)
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
