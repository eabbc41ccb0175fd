"""群众意见 services: submitting from the portal, then 受理 → 答复 (→ 公开) or 不予受理, each audited.

Every change locks the row, checks the permission and the state, and writes one audit event in the same
transaction. The sender has no account: the submission's audit event has no actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhenggai.ledger.choices import ClueStatus, Role
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import Clue, Finding, Inspection, Membership, Unit
from zhenggai.ledger.permissions import can_manage
from zhenggai.ledger.querysets import path_q
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.evidence import UploadedEvidence, check_upload
from zhenggai.ledger.services.validation import clean_text
from zhenggai.notices.models import Notice
from zhenggai.portal.choices import CLOSED_STATES, FeedbackCategory, FeedbackState
from zhenggai.portal.models import FeedbackAttachment, PublicFeedback
from zhenggai.portal.public import bump_stamp
from zhenggai.portal.workdays import add_working_days
from zhenggai.supervision import webhook_events
from zhenggai.web.access import managed_paths

CONTENT_MAX = 2000
ANSWER_MAX = 4000
MAX_ATTACHMENTS = 3
# 查询码: 20 characters of Crockford's base32 (no I, L, O, U): 100 bits from `secrets`.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20


class RateLimited(InvalidInput):
    pass


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("ILOU", "110V"))


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def show_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def ip_hash(ip: str) -> str:
    return hmac.new(str(settings.SECRET_KEY).encode(), f"ip:{ip}".encode(), hashlib.sha256).hexdigest()


def find_by_code(code: str) -> PublicFeedback | None:
    cleaned = normalise_code(code)
    if len(cleaned) != CODE_LENGTH:
        return None
    return PublicFeedback.objects.filter(code_hash=code_hash(cleaned)).first()


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" if digits else ""


def mask_email(email: str) -> str:
    if "@" not in email:
        return "****" if email else ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    return f"{name[:1]}某" if name else ""


# --- submitting ---------------------------------------------------------------------------------------------


@dataclass
class Submission:
    unit: Unit
    category: str
    content: str
    captcha_nonce: str
    ip: str
    notice: Notice | None = None
    name: str = ""
    phone: str = ""
    email: str = ""
    files: list[UploadedEvidence] = field(default_factory=list)


def _check_rate(ip_digest: str, phone: str, now: dt.datetime) -> None:
    since = now - dt.timedelta(days=1)
    recent = PublicFeedback.objects.filter(submitted_at__gte=since)
    if recent.filter(ip_hash=ip_digest).count() >= settings.PORTAL_FEEDBACK_PER_IP:
        raise RateLimited("同一网络今天提交的意见已达上限，请明天再提交，或拨打公布的监督电话。", "__all__")
    if phone and recent.filter(phone=phone).count() >= settings.PORTAL_FEEDBACK_PER_PHONE:
        raise RateLimited("该手机号今天提交的意见已达上限，请明天再提交，或拨打公布的监督电话。", "phone")


def submit_feedback(submission: Submission) -> tuple[PublicFeedback, str]:
    """Store a citizen's feedback in the unit's queue; returns it and its 查询码 (shown once, stored hashed)."""
    if submission.category not in FeedbackCategory.values:
        raise InvalidInput("请选择意见类别。", "category")
    content = clean_text(submission.content, "意见内容", "content", max_length=CONTENT_MAX)
    if len(submission.files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"附件最多{MAX_ATTACHMENTS}个。", "files")
    checked = [(upload, *check_upload(upload)) for upload in submission.files]
    now = timezone.now()
    digest = ip_hash(submission.ip)
    code = new_code()
    stored: list[str] = []
    try:
        with transaction.atomic():
            _check_rate(digest, submission.phone, now)
            feedback = PublicFeedback.objects.create(
                unit=submission.unit,
                notice=submission.notice,
                category=submission.category,
                content=content,
                name=submission.name.strip()[:50],
                phone=submission.phone.strip()[:20],
                email=submission.email.strip()[:200],
                code_hash=code_hash(code),
                captcha_nonce=submission.captcha_nonce,
                ip_hash=digest,
                submitted_at=now,
                due_on=add_working_days(timezone.localdate(now), settings.PORTAL_FEEDBACK_DAYS),
            )
            for upload, sha, content_type, size in checked:
                attachment = FeedbackAttachment(
                    feedback=feedback,
                    original_name=upload.name[:255],
                    sha256=sha,
                    size=size,
                    content_type=content_type,
                )
                upload.stream.seek(0)
                attachment.file.save(upload.name, File(upload.stream), save=False)
                stored.append(str(attachment.file.name))
                attachment.save()
            record(
                actor=None,
                action="submit_feedback",
                obj=feedback,
                unit=feedback.unit,
                after={
                    "category": feedback.category,
                    "notice_id": feedback.notice_id,
                    "due_on": feedback.due_on,
                    "attachments": len(checked),
                    "has_contact": bool(feedback.name or feedback.phone or feedback.email),
                },
            )
            transaction.on_commit(lambda: feedback_received(feedback.pk))
            webhook_events.feedback_received(feedback)
    except IntegrityError:
        for name in stored:
            default_storage.delete(name)
        raise InvalidInput("验证码已使用过，请刷新页面后重新提交。", "captcha") from None
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return feedback, code


def feedback_received(feedback_id: int) -> None:
    """In-app message to the unit's leaders (their unread count shows it)."""
    from zhenggai.supervision.choices import NotificationKind
    from zhenggai.supervision.notify import Outgoing, deliver

    feedback = PublicFeedback.objects.select_related("unit").get(pk=feedback_id)
    leaders = Membership.objects.filter(unit=feedback.unit, role=Role.LEADER, user__is_active=True)
    with transaction.atomic():
        deliver(
            [
                Outgoing(
                    user_id,
                    NotificationKind.FEEDBACK,
                    f"新的群众意见：{feedback.get_category_display()}",
                    f"{feedback.unit.name}收到一条群众意见（{feedback.get_category_display()}），"
                    f"请于{feedback.due_on.year}年{feedback.due_on.month}月{feedback.due_on.day}日前答复。",
                    link=f"/feedback/{feedback.pk}/",
                )
                for user_id in sorted(set(leaders.values_list("user_id", flat=True)))
            ]
        )


# --- who sees what ------------------------------------------------------------------------------------------


def visible_feedback(user: User) -> QuerySet[PublicFeedback]:
    """The unit's leaders and the supervisors above see the unit's queue; a handler sees what they handle."""
    paths = managed_paths(user)
    if paths is None:
        return PublicFeedback.objects.all()
    return PublicFeedback.objects.filter(path_q("unit__path", paths) | Q(handler=user))


def sees_contact(user: User, feedback: PublicFeedback) -> bool:
    """The sender's contact: the handler and the supervisors above the unit; masked for everyone else."""
    if user.is_superuser or feedback.handler_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user, role=Role.SUPERVISOR, unit__path__in=_ancestors(feedback.unit.path)
    ).exists()


def _ancestors(path: str) -> list[str]:
    from zhenggai.supervision.notify import ancestors

    return ancestors(path)


# --- handling -----------------------------------------------------------------------------------------------


def _state(feedback: PublicFeedback) -> dict[str, Any]:
    return {"state": feedback.state, "handler_id": feedback.handler_id}


def _locked(by: User, feedback: PublicFeedback, action: str) -> PublicFeedback:
    locked = (
        PublicFeedback.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=feedback.pk)
        .first()
    )
    if locked is None:
        raise NotPermitted("群众意见不存在。")
    if not can_manage(by, locked.unit) and not (locked.handler_id == by.pk and action == "答复群众意见"):
        raise NotPermitted(f"您不是该单位的领导或上级巡察办，不能{action}。")
    return locked


def _require(locked: PublicFeedback, allowed: tuple[str, ...], action: str) -> None:
    if locked.state not in allowed:
        raise InvalidTransition(f"这条群众意见当前为“{locked.get_state_display()}”，不能{action}。")


def accept_feedback(*, by: User, feedback: PublicFeedback, handler: User) -> PublicFeedback:
    """受理: assign a handler (a member of the unit or above); 待受理 → 办理中. Also reassigns while 办理中."""
    with transaction.atomic():
        locked = _locked(by, feedback, "受理群众意见")
        _require(locked, (FeedbackState.RECEIVED, FeedbackState.HANDLING), "受理")
        if (
            not Membership.objects.filter(
                user=handler, user__is_active=True, unit__path__in=[*_ancestors(locked.unit.path)]
            ).exists()
            and not Membership.objects.filter(user=handler, unit__path__startswith=locked.unit.path).exists()
        ):
            raise InvalidInput("承办人须是本单位或上级单位的人员。", "handler")
        before = _state(locked)
        locked.state = FeedbackState.HANDLING
        locked.handler = handler
        locked.save(update_fields=["state", "handler"])
        record(
            actor=by,
            action="accept_feedback",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_state(locked),
        )
    if handler.pk != by.pk:
        transaction.on_commit(lambda: _tell_handler(locked.pk, handler.pk))
    return locked


def _tell_handler(feedback_id: int, user_id: int) -> None:
    from zhenggai.supervision.choices import NotificationKind
    from zhenggai.supervision.notify import Outgoing, deliver

    feedback = PublicFeedback.objects.get(pk=feedback_id)
    with transaction.atomic():
        deliver(
            [
                Outgoing(
                    user_id,
                    NotificationKind.FEEDBACK,
                    "群众意见交您办理",
                    f"一条群众意见（{feedback.get_category_display()}）交您办理，答复时限"
                    f"{feedback.due_on.year}年{feedback.due_on.month}月{feedback.due_on.day}日。",
                    link=f"/feedback/{feedback.pk}/",
                )
            ]
        )


def answer_feedback(
    *, by: User, feedback: PublicFeedback, answer: str, publish: bool = False
) -> PublicFeedback:
    """答复: the handler or a manager answers; the sender reads it by code. `publish` also makes it 已公开."""
    text = clean_text(answer, "答复内容", "answer", max_length=ANSWER_MAX)
    with transaction.atomic():
        locked = _locked(by, feedback, "答复群众意见")
        _require(locked, (FeedbackState.RECEIVED, FeedbackState.HANDLING), "答复")
        before = _state(locked)
        now = timezone.now()
        locked.answer = text
        locked.answered_at = now
        locked.closed_at = now
        locked.state = FeedbackState.PUBLISHED if publish else FeedbackState.ANSWERED
        if locked.handler_id is None:
            locked.handler = by
        locked.save(update_fields=["answer", "answered_at", "closed_at", "state", "handler"])
        if publish:
            bump_stamp()  # the unit's public page lists published answers
        record(
            actor=by,
            action="answer_feedback",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_state(locked) | {"on_time": locked.answered_on_time},
            note=text,
        )
    return locked


def publish_answer(*, by: User, feedback: PublicFeedback) -> PublicFeedback:
    """已答复 → 已公开: the answer may be shown with the item (never the sender's contact)."""
    with transaction.atomic():
        locked = _locked(by, feedback, "公开答复")
        _require(locked, (FeedbackState.ANSWERED,), "公开答复")
        before = _state(locked)
        locked.state = FeedbackState.PUBLISHED
        locked.save(update_fields=["state"])
        bump_stamp()  # the unit's public page lists published answers
        record(
            actor=by,
            action="publish_feedback",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_state(locked),
        )
    return locked


def reject_feedback(*, by: User, feedback: PublicFeedback, reason: str) -> PublicFeedback:
    """不予受理, with the reason the sender reads by code."""
    text = clean_text(reason, "不予受理理由", "reason", max_length=ANSWER_MAX)
    with transaction.atomic():
        locked = _locked(by, feedback, "不予受理群众意见")
        _require(locked, (FeedbackState.RECEIVED, FeedbackState.HANDLING), "不予受理")
        before = _state(locked)
        locked.state = FeedbackState.REJECTED
        locked.reject_reason = text
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "reject_reason", "closed_at"])
        record(
            actor=by,
            action="reject_feedback",
            obj=locked,
            unit=locked.unit,
            before=before,
            after=_state(locked),
            note=text,
        )
    return locked


def link_finding(*, by: User, feedback: PublicFeedback, finding: Finding) -> PublicFeedback:
    """Relate the feedback to a 反馈问题 of an inspection of the same unit."""
    with transaction.atomic():
        locked = _locked(by, feedback, "关联反馈问题")
        if finding.inspection.inspected_unit_id != locked.unit_id:
            raise InvalidInput("只能关联本单位巡察的反馈问题。", "finding")
        before = {"finding_id": locked.finding_id}
        locked.finding = finding
        locked.save(update_fields=["finding"])
        record(
            actor=by,
            action="link_feedback",
            obj=locked,
            unit=locked.unit,
            before=before,
            after={"finding_id": finding.pk},
        )
    return locked


def create_clue(*, by: User, feedback: PublicFeedback, inspection: Inspection) -> Clue:
    """转为问题线索: a new clue under an inspection of the unit, from the feedback's content (no contact data)."""
    with transaction.atomic():
        locked = _locked(by, feedback, "转为问题线索")
        if inspection.inspected_unit_id != locked.unit_id:
            raise InvalidInput("只能转入本单位的巡察。", "inspection")
        if locked.clue_id is not None:
            raise InvalidTransition("这条群众意见已转为问题线索。")
        clue = Clue.objects.create(
            inspection=inspection,
            received_on=timezone.localdate(),
            summary=f"群众意见（{locked.get_category_display()}）：{locked.content}",
            deadline=locked.due_on,
            status=ClueStatus.RECEIVED,
        )
        locked.clue = clue
        locked.save(update_fields=["clue"])
        record(
            actor=by,
            action="feedback_to_clue",
            obj=locked,
            unit=locked.unit,
            after={"clue_id": clue.pk, "inspection_id": inspection.pk},
        )
    return clue


# --- overdue and retention (the sweep) ------------------------------------------------------------------------


def overdue_feedback(today: dt.date) -> QuerySet[PublicFeedback]:
    """Open feedback past its time limit: red in the sweep and in the Monday summary."""
    return PublicFeedback.objects.filter(
        state__in=(FeedbackState.RECEIVED, FeedbackState.HANDLING), due_on__lt=today
    )


def erase_contacts(now: dt.datetime | None = None) -> int:
    """Erase the sender's name, phone and e-mail N days after closing (ZHENGGAI_FEEDBACK_KEEP_DAYS), audited."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PORTAL_CONTACT_KEEP_DAYS)
    due = PublicFeedback.objects.filter(
        state__in=CLOSED_STATES, closed_at__lt=cutoff, contact_erased_at__isnull=True
    ).select_related("unit")
    erased = 0
    for feedback in due.iterator():
        with transaction.atomic():
            had = {"name": bool(feedback.name), "phone": bool(feedback.phone), "email": bool(feedback.email)}
            PublicFeedback.objects.filter(pk=feedback.pk).update(
                name="", phone="", email="", contact_erased_at=now
            )
            record(
                actor=None,
                action="erase_feedback_contact",
                obj=feedback,
                unit=feedback.unit,
                before=had,
                after={"contact_erased_at": now},
            )
        erased += 1
    return erased
