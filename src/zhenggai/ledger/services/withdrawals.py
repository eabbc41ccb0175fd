"""The requester takes back a pending 销号 or 延期 request before anyone has decided it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.errors import InvalidTransition, NotPermitted
from zhenggai.ledger.models import Extension, Measure, SignOff
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.measures import lock
from zhenggai.ledger.services.versions import bump

_STATE = ("status", "progress", "completed_date", "deadline")


def _only_requester(by: User, requester_id: int, what: str) -> None:
    if not by.is_active or requester_id != by.pk:
        raise NotPermitted(f"只有申请人本人可以撤回{what}。")


def _audit(by: User, action: str, measure: Measure, before: dict[str, object], **extra: object) -> None:
    record(
        actor=by,
        action=action,
        obj=measure,
        unit=measure.inspection.inspected_unit,
        before=before,
        after=snapshot(measure, _STATE) | extra,
    )


@transaction.atomic
def withdraw_signoff_request(*, by: User, signoff: SignOff) -> SignOff:
    """The measure goes back to 整改中, as after a return, and the request stays on record as 已撤回."""
    signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
    measure = lock(signoff.measure)
    _only_requester(by, signoff.requested_by_id, "销号申请")
    if signoff.decision != Decision.PENDING or measure.status != MeasureStatus.PENDING_SIGNOFF:
        raise InvalidTransition(f"该销号申请已是“{signoff.get_decision_display()}”，不能撤回。")
    before = snapshot(measure, _STATE)
    signoff.decision = Decision.WITHDRAWN
    signoff.reviewed_at = timezone.now()
    signoff.save(update_fields=["decision", "reviewed_at"])
    measure.status = MeasureStatus.IN_PROGRESS
    bump(measure)
    measure.save(update_fields=["status", "updated_at", "version"])
    _audit(by, "withdraw_signoff", measure, before, signoff=signoff.pk)
    return signoff


@transaction.atomic
def withdraw_extension_request(*, by: User, extension: Extension) -> Extension:
    """The deadline stays as it is; the request stays on record as 已撤回."""
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    measure = lock(extension.measure)
    _only_requester(by, extension.requested_by_id, "延期申请")
    if extension.decision != Decision.PENDING:
        raise InvalidTransition(f"该延期申请已是“{extension.get_decision_display()}”，不能撤回。")
    before = snapshot(measure, _STATE)
    extension.decision = Decision.WITHDRAWN
    extension.reviewed_at = timezone.now()
    extension.save(update_fields=["decision", "reviewed_at"])
    _audit(by, "withdraw_extension", measure, before, extension=extension.pk)
    return extension
