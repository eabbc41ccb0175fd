"""The notice's way out: 拟稿 → 审定 → 签发（发布）, and 撤回.

`publish_notice` stores a version as a draft (拟稿). A leader of the unit or a supervisor other than the
drafter approves it (审定, with an optional opinion); a leader or supervisor then signs and publishes it
(签发). Any stored version may be withdrawn (撤回) with a reason; a withdrawn public notice is shown as
已撤回 wherever it was published. Each step locks the row, checks the state and the permission, and writes
one audit event in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.permissions import require_manager
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.validation import clean_text
from zhenggai.notices.choices import NoticeState
from zhenggai.notices.models import Notice

NOTE_MAX = 2000


def _locked(notice: Notice, by: User, action: str) -> Notice:
    locked = (
        Notice.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("inspection__inspected_unit")
        .filter(pk=notice.pk)
        .first()
    )
    if locked is None:
        raise NotPermitted("通报不存在或您无权查看。")
    require_manager(by, locked.inspection.inspected_unit, action)
    return locked


def _state(notice: Notice) -> dict[str, Any]:
    return {"state": notice.state, "version": notice.version, "audience": notice.audience}


def _step(
    notice: Notice, by: User, action: str, event: str, allowed: tuple[str, ...], **changes: Any
) -> Notice:
    with transaction.atomic():
        locked = _locked(notice, by, action)
        if locked.state not in allowed:
            raise InvalidTransition(
                f"第{locked.version}版通报当前为“{locked.get_state_display()}”，不能{action}。"
            )
        before = _state(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
        note = str(changes.get("review_note") or changes.get("withdraw_reason") or "")
        record(
            actor=by,
            action=event,
            obj=locked,
            unit=locked.inspection.inspected_unit,
            before=before,
            after=_state(locked),
            note=note,
        )
    return locked


def approve_notice(*, by: User, notice: Notice, note: str = "") -> Notice:
    """审定: a draft approved by a leader or supervisor who did not draft it."""
    if notice.created_by_id == by.pk:
        raise NotPermitted("本人拟稿的通报须由他人审定。")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"审定意见不能超过{NOTE_MAX}个字。", "note")
    return _step(
        notice,
        by,
        "审定通报",
        "approve_notice",
        (NoticeState.DRAFT,),
        state=NoticeState.APPROVED,
        approved_by=by,
        approved_at=timezone.now(),
        review_note=note,
    )


def sign_notice(*, by: User, notice: Notice) -> Notice:
    """签发: an approved version goes out (for a public one: to the public)."""
    return _step(
        notice,
        by,
        "签发发布通报",
        "sign_notice",
        (NoticeState.APPROVED,),
        state=NoticeState.PUBLISHED,
        published_by=by,
        published_at=timezone.now(),
    )


def withdraw_notice(*, by: User, notice: Notice, reason: str) -> Notice:
    """撤回: a version taken back, whatever its step, with the reason kept."""
    reason = clean_text(reason, "撤回理由", "reason", max_length=NOTE_MAX)
    return _step(
        notice,
        by,
        "撤回通报",
        "withdraw_notice",
        (NoticeState.DRAFT, NoticeState.APPROVED, NoticeState.PUBLISHED),
        state=NoticeState.WITHDRAWN,
        withdrawn_by=by,
        withdrawn_at=timezone.now(),
        withdraw_reason=reason,
    )
