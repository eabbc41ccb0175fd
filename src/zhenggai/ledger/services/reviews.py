"""销号, 延期 and reopening: requested by one person, decided by another."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import Evidence, Extension, Inspection, Measure, SignOff
from zhenggai.ledger.permissions import require_manager, require_reporter
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.hooks import after_commit
from zhenggai.ledger.services.measures import lock
from zhenggai.ledger.services.validation import clean_text, optional_text
from zhenggai.ledger.services.versions import bump

_STATE = ("status", "progress", "completed_date")


def _audit(by: User, action: str, measure: Measure, before: dict[str, object], **extra: object) -> None:
    record(
        actor=by,
        action=action,
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before=before,
        after=snapshot(measure, (*_STATE, "deadline")) | extra,
    )


def _not_own(by: User, requester_id: int | None, what: str) -> None:
    if requester_id == by.pk:
        raise NotPermitted(f"不能审核本人提出的{what}。")


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic
def request_signoff(*, by: User, measure: Measure, note: str = "", periodic_review: str = "") -> SignOff:
    """Ask for 销号: at 100 % progress with evidence on a report; a long-term (长期坚持) measure may ask below
    100 % to be signed off as 持续推进, stating how it will keep being reviewed (`periodic_review`)."""
    measure = lock(measure)
    require_reporter(by, measure, "申请销号")
    if measure.status not in (MeasureStatus.IN_PROGRESS, MeasureStatus.ONGOING):
        raise InvalidTransition(
            f"整改措施{measure.code}处于“{measure.get_status_display()}”状态，不能申请销号。"
        )
    if not measure.reports.exists():
        raise InvalidTransition(f"整改措施{measure.code}尚未报送整改进展和佐证材料，不能申请销号。")
    if not Evidence.objects.filter(measure=measure, report__isnull=False).exists():
        raise InvalidTransition(
            f"整改措施{measure.code}的整改进展尚无佐证材料，请在报送进展时上传佐证材料后再申请销号。"
        )
    periodic_review = optional_text(periodic_review, "定期复查安排", "periodic_review", max_length=500)
    long_term = measure.kind == MeasureKind.LONG_TERM
    if periodic_review and not long_term:
        raise InvalidInput(
            "只有长期坚持的整改措施可以按“持续推进”申请销号，其他措施无需填写定期复查安排。",
            "periodic_review",
        )
    if measure.progress < 100 and not long_term:
        raise InvalidInput(
            f"整改措施{measure.code}当前进度为{measure.progress}%，进度达到100%方可申请销号。", "progress"
        )
    if measure.progress < 100 and not periodic_review:
        raise InvalidInput(
            f"整改措施{measure.code}当前进度为{measure.progress}%：长期坚持的措施可按“持续推进”申请销号，"
            "但须写明定期复查安排（如：每季度报送一次进展）。",
            "periodic_review",
        )
    before = snapshot(measure, (*_STATE, "deadline"))
    signoff = SignOff.objects.create(
        measure=measure,
        requested_by=by,
        note=optional_text(note, "申请说明", "note", max_length=2000),
        periodic_review=periodic_review,
    )
    measure.status = MeasureStatus.PENDING_SIGNOFF
    bump(measure)
    measure.save(update_fields=["status", "updated_at", "version"])
    _audit(by, "request_signoff", measure, before, signoff=signoff.pk)
    after_commit("signoff_requested", signoff_id=signoff.pk)
    return signoff


def _pending_signoff(signoff: SignOff) -> tuple[SignOff, Measure]:
    signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
    measure = lock(signoff.measure)
    if signoff.decision != Decision.PENDING or measure.status != MeasureStatus.PENDING_SIGNOFF:
        raise InvalidTransition(f"该销号申请已{signoff.get_decision_display()}，不能重复审核。")
    return signoff, measure


@transaction.atomic
def approve_signoff(
    *,
    by: User,
    signoff: SignOff,
    outcome: MeasureStatus = MeasureStatus.DONE,
    note: str = "",
    periodic_review: str = "",
) -> SignOff:
    """Sign a measure off as done, or a long-term (长期坚持) one as ongoing (基本完成、持续推进) with a stated
    periodic review (the request's, or the reviewer's own)."""
    signoff, measure = _pending_signoff(signoff)
    require_manager(by, measure.inspection.inspected_unit, "审核销号")
    _not_own(by, signoff.requested_by_id, "销号申请")
    if outcome not in (MeasureStatus.DONE, MeasureStatus.ONGOING):
        raise InvalidInput("销号结论只能是“已完成”或“持续推进”。", "outcome")
    if outcome == MeasureStatus.ONGOING and measure.kind != MeasureKind.LONG_TERM:
        raise InvalidInput("只有长期坚持的整改措施可以按“持续推进”销号。", "outcome")
    if outcome == MeasureStatus.DONE and measure.progress < 100:
        raise InvalidInput(
            f"整改措施{measure.code}当前进度为{measure.progress}%，不能按“已完成”销号"
            "（长期坚持的措施可按“持续推进”销号）。",
            "outcome",
        )
    periodic_review = (
        optional_text(periodic_review, "定期复查安排", "periodic_review", max_length=500)
        or signoff.periodic_review
    )
    if outcome == MeasureStatus.ONGOING and not periodic_review:
        raise InvalidInput(
            "按“持续推进”销号须写明定期复查安排（如：每季度报送一次进展）。", "periodic_review"
        )
    before = snapshot(measure, (*_STATE, "deadline"))
    signoff.decision = Decision.APPROVED
    signoff.outcome = outcome
    signoff.reviewed_by = by
    signoff.reviewed_at = timezone.now()
    signoff.review_note = optional_text(note, "审核意见", "note", max_length=2000)
    if outcome == MeasureStatus.ONGOING:
        signoff.periodic_review = periodic_review
    signoff.save()
    measure.status = outcome
    if outcome == MeasureStatus.DONE:
        measure.progress = 100
        measure.completed_date = timezone.localdate()
    bump(measure)
    measure.save(update_fields=["status", "progress", "completed_date", "updated_at", "version"])
    _audit(by, "approve_signoff", measure, before, signoff=signoff.pk)
    after_commit("signoff_decided", signoff_id=signoff.pk)
    return signoff


@transaction.atomic
def reject_signoff(*, by: User, signoff: SignOff, reason: str) -> SignOff:
    signoff, measure = _pending_signoff(signoff)
    require_manager(by, measure.inspection.inspected_unit, "审核销号")
    _not_own(by, signoff.requested_by_id, "销号申请")
    reason = clean_text(reason, "退回理由", "reason", max_length=2000)
    before = snapshot(measure, (*_STATE, "deadline"))
    signoff.decision = Decision.REJECTED
    signoff.reviewed_by = by
    signoff.reviewed_at = timezone.now()
    signoff.review_note = reason
    signoff.save()
    measure.status = MeasureStatus.IN_PROGRESS
    bump(measure)
    measure.save(update_fields=["status", "updated_at", "version"])
    _audit(by, "reject_signoff", measure, before, signoff=signoff.pk, reason=reason)
    after_commit("signoff_decided", signoff_id=signoff.pk)
    return signoff


@transaction.atomic
def request_extension(*, by: User, measure: Measure, new_deadline: dt.date, reason: str) -> Extension:
    measure = lock(measure)
    require_reporter(by, measure, "申请延期")
    if measure.status not in OPEN_STATUSES:
        raise InvalidTransition(f"整改措施{measure.code}已{measure.get_status_display()}，无需延期。")
    reason = clean_text(reason, "延期理由", "reason", max_length=2000)
    if not isinstance(new_deadline, dt.date):
        raise InvalidInput("请填写新的整改时限。", "new_deadline")
    if measure.deadline is not None and new_deadline <= measure.deadline:
        raise InvalidInput("新的整改时限应晚于现有整改时限。", "new_deadline")
    if measure.start_date is not None and new_deadline < measure.start_date:
        raise InvalidInput("新的整改时限不能早于开始日期。", "new_deadline")
    base = max(measure.deadline or timezone.localdate(), timezone.localdate())
    if (new_deadline - base).days > settings.EXTENSION_REFUSE_DAYS:
        raise InvalidInput(
            f"新的整改时限{_day(new_deadline)}比{'现有整改时限' if base == measure.deadline else '今天'}"
            f"晚{(new_deadline - base).days}天，超过{settings.EXTENSION_REFUSE_DAYS}天，不予受理，请核对后重新填写。",
            "new_deadline",
        )
    if measure.extensions.filter(decision=Decision.PENDING).exists():
        raise InvalidTransition(f"整改措施{measure.code}已有待审核的延期申请。")
    before = snapshot(measure, (*_STATE, "deadline"))
    extension = Extension.objects.create(
        measure=measure,
        requested_by=by,
        reason=reason,
        old_deadline=measure.deadline,
        new_deadline=new_deadline,
    )
    _audit(by, "request_extension", measure, before, extension=extension.pk, new_deadline=new_deadline)
    return extension


def _pending_extension(extension: Extension) -> tuple[Extension, Measure]:
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    measure = lock(extension.measure)
    if extension.decision != Decision.PENDING:
        raise InvalidTransition(f"该延期申请已{extension.get_decision_display()}，不能重复审核。")
    return extension, measure


def extension_limits(extension: Extension) -> list[str]:
    """Why an extension needs the 巡察办 after the leader, beyond the unit's own say (empty: the leader may
    decide alone): longer than the inspection's limit (ZHENGGAI_EXTENSION_MAX_DAYS unless the 巡察办 set one),
    or more extensions than its count (ZHENGGAI_EXTENSION_MAX_COUNT likewise)."""
    inspection = Inspection.objects.only("extension_max_days", "extension_max_count").get(
        measures=extension.measure_id
    )
    max_days, max_count = inspection.max_extension_days, inspection.max_extensions
    reasons = []
    start = extension.old_deadline or timezone.localtime(extension.requested_at).date()
    days = (extension.new_deadline - start).days
    if days > max_days:
        reasons.append(f"延期{days}天，超过{max_days}天")
    approved = (
        Extension.objects.filter(measure_id=extension.measure_id, decision=Decision.APPROVED)
        .exclude(pk=extension.pk)
        .count()
    )
    if approved >= max_count:
        reasons.append(f"已延期{approved}次，每条措施至多{max_count}次")
    return reasons


def _awaits_supervisor(by: User, extension: Extension, measure: Measure) -> bool:
    """While a 督办单 covers the measure, or the extension is beyond the limits (extension_limits), a leader's
    approval is recorded and waits for the supervisor's."""
    if not apps.is_installed("zhenggai.supervision"):
        return False
    from zhenggai.supervision.extensions import hold_for_supervisor  # lazy: supervision imports the ledger

    return hold_for_supervisor(
        by=by, extension=extension, measure=measure, limits=extension_limits(extension)
    )


@transaction.atomic
def approve_extension(*, by: User, extension: Extension, note: str = "") -> Extension:
    """Move the deadline; the old one stays on the extension record and in the audit trail."""
    extension, measure = _pending_extension(extension)
    require_manager(by, measure.inspection.inspected_unit, "审核延期")
    _not_own(by, extension.requested_by_id, "延期申请")
    if measure.status not in OPEN_STATUSES:
        raise InvalidTransition(f"整改措施{measure.code}已{measure.get_status_display()}，延期申请无需审核。")
    if _awaits_supervisor(by, extension, measure):
        return extension
    before = snapshot(measure, (*_STATE, "deadline"))
    extension.decision = Decision.APPROVED
    extension.reviewed_by = by
    extension.reviewed_at = timezone.now()
    extension.review_note = optional_text(note, "审核意见", "note", max_length=2000)
    extension.save()
    measure.deadline = extension.new_deadline
    bump(measure)
    measure.save(update_fields=["deadline", "updated_at", "version"])
    _audit(by, "approve_extension", measure, before, extension=extension.pk)
    after_commit("extension_decided", extension_id=extension.pk)
    return extension


@transaction.atomic
def reject_extension(*, by: User, extension: Extension, reason: str) -> Extension:
    extension, measure = _pending_extension(extension)
    require_manager(by, measure.inspection.inspected_unit, "审核延期")
    _not_own(by, extension.requested_by_id, "延期申请")
    reason = clean_text(reason, "退回理由", "reason", max_length=2000)
    before = snapshot(measure, (*_STATE, "deadline"))
    extension.decision = Decision.REJECTED
    extension.reviewed_by = by
    extension.reviewed_at = timezone.now()
    extension.review_note = reason
    extension.save()
    _audit(by, "reject_extension", measure, before, extension=extension.pk, reason=reason)
    after_commit("extension_decided", extension_id=extension.pk)
    return extension


@transaction.atomic
def reopen_measure(*, by: User, measure: Measure, reason: str) -> Measure:
    """A reviewer reopens a signed-off measure (e.g. 回头看 found the rectification false)."""
    measure = lock(measure)
    require_manager(by, measure.inspection.inspected_unit, "重新打开整改措施")
    if measure.status not in (MeasureStatus.DONE, MeasureStatus.ONGOING):
        raise InvalidTransition(f"整改措施{measure.code}尚未销号，无需重新打开。")
    reason = clean_text(reason, "重新打开的理由", "reason", max_length=2000)
    before = snapshot(measure, (*_STATE, "deadline"))
    measure.status = MeasureStatus.IN_PROGRESS
    measure.completed_date = None
    bump(measure)
    measure.save(update_fields=["status", "completed_date", "updated_at", "version"])
    _audit(by, "reopen_measure", measure, before, reason=reason)
    return measure
