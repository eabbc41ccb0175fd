"""Shaping a ledger in the browser: add several rows at once, move and delete rows, plan deadlines, and mark
the inspection 整改完成. Each function checks the permission and writes its audit events in one transaction."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import FindingLevel, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, InvalidTransition
from zhenggai.ledger.models import Finding, Inspection, Measure
from zhenggai.ledger.permissions import require_manager
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.inspections import MeasureSpec, add_finding
from zhenggai.ledger.services.measures import add_measure, lock
from zhenggai.ledger.services.versions import bump, check_version

# A list number at the start of a pasted line: 一、 1. 1、 （1） (一) ① — the same forms the ledger import strips.
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|\d+\s*[、.．](?!\d)|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*"
)
MAX_LINES = 200  # lines taken from one paste


def split_lines(text: str) -> list[str]:
    """The items of a pasted block: one per non-empty line, list numbers (一、 1. （1）) stripped."""
    items = []
    for line in (text or "").splitlines():
        item = _NUMBERING.sub("", line.strip(), count=1).strip()
        if item:
            items.append(item)
    if len(items) > MAX_LINES:
        raise InvalidInput(f"一次最多粘贴{MAX_LINES}行（现有{len(items)}行），请分几次添加。", "lines")
    return items


def _require_open(inspection: Inspection) -> None:
    # Read from the database: the caller's object may predate 整改完成.
    if Inspection.objects.filter(pk=inspection.pk, rectified_at__isnull=False).exists():
        raise InvalidTransition(
            "本次巡察已标记整改完成，台账不能再增加或删除条目；如需调整请先撤销整改完成。"
        )


@transaction.atomic
def add_findings(
    *, by: User, inspection: Inspection, level: FindingLevel, lines: str, parent: Finding | None = None
) -> list[Finding]:
    """Add one finding per pasted line, at the end of the parent's children (or of the top level)."""
    titles = split_lines(lines)
    if not titles:
        raise InvalidInput("请填写要添加的标题（每行一条）。", "lines")
    _require_open(inspection)
    return [
        add_finding(by=by, inspection=inspection, level=level, title=title, parent=parent) for title in titles
    ]


@transaction.atomic
def add_measures(*, by: User, finding: Finding, lines: str, spec: MeasureSpec | None = None) -> list[Measure]:
    """Add one draft measure per pasted line under a 具体问题 (or a problem without details); the owners,
    type and deadline of `spec` apply to each."""
    texts = split_lines(lines)
    if not texts:
        raise InvalidInput("请填写要添加的整改措施（每行一条）。", "lines")
    _require_open(finding.inspection)
    template = spec or MeasureSpec(text="")
    added = []
    for text in texts:
        one = MeasureSpec(
            text=text,
            kind=template.kind,
            responsible_leader=template.responsible_leader,
            lead_department=template.lead_department,
            cooperating_departments=list(template.cooperating_departments),
            responsible_person=template.responsible_person,
            deadline=template.deadline,
        )
        added.append(add_measure(by=by, finding=finding, spec=one))
    return added


def _step(direction: int) -> int:
    if direction not in (-1, 1):
        raise InvalidInput("只能上移或下移一位。", "direction")
    return direction


@transaction.atomic
def move_finding(*, by: User, finding: Finding, direction: int) -> Finding:
    """Swap a finding with its previous (-1) or next (+1) sibling; the siblings are renumbered 1, 2, 3 …"""
    _step(direction)
    finding = (
        Finding.objects.select_for_update().select_related("inspection__inspected_unit").get(pk=finding.pk)
    )
    require_manager(by, finding.inspection.inspected_unit, "调整反馈问题的顺序")
    siblings = list(
        Finding.objects.select_for_update()
        .filter(inspection=finding.inspection, parent_id=finding.parent_id)
        .order_by("position", "id")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == finding.pk)
    target = index + direction
    if not 0 <= target < len(siblings):
        raise InvalidInput("已经是第一条了。" if direction < 0 else "已经是最后一条了。", "direction")
    siblings[index], siblings[target] = siblings[target], siblings[index]
    before = finding.position
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            bump(sibling)
            sibling.save(update_fields=["position", "version"])
            if sibling.pk == finding.pk:
                finding = sibling
    record(
        actor=by,
        action="move_finding",
        obj=finding,
        unit=finding.inspection.inspected_unit,
        before={"position": before},
        after={"position": finding.position},
    )
    return finding


@transaction.atomic
def move_measure(*, by: User, measure: Measure, direction: int) -> Measure:
    """Swap a measure with the previous (-1) or next (+1) measure under the same finding."""
    _step(direction)
    measure = lock(measure)
    require_manager(by, measure.inspection.inspected_unit, "调整整改措施的顺序")
    siblings = list(
        Measure.objects.select_for_update().filter(finding_id=measure.finding_id).order_by("position", "id")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == measure.pk)
    target = index + direction
    if not 0 <= target < len(siblings):
        raise InvalidInput("已经是第一条了。" if direction < 0 else "已经是最后一条了。", "direction")
    other = siblings[target]
    before = measure.position
    if other.position == measure.position:  # equal positions (old data): make them distinct first
        other.position = measure.position + direction
    measure.position, other.position = other.position, measure.position
    for row in (measure, other):
        bump(row)
        row.save(update_fields=["position", "version", "updated_at"])
    record(
        actor=by,
        action="move_measure",
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before={"position": before},
        after={"position": measure.position},
    )
    return measure


def measure_history(measure: Measure) -> list[str]:
    """What a measure already carries that deleting it would lose (empty: it may be deleted)."""
    found = []
    if measure.reports.exists():
        found.append("进展报送")
    if measure.evidence.exists():
        found.append("佐证材料")
    if measure.signoffs.exists():
        found.append("销号申请")
    if measure.extensions.exists():
        found.append("延期申请")
    if measure.regulations.exists():
        found.append("建章立制")
    if measure.supervision_notices.exists():
        found.append("督办单")
    return found


@transaction.atomic
def delete_measure(*, by: User, measure: Measure, expected_version: int | None = None) -> None:
    """Delete a measure entered by mistake: only a draft with no history (reports, sign-offs, extensions…)."""
    measure = lock(measure)
    unit = measure.inspection.inspected_unit
    require_manager(by, unit, "删除整改措施")
    check_version(measure, expected_version)
    history = measure_history(measure)
    if history:
        raise InvalidTransition(
            f"整改措施{measure.code}已有{'、'.join(history)}，不能删除（全程纪实须完整保留）。"
        )
    if measure.status != MeasureStatus.DRAFT:
        raise InvalidTransition(f"整改措施{measure.code}处于“{measure.get_status_display()}”状态，不能删除。")
    _require_open(measure.inspection)
    before = snapshot(measure, ("code", "text", "finding_id", "position"))
    pk = measure.pk
    measure.delete()
    measure.pk = pk  # the audit event names the deleted row
    record(actor=by, action="delete_measure", obj=measure, unit=unit, before=before)


@transaction.atomic
def delete_finding(*, by: User, finding: Finding, expected_version: int | None = None) -> None:
    """Delete a finding entered by mistake: only one with no measures and no findings under it."""
    finding = (
        Finding.objects.select_for_update().select_related("inspection__inspected_unit").get(pk=finding.pk)
    )
    unit = finding.inspection.inspected_unit
    require_manager(by, unit, "删除反馈问题")
    check_version(finding, expected_version)
    if finding.children.exists():
        raise InvalidTransition(f"“{finding.title[:20]}”下还有下级条目，请先删除或移走它们。")
    if finding.measures.exists():
        raise InvalidTransition(f"“{finding.title[:20]}”下还有整改措施，请先删除这些措施。")
    _require_open(finding.inspection)
    before = snapshot(finding, ("level", "title", "parent_id", "position"))
    pk = finding.pk
    finding.delete()
    finding.pk = pk
    record(actor=by, action="delete_finding", obj=finding, unit=unit, before=before)


@transaction.atomic
def plan_deadline(
    *, by: User, measure: Measure, deadline: dt.date | None, expected_version: int | None = None
) -> Measure:
    """Set the deadline while the ledger is being drawn up: a draft measure with no history. Once work has
    started, the deadline changes only through an approved extension."""
    measure = lock(measure)
    require_manager(by, measure.inspection.inspected_unit, "确定整改时限")
    check_version(measure, expected_version)
    if measure.status != MeasureStatus.DRAFT or measure_history(measure):
        raise InvalidTransition(f"整改措施{measure.code}已开始整改，整改时限只能通过延期申请变更。")
    if measure.deadline == deadline:
        return measure
    if deadline is not None and measure.start_date is not None and deadline < measure.start_date:
        raise InvalidInput("整改时限不能早于开始日期。", "deadline")
    before = snapshot(measure, ("deadline",))
    measure.deadline = deadline
    measure.original_deadline = deadline
    bump(measure)
    measure.save(update_fields=["deadline", "original_deadline", "version", "updated_at"])
    record(
        actor=by,
        action="plan_deadline",
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before=before,
        after=snapshot(measure, ("deadline",)),
    )
    return measure


class UnfinishedMeasures(InvalidTransition):
    """整改完成 refused: `measures` are the ones neither done nor ongoing."""

    def __init__(self, message: str, measures: list[Measure]) -> None:
        super().__init__(message)
        self.measures = measures


FINISHED = (MeasureStatus.DONE, MeasureStatus.ONGOING)


@transaction.atomic
def complete_inspection(
    *, by: User, inspection: Inspection, expected_version: int | None = None
) -> Inspection:
    """Mark the inspection 整改完成: every measure is done (已完成) or signed off as ongoing (持续推进)."""
    inspection = Inspection.objects.select_for_update().select_related("inspected_unit").get(pk=inspection.pk)
    require_manager(by, inspection.inspected_unit, "标记整改完成")
    check_version(inspection, expected_version)
    if inspection.rectified_at is not None:
        raise InvalidTransition("本次巡察已标记整改完成。")
    measures = Measure.objects.filter(inspection=inspection)
    if not measures.exists():
        raise InvalidTransition("本次巡察还没有整改措施，不能标记整改完成。")
    unfinished = list(measures.exclude(status__in=FINISHED).order_by("position", "id"))
    if unfinished:
        shown = "；".join(f"{m.code}（{m.get_status_display()}）" for m in unfinished[:20])
        more = f"等{len(unfinished)}条" if len(unfinished) > 20 else ""
        raise UnfinishedMeasures(
            f"还有{len(unfinished)}条整改措施未完成，不能标记整改完成：{shown}{more}。", unfinished
        )
    inspection.rectified_at = timezone.now()
    inspection.rectified_by = by
    bump(inspection)
    inspection.save(update_fields=["rectified_at", "rectified_by", "version"])
    record(
        actor=by,
        action="complete_inspection",
        obj=inspection,
        unit=inspection.inspected_unit,
        before={"rectified_at": None},
        after=snapshot(inspection, ("rectified_at", "rectified_by_id")),
    )
    return inspection


@transaction.atomic
def reopen_inspection(*, by: User, inspection: Inspection, reason: str) -> Inspection:
    """Withdraw 整改完成 (a measure turned out unfinished, the ledger needs a new row); the reason is kept."""
    inspection = Inspection.objects.select_for_update().select_related("inspected_unit").get(pk=inspection.pk)
    require_manager(by, inspection.inspected_unit, "撤销整改完成")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写撤销整改完成的理由。", "reason")
    if inspection.rectified_at is None:
        raise InvalidTransition("本次巡察尚未标记整改完成。")
    before = snapshot(inspection, ("rectified_at", "rectified_by_id"))
    inspection.rectified_at = None
    inspection.rectified_by = None
    bump(inspection)
    inspection.save(update_fields=["rectified_at", "rectified_by", "version"])
    record(
        actor=by,
        action="reopen_inspection",
        obj=inspection,
        unit=inspection.inspected_unit,
        before=before,
        after={"rectified_at": None},
        note=reason,
    )
    return inspection
