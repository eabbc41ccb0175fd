"""指标: set a target for a unit or a measure, report dated actuals; the sweep colours them."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import Inspection, Measure, Unit
from zhenggai.ledger.permissions import can_manage, has_role, require_manager
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.validation import clean_text, optional_text
from zhenggai.supervision.models import Indicator, IndicatorActual
from zhenggai.supervision.rules import year_share

_FIELDS = ("name", "unit_id", "department_id", "inspection_id", "measure_id", "year", "target", "unit_label")


def _decimal(value: object, label: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (decimal.InvalidOperation, ValueError):
        raise InvalidInput(f"{label}应为数字。", field) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
        raise InvalidInput(f"{label}超出范围。", field)
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def add_indicator(
    *,
    by: User,
    name: str,
    year: int,
    target: Decimal | int | str,
    unit: Unit | None = None,
    measure: Measure | None = None,
    inspection: Inspection | None = None,
    department: Unit | None = None,
    unit_label: str = "",
) -> Indicator:
    """An indicator of a unit (optionally for one inspection's rectification) or of one measure."""
    if measure is not None:
        measure = Measure.objects.select_related("inspection__inspected_unit", "lead_department").get(
            pk=measure.pk
        )
        unit, inspection = measure.inspection.inspected_unit, measure.inspection
        department = department or measure.lead_department
    if unit is None:
        raise InvalidInput("请指定指标所属的单位或整改措施。", "unit")
    if inspection is not None and inspection.inspected_unit_id != unit.pk:
        raise InvalidInput("所选巡察的被巡察单位不是该单位。", "inspection")
    if department is not None and not department.path.startswith(unit.path):
        raise InvalidInput(f"责任部门“{department.display_name}”不属于{unit.display_name}。", "department")
    if not (department is not None and has_role(by, department, Role.STAFF, Role.LEADER)):
        # The unit's leaders and supervisors set any indicator; a department's staff their department's own.
        require_manager(by, unit, "设置指标")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("年度应为2000到2100之间的整数。", "year")
    amount = _decimal(target, "目标值", "target")
    if amount <= 0:
        raise InvalidInput("目标值应大于0。", "target")
    indicator = Indicator.objects.create(
        name=clean_text(name, "指标名称", "name", max_length=200),
        unit=unit,
        department=department,
        inspection=inspection,
        measure=measure,
        year=year,
        target=amount,
        unit_label=optional_text(unit_label, "计量单位", "unit_label", max_length=20),
    )
    record(actor=by, action="add_indicator", obj=indicator, unit=unit, after=snapshot(indicator, _FIELDS))
    return indicator


def can_report(user: User, indicator: Indicator) -> bool:
    if can_manage(user, indicator.unit):
        return True
    department = indicator.department
    return department is not None and has_role(user, department, Role.STAFF, Role.LEADER)


def can_write(user: User, indicator: Indicator) -> bool:
    """Who keeps an indicator (edit, retire, report on the page): the unit's leaders and the department that
    owns the figure. Supervisors above the unit read it."""
    if has_role(user, indicator.unit, Role.LEADER):
        return True
    department = indicator.department
    return department is not None and has_role(user, department, Role.STAFF, Role.LEADER)


def can_add(user: User, unit: Unit) -> bool:
    """A unit's leaders add its indicators on the page."""
    return has_role(user, unit, Role.LEADER)


def own_departments(user: User, unit: Unit) -> list[Unit]:
    """The unit's departments where the user is staff or a department leader: the figures they own."""
    if not user.is_active:
        return []
    return list(
        Unit.objects.filter(
            parent=unit,
            kind=UnitKind.DEPARTMENT,
            memberships__user=user,
            memberships__role__in=[Role.STAFF, Role.LEADER],
        )
        .distinct()
        .order_by("name")
    )


def can_import(user: User, unit: Unit) -> bool:
    """Who imports the 项目执行情况表 and issues 预警单: the unit's leaders (every project) and the staff of a
    department that owns figures (their department's projects)."""
    return can_add(user, unit) or bool(own_departments(user, unit))


def _locked(indicator: Indicator) -> Indicator:
    return (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("unit", "department")
        .get(pk=indicator.pk)
    )


_EDITABLE = ("name", "department", "target", "unit_label")


@transaction.atomic
def edit_indicator(
    *,
    by: User,
    indicator: Indicator,
    name: str | None = None,
    department: Unit | object | None = ...,
    target: Decimal | int | str | None = None,
    unit_label: str | None = None,
) -> Indicator:
    """Change an indicator's name, owner department, target or unit label (audited, before → after).
    `department=None` clears it; leave it out to keep it."""
    indicator = _locked(indicator)
    if not can_write(by, indicator):
        raise NotPermitted(f"您不是指标“{indicator.name}”所属单位的领导或责任部门人员，不能修改。")
    if indicator.retired_at is not None:
        raise InvalidInput(f"指标“{indicator.name}”已停用，不能修改。", "name")
    before = snapshot(indicator, _FIELDS)
    if name is not None:
        indicator.name = clean_text(name, "指标名称", "name", max_length=200)
    if department is not ...:
        if department is not None:
            assert isinstance(department, Unit)
            if not department.path.startswith(indicator.unit.path):
                raise InvalidInput(
                    f"责任部门“{department.display_name}”不属于{indicator.unit.display_name}。", "department"
                )
        indicator.department = department
    if target is not None:
        amount = _decimal(target, "目标值", "target")
        if amount <= 0:
            raise InvalidInput("目标值应大于0。", "target")
        indicator.target = amount
    if unit_label is not None:
        indicator.unit_label = optional_text(unit_label, "计量单位", "unit_label", max_length=20)
    after = snapshot(indicator, _FIELDS)
    if after == before:
        return indicator
    indicator.save()
    record(actor=by, action="edit_indicator", obj=indicator, unit=indicator.unit, before=before, after=after)
    return indicator


@transaction.atomic
def retire_indicator(*, by: User, indicator: Indicator, reason: str) -> Indicator:
    """Stop an indicator (a project cancelled, entered twice): no more warnings or reports; its actuals and
    warnings stay for the record."""
    indicator = _locked(indicator)
    if not can_write(by, indicator):
        raise NotPermitted(f"您不是指标“{indicator.name}”所属单位的领导或责任部门人员，不能停用。")
    if indicator.retired_at is not None:
        raise InvalidInput(f"指标“{indicator.name}”已停用。", "reason")
    reason = clean_text(reason, "停用理由", "reason", max_length=500)
    indicator.retired_at = timezone.now()
    indicator.save(update_fields=["retired_at"])
    record(
        actor=by,
        action="retire_indicator",
        obj=indicator,
        unit=indicator.unit,
        before={"retired_at": None},
        after={"retired_at": indicator.retired_at},
        note=reason,
    )
    return indicator


@transaction.atomic
def record_indicator_actual(
    *, by: User, indicator: Indicator, on_date: dt.date, value: Decimal | int | str
) -> IndicatorActual:
    """Report the actual value on a date; a second report for the same date corrects the first (audited)."""
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("unit", "department")
        .get(pk=indicator.pk)
    )
    if not can_report(by, indicator):
        raise NotPermitted(f"您不是指标“{indicator.name}”的责任单位或部门人员，不能报送实际值。")
    if indicator.retired_at is not None:
        raise InvalidInput(f"指标“{indicator.name}”已停用，不再报送实际值。", "value")
    if not isinstance(on_date, dt.date):
        raise InvalidInput("请填写日期。", "on_date")
    if on_date.year != indicator.year:
        raise InvalidInput(f"日期应在{indicator.year}年内。", "on_date")
    if on_date > timezone.localdate():
        raise InvalidInput("日期不能晚于今天。", "on_date")
    amount = _decimal(value, "实际值", "value")
    if amount < 0:
        raise InvalidInput("实际值不能为负数。", "value")
    existing = IndicatorActual.objects.filter(indicator=indicator, on_date=on_date).first()
    before = {"on_date": on_date, "value": existing.value} if existing else None
    if existing:
        existing.value, existing.recorded_by = amount, by
        existing.save(update_fields=["value", "recorded_by"])
        actual = existing
    else:
        actual = IndicatorActual.objects.create(
            indicator=indicator, on_date=on_date, value=amount, recorded_by=by
        )
    record(
        actor=by,
        action="record_indicator_actual",
        obj=indicator,
        unit=indicator.unit,
        before=before,
        after={"on_date": on_date, "value": amount, "rate": float(rate(indicator, on_date))},
    )
    return actual


def rate(indicator: Indicator, on: dt.date | None = None) -> Decimal:
    """Execution rate in percent: the latest actual on or before `on` ÷ target × 100."""
    on = on or timezone.localdate()
    latest = (
        indicator.actuals.filter(on_date__lte=on).order_by("-on_date").values_list("value", flat=True).first()
    )
    return ((latest or Decimal(0)) * 100 / indicator.target).quantize(Decimal("0.1"))


def schedule(on: dt.date, year: int) -> Decimal:
    """The year's 序时进度 in percent on a day."""
    share = year_share(on, year)
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(Decimal("0.1"))


def colour_for(actual: Decimal | None, target: Decimal, on: dt.date, year: int) -> str:
    """The sweep's rule in Python, for a page or a file: red below the red share of the target, yellow behind
    the year's 序时进度 on `on`, else green."""
    from zhenggai.supervision.choices import Colour
    from zhenggai.supervision.rules import rules

    executed = (actual or Decimal(0)) / target
    if executed < Decimal(str(rules().indicator_red_below)) / 100:
        return Colour.RED.value
    share = year_share(on, year)
    if executed * share.denominator < share.numerator:
        return Colour.YELLOW.value
    return Colour.GREEN.value
