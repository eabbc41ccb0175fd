"""督办单: issued by a supervisor, answered by the unit, escalated by the sweep while unanswered.

Escalation: blue on issue; orange the day after the reply deadline passes unanswered; red when it has stayed
orange and unanswered for `escalation_days` (default 7). One step per sweep, each step once: the level only
moves forward and a red notice has nowhere to go. Every step is audited (actor: the system) and notified.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.choices import Decision, MeasureStatus, Role
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import Extension, Measure
from zhenggai.ledger.permissions import has_role, require_role
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.validation import clean_text
from zhenggai.supervision.choices import NEXT_LEVEL, NoticeLevel, NoticeStatus, NotificationKind
from zhenggai.supervision.models import SupervisionNotice, SupervisionRun
from zhenggai.supervision.notify import (
    REPORTER_ROLES,
    Outgoing,
    deliver,
    members_by_path,
    users_over,
)
from zhenggai.supervision.rules import Rules

_FIELDS = ("level", "level_since", "status", "reply_deadline")


def _state(notice: SupervisionNotice) -> dict[str, object]:
    return {name: getattr(notice, name) for name in _FIELDS}


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _codes(notice: SupervisionNotice) -> str:
    return "、".join(notice.measures.order_by("code").values_list("code", flat=True))


def unit_side(notice: SupervisionNotice) -> set[int]:
    """Who answers for the notice: leaders over the unit, staff of the measures' lead departments."""
    departments = [
        p for p in notice.measures.values_list("lead_department__path", flat=True).distinct() if p is not None
    ]
    leaders = members_by_path([notice.unit.path], [Role.LEADER])
    staff = members_by_path(departments, REPORTER_ROLES)
    users = users_over(notice.unit.path, leaders)
    for path in departments:
        users |= users_over(path, staff)
    return users


def _send(
    notice: SupervisionNotice, users: set[int], title: str, body: str, run: SupervisionRun | None = None
) -> None:
    link = reverse("supervision:notice", args=[notice.pk])
    from zhenggai.supervision.webhook_events import notice_sent

    notice_sent(notice, title, body, link, escalated=run is not None)
    deliver(
        [
            Outgoing(
                u,
                NotificationKind.NOTICE if run is None else NotificationKind.ESCALATION,
                title,
                body,
                link=link,
            )
            for u in sorted(users)
        ],
        run,
    )


@transaction.atomic
def issue_supervision_notice(
    *, by: User, measures: list[Measure], title: str, content: str, reply_deadline: dt.date
) -> SupervisionNotice:
    if not measures:
        raise InvalidInput("请选择要督办的整改措施。", "measures")
    rows = list(
        Measure.objects.filter(pk__in=[m.pk for m in measures]).select_related("inspection__inspected_unit")
    )
    units = {m.inspection.inspected_unit for m in rows}
    if len(units) != 1:
        raise InvalidInput("一张督办单只能督办同一个单位的整改措施。", "measures")
    unit = units.pop()
    require_role(by, unit, Role.SUPERVISOR, action="下发督办单")
    for measure in rows:
        if measure.status == MeasureStatus.DONE:
            raise InvalidInput(f"整改措施{measure.code}已完成，无需督办。", "measures")
    title = clean_text(title, "督办事项", "title", max_length=200)
    content = clean_text(content, "督办要求", "content", max_length=5000)
    today = timezone.localdate()
    if not isinstance(reply_deadline, dt.date):
        raise InvalidInput("请填写回复时限。", "reply_deadline")
    if reply_deadline < today:
        raise InvalidInput("回复时限不能早于今天。", "reply_deadline")
    notice = SupervisionNotice.objects.create(
        unit=unit,
        title=title,
        content=content,
        issued_by=by,
        issued_at=timezone.now(),
        reply_deadline=reply_deadline,
        level=NoticeLevel.BLUE,
        level_since=today,
    )
    notice.measures.set(rows)
    record(
        actor=by,
        action="issue_supervision_notice",
        obj=notice,
        unit=unit,
        after=_state(notice) | {"measures": sorted(m.pk for m in rows), "title": title},
    )
    _send(
        notice,
        unit_side(notice),
        f"督办单：{title}",
        f"{unit.display_name}：巡察办下发督办单“{title}”，涉及整改措施{_codes(notice)}。\n"
        f"督办要求：{content}\n请于{_day(reply_deadline)}前回复办理情况；逾期未回复将升级督办。",
    )
    return notice


def _lock(notice: SupervisionNotice) -> SupervisionNotice:
    return SupervisionNotice.objects.select_for_update().select_related("unit").get(pk=notice.pk)


def can_reply(user: User, notice: SupervisionNotice) -> bool:
    if has_role(user, notice.unit, Role.LEADER):
        return True
    departments = {m.lead_department for m in notice.measures.select_related("lead_department")}
    return any(d is not None and has_role(user, d, *REPORTER_ROLES) for d in departments)


@transaction.atomic
def reply_supervision_notice(*, by: User, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    notice = _lock(notice)
    if not can_reply(by, notice):
        raise NotPermitted("您不是被督办单位的领导或责任部门人员，不能回复督办单。")
    if notice.status != NoticeStatus.OPEN:
        raise InvalidTransition(f"该督办单{notice.get_status_display()}，不能重复回复。")
    reply = clean_text(reply, "回复内容", "reply", max_length=5000)
    before = _state(notice)
    notice.status = NoticeStatus.REPLIED
    notice.reply = reply
    notice.replied_by = by
    notice.replied_at = timezone.now()
    notice.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    record(
        actor=by,
        action="reply_supervision_notice",
        obj=notice,
        unit=notice.unit,
        before=before,
        after=_state(notice),
    )
    late = "（逾期回复）" if timezone.localdate() > notice.reply_deadline else ""
    _send(
        notice,
        {notice.issued_by_id},
        f"督办单已回复：{notice.title}",
        f"{notice.unit.display_name}已回复督办单“{notice.title}”{late}:\n{reply}",
    )
    return notice


def blocking_measures(notice: SupervisionNotice) -> list[Measure]:
    """The notice's measures that keep it from closing: not done, not ongoing (持续推进), and without an
    extension approved since the notice was issued."""
    extended = Extension.objects.filter(
        measure=OuterRef("pk"), decision=Decision.APPROVED, reviewed_at__gte=notice.issued_at
    )
    return list(
        notice.measures.exclude(status__in=(MeasureStatus.DONE, MeasureStatus.ONGOING))
        .exclude(Exists(extended))
        .order_by("code")
    )


@transaction.atomic
def close_supervision_notice(*, by: User, notice: SupervisionNotice, closing_note: str) -> SupervisionNotice:
    """办结: the supervisor accepts the reply with a written 办结意见, once every measure is done, ongoing or
    extended (approved since the notice); the notice stops binding the measures' extensions."""
    notice = _lock(notice)
    require_role(by, notice.unit, Role.SUPERVISOR, action="办结督办单")
    if notice.status != NoticeStatus.REPLIED:
        raise InvalidTransition(f"该督办单{notice.get_status_display()}，只有已回复的督办单可以办结。")
    closing_note = clean_text(closing_note, "办结意见", "closing_note", max_length=5000)
    blocking = blocking_measures(notice)
    if blocking:
        listed = "、".join(f"{m.code}（{m.get_status_display()}，进度{m.progress}%）" for m in blocking)
        raise InvalidTransition(
            f"督办单尚不能办结：整改措施{listed}既未完成、未按“持续推进”销号，也没有督办后经同意的延期。"
        )
    before = _state(notice)
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = timezone.now()
    notice.closing_note = closing_note
    notice.save(update_fields=["status", "closed_at", "closing_note"])
    record(
        actor=by,
        action="close_supervision_notice",
        obj=notice,
        unit=notice.unit,
        before=before,
        after=_state(notice) | {"closing_note": closing_note},
    )
    return notice


def escalate_notices(run: SupervisionRun, today: dt.date, r: Rules) -> int:
    """Move every unanswered notice that is due one step up (inside the sweep's transaction)."""
    due = SupervisionNotice.objects.filter(status=NoticeStatus.OPEN).filter(
        Q(level=NoticeLevel.BLUE, reply_deadline__lt=today)
        | Q(level=NoticeLevel.ORANGE, level_since__lte=today - dt.timedelta(days=r.escalation_days))
    )
    escalated = 0
    for notice in due.select_for_update().select_related("unit").order_by("pk"):
        before = _state(notice)
        level = NEXT_LEVEL[NoticeLevel(notice.level)]
        notice.level = level
        notice.level_since = today
        notice.save(update_fields=["level", "level_since"])
        late = (today - notice.reply_deadline).days
        record(
            actor=None,
            action="escalate_supervision_notice",
            obj=notice,
            unit=notice.unit,
            before=before,
            after=_state(notice),
            note=f"超过回复时限{late}日未回复，升级为{level.label}",
        )
        _send(
            notice,
            unit_side(notice) | {notice.issued_by_id},
            f"督办升级为{level.label}：{notice.title}",
            f"{notice.unit.display_name}：督办单“{notice.title}”（{_day(timezone.localtime(notice.issued_at).date())}下发，"
            f"回复时限{_day(notice.reply_deadline)}）超过回复时限{late}日仍未回复，已升级为{level.label}。\n"
            f"涉及整改措施{_codes(notice)}。请立即回复办理情况。",
            run,
        )
        escalated += 1
    return escalated
