"""Adding and editing measures, and reporting their progress."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, InvalidTransition
from zhenggai.ledger.models import Evidence, Finding, Measure, ProgressReport
from zhenggai.ledger.permissions import require_manager, require_reporter
from zhenggai.ledger.services import evidence as evidence_files
from zhenggai.ledger.services.audit import MEASURE_FIELDS, record, snapshot
from zhenggai.ledger.services.hooks import after_commit
from zhenggai.ledger.services.inspections import MeasureSpec, create_measure_row
from zhenggai.ledger.services.validation import (
    check_order,
    clean_percent,
    clean_text,
    optional_text,
    resolve_unit,
)
from zhenggai.ledger.services.versions import bump, check_version


def lock(measure: Measure) -> Measure:
    """Re-read the measure under a row lock so concurrent transitions serialise."""
    return Measure.objects.select_for_update().select_related("inspection__inspected_unit").get(pk=measure.pk)


@transaction.atomic
def add_measure(*, by: User, finding: Finding, spec: MeasureSpec) -> Measure:
    require_manager(by, finding.inspection.inspected_unit, "制定整改措施")
    if finding.level == FindingLevel.ASPECT or finding.children.exists():
        raise InvalidInput("整改措施应列在具体问题（或未细分的问题）下。", "finding")
    if spec.status != MeasureStatus.DRAFT:
        raise InvalidInput("新制定的整改措施从“未启动”开始。", "status")
    measure = create_measure_row(finding, spec)
    after = snapshot(measure, MEASURE_FIELDS) | {"cooperating_departments": _cooperating(measure)}
    record(
        actor=by,
        action="add_measure",
        obj=measure,
        unit=finding.inspection.inspected_unit,
        after=after,
    )
    if _departments(after):
        after_commit("measure_assigned", measure_id=measure.pk, unit_ids=sorted(_departments(after)))
    return measure


_EDITABLE = {
    "text",
    "kind",
    "responsible_leader",
    "lead_department",
    "cooperating_departments",
    "responsible_person",
    "start_date",
    "code",
}


@transaction.atomic
def edit_measure(
    *, by: User, measure: Measure, expected_version: int | None = None, **changes: Any
) -> Measure:
    """Edit a measure's content and owners. The deadline changes only through an approved extension.
    With `expected_version` (the version the user saw) a measure changed since is refused with Conflict."""
    if "deadline" in changes:
        raise InvalidInput("整改时限只能通过延期申请变更。", "deadline")
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InvalidInput(f"不能直接修改这些字段：{', '.join(sorted(unknown))}。")
    measure = lock(measure)
    require_manager(by, measure.inspection.inspected_unit, "修改整改措施")
    check_version(measure, expected_version)
    if measure.status == MeasureStatus.DONE:
        raise InvalidTransition(f"整改措施{measure.code}已销号，如需修改请先重新打开。")
    before = snapshot(measure, MEASURE_FIELDS) | {"cooperating_departments": _cooperating(measure)}
    cooperating = changes.pop("cooperating_departments", None)
    if "text" in changes:
        changes["text"] = clean_text(changes["text"], "整改措施内容", "text")
    if "kind" in changes and changes["kind"] not in MeasureKind.values:
        raise InvalidInput(f"未知的措施类型：{changes['kind']}。", "kind")
    for name in ("responsible_leader", "responsible_person"):
        if name in changes:
            label = "责任领导" if name == "responsible_leader" else "责任人"
            changes[name] = optional_text(changes[name], label, name, max_length=100)
    if "lead_department" in changes:
        changes["lead_department"] = resolve_unit(
            changes["lead_department"], "牵头部门", "lead_department", required=False
        )
    if "code" in changes:
        code = clean_text(changes["code"], "编号", "code", max_length=40)
        clash = Measure.objects.filter(inspection=measure.inspection, code=code).exclude(pk=measure.pk)
        if clash.exists():
            raise InvalidInput(f"编号{code}已被本次巡察的其他措施使用。", "code")
        changes["code"] = code
    for name, value in changes.items():
        setattr(measure, name, value)
    check_order(measure.start_date, measure.deadline, "开始日期不能晚于整改时限。", "start_date")
    bump(measure)
    measure.save()
    if cooperating is not None:
        units = [resolve_unit(ref, "配合部门", "cooperating_departments") for ref in cooperating]
        measure.cooperating_departments.set([u for u in units if u is not None])
    after = snapshot(measure, MEASURE_FIELDS) | {"cooperating_departments": _cooperating(measure)}
    record(
        actor=by,
        action="edit_measure",
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before=before,
        after=after,
    )
    gained = _departments(after) - _departments(before)
    if gained:
        after_commit("measure_assigned", measure_id=measure.pk, unit_ids=sorted(gained))
    return measure


def _departments(state: dict[str, Any]) -> set[int]:
    """The lead and cooperating departments' ids in a snapshot."""
    lead = state.get("lead_department_id")
    return {int(pk) for pk in state.get("cooperating_departments") or []} | ({int(lead)} if lead else set())


def _cooperating(measure: Measure) -> list[int]:
    return sorted(measure.cooperating_departments.values_list("pk", flat=True))


_REPORTABLE = (MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.ONGOING)


@transaction.atomic
def report_progress(
    *,
    by: User,
    measure: Measure,
    text: str,
    progress: int,
    files: list[evidence_files.UploadedEvidence] | None = None,
) -> ProgressReport:
    """Append a progress report with its evidence; a draft measure starts with its first report."""
    measure = lock(measure)
    require_reporter(by, measure, "报送整改进展")
    if measure.status not in _REPORTABLE:
        raise InvalidTransition(
            f"整改措施{measure.code}处于“{measure.get_status_display()}”状态，不能报送进展。"
        )
    text = clean_text(text, "进展情况", "text")
    progress = clean_percent(progress)
    checked = [(upload, *evidence_files.check_upload(upload)) for upload in files or []]

    before = snapshot(measure, ("status", "progress"))
    report = ProgressReport.objects.create(measure=measure, reported_by=by, text=text, progress=progress)
    stored = []
    for upload, sha256, content_type, size in checked:
        item = Evidence(
            measure=measure,
            report=report,
            original_name=upload.name[:255],
            sha256=sha256,
            size=size,
            content_type=content_type,
            uploaded_by=by,
        )
        evidence_files.store(item, upload)
        item.save()
        stored.append({"name": item.original_name, "sha256": sha256, "size": size})
    if measure.status == MeasureStatus.DRAFT:
        measure.status = MeasureStatus.IN_PROGRESS
    measure.progress = progress
    measure.last_reported_at = timezone.now()
    bump(measure)
    measure.save(update_fields=["status", "progress", "last_reported_at", "updated_at", "version"])
    record(
        actor=by,
        action="report_progress",
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before=before,
        after=snapshot(measure, ("status", "progress")) | {"report": report.pk, "evidence": stored},
    )
    return report
