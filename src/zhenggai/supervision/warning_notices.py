"""预算项目执行率预警单: from the red and yellow indicators of a unit on a date, one notice per project or
one per owning department; each project on a notice is recorded as a Warning (what warnings_sent counts, the
"已发出预警提醒N次" of a 通报), the department's staff get an in-app message, and the notice is a .docx with a
GB/T 9704 body (仿宋_GB2312 三号, 方正小标宋简体 二号 title, 28 lines of 22 characters on A4)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt

from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.services.audit import record
from zhenggai.supervision.choices import Colour, NotificationKind, Reason
from zhenggai.supervision.digest_docx import _font, _paragraph
from zhenggai.supervision.indicators import can_add, colour_for, own_departments, schedule
from zhenggai.supervision.models import Indicator, IndicatorNotice, Warning
from zhenggai.supervision.notify import Outgoing, deliver

COLOUR_NAMES = {Colour.RED.value: "红色", Colour.YELLOW.value: "黄色"}
PER_PROJECT, PER_DEPARTMENT = "project", "department"


@dataclass
class Line:
    indicator: Indicator
    actual: Decimal
    rate: Decimal
    colour: str


def warned(unit: Unit, on: dt.date) -> list[Line]:
    """The unit's current indicators of the year that are red or yellow on `on`, reddest first."""
    lines = []
    for indicator in (
        Indicator.objects.current()
        .filter(unit=unit, year=on.year)
        .select_related("department")
        .order_by("name")
    ):
        latest = (
            indicator.actuals.filter(on_date__lte=on)
            .order_by("-on_date")
            .values_list("value", flat=True)
            .first()
        )
        actual = latest or Decimal(0)
        colour = colour_for(actual, indicator.target, on, on.year)
        if colour in COLOUR_NAMES:
            rate = (actual * 100 / indicator.target).quantize(Decimal("0.1"))
            lines.append(Line(indicator, actual, rate, colour))
    return sorted(lines, key=lambda line: (line.colour != Colour.RED.value, line.rate))


@transaction.atomic
def issue_indicator_notices(
    *, by: User, unit: Unit, on_date: dt.date, reply_deadline: dt.date, per: str = PER_PROJECT
) -> list[IndicatorNotice]:
    """Issue the 预警单 of `on_date`: one per red or yellow project, or one per owning department. The unit's
    leaders issue them for every project, a department's staff for their department's projects."""
    own: set[int] | None = None
    if not can_add(by, unit):
        own = {d.pk for d in own_departments(by, unit)}
        if not own:
            raise NotPermitted(f"预警单由{unit.display_name}的领导或项目的责任部门发出。")
    if per not in (PER_PROJECT, PER_DEPARTMENT):
        raise InvalidInput("请选择按项目或按部门发出。", "per")
    if on_date > timezone.localdate():
        raise InvalidInput("数据日期不能晚于今天。", "on_date")
    if reply_deadline < timezone.localdate():
        raise InvalidInput("回复时限不能早于今天。", "reply_deadline")
    lines = warned(unit, on_date)
    if own is not None:
        lines = [line for line in lines if line.indicator.department_id in own]
    if not lines:
        mine = "您所在部门" if own is not None else ""
        raise InvalidInput(
            f"{on_date:%Y年%m月%d日}没有{mine}红色或黄色预警的指标，无需发出预警单。", "on_date"
        )
    groups: dict[object, list[Line]] = {}
    for line in lines:
        key = line.indicator.department_id if per == PER_DEPARTMENT else line.indicator.pk
        groups.setdefault(key, []).append(line)
    now = timezone.now()
    prefix = f"{on_date:%Y%m%d}-"
    taken = IndicatorNotice.objects.filter(unit=unit, number__startswith=prefix).count()
    notices = []
    for count, group in enumerate(groups.values(), start=taken + 1):
        department = group[0].indicator.department
        notice = IndicatorNotice.objects.create(
            unit=unit,
            department=department,
            number=f"{prefix}{count:03d}",
            on_date=on_date,
            reply_deadline=reply_deadline,
            issued_by=by,
        )
        notice.indicators.set([line.indicator for line in group])
        Warning.objects.bulk_create(
            [
                Warning(
                    issued_at=now,
                    unit=unit,
                    inspection_id=line.indicator.inspection_id,
                    indicator=line.indicator,
                    department=department,
                    colour=line.colour,
                    previous=line.indicator.colour,
                    reasons=Reason.INDICATOR_LOW
                    if line.colour == Colour.RED.value
                    else Reason.INDICATOR_BEHIND,
                )
                for line in group
            ]
        )
        record(
            actor=by,
            action="issue_indicator_notice",
            obj=notice,
            unit=unit,
            after={
                "number": notice.number,
                "department": department.name if department else None,
                "indicators": [line.indicator.name for line in group],
                "on_date": on_date,
                "reply_deadline": reply_deadline,
            },
        )
        notices.append(notice)
        _tell(notice, group)
    return notices


def _tell(notice: IndicatorNotice, group: list[Line]) -> None:
    """In-app messages (and mail) to the owning department's staff and leaders; without a department, to
    the unit's leaders."""
    target = notice.department or notice.unit
    roles = [Role.STAFF, Role.LEADER] if notice.department else [Role.LEADER]
    users = sorted(
        set(
            Membership.objects.filter(unit=target, role__in=roles, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    )
    names = "、".join(
        f"{line.indicator.name}（执行率{line.rate}%，{COLOUR_NAMES[line.colour]}）" for line in group
    )
    deliver(
        [
            Outgoing(
                user_id,
                NotificationKind.WARNING,
                f"预算项目执行率预警单：{group[0].indicator.name}"
                + (f"等{len(group)}个项目" if len(group) > 1 else ""),
                f"{notice.unit.display_name}预算项目执行率预警单（{notice.number}）：截至{notice.on_date:%Y年%m月%d日}，"
                f"{names}，序时进度{schedule(notice.on_date, notice.on_date.year)}%。"
                f"请于{notice.reply_deadline:%Y年%m月%d日}前说明原因和加快执行的措施。",
                link=reverse("supervision:indicator_notice_docx", args=[notice.pk]),
            )
            for user_id in users
        ]
    )


def notice_docx(notice: IndicatorNotice) -> bytes:
    """The notice as a .docx: A4, GB/T 9704 margins (top 37 mm, bottom 35, left 28, right 26), title in
    方正小标宋简体 二号, body 仿宋_GB2312 三号, the table of projects in 宋体 五号."""
    on = notice.on_date
    line = schedule(on, on.year)
    lines = []
    for indicator in notice.indicators.select_related("department").order_by("name"):
        latest = (
            indicator.actuals.filter(on_date__lte=on)
            .order_by("-on_date")
            .values_list("value", flat=True)
            .first()
        )
        actual = latest or Decimal(0)
        rate = (actual * 100 / indicator.target).quantize(Decimal("0.1"))
        lines.append(Line(indicator, actual, rate, colour_for(actual, indicator.target, on, on.year)))
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _paragraph(doc, "预算项目执行率预警单", font="方正小标宋简体", size=22, center=True)
    _paragraph(doc, f"编号：{notice.number}", size=16, center=True)
    addressee = notice.department.name if notice.department else notice.unit.display_name
    _paragraph(doc, f"{addressee}：", size=16)
    _paragraph(
        doc,
        f"　　截至{on.year}年{on.month}月{on.day}日，全年序时进度为{line}%。下列预算项目执行率低于序时进度"
        f"（执行率低于10%的为红色预警），请认真分析原因，加快预算执行，并于{notice.reply_deadline.year}年"
        f"{notice.reply_deadline.month}月{notice.reply_deadline.day}日前将原因和整改措施书面报送。",
        size=16,
    )
    headers = ("项目名称", "预算（万元）", "已执行（万元）", "执行率", "序时进度", "预警")
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _font(cell.paragraphs[0].add_run(text), "宋体", 10.5, bold=True)
    for item in lines:
        values = (
            item.indicator.name,
            f"{item.indicator.target}",
            f"{item.actual}",
            f"{item.rate}%",
            f"{line}%",
            COLOUR_NAMES.get(item.colour, "无"),
        )
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(text), "宋体", 10.5)
    _paragraph(doc, "", size=16)
    signature = _paragraph(doc, notice.unit.display_name, size=16)
    signature.alignment = 2  # right
    issued = timezone.localtime(notice.issued_at).date()
    dated = _paragraph(doc, f"{issued.year}年{issued.month}月{issued.day}日", size=16)
    dated.alignment = 2
    for paragraph in doc.paragraphs:
        paragraph.paragraph_format.line_spacing = Pt(28.95)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
