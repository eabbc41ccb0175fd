"""The supervision events that also go to webhooks (zhenggai.api.webhooks), when the api app is installed.

Called inside the change's transaction (or the sweep's): the webhook module queues on commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse

if TYPE_CHECKING:
    from zhenggai.ledger.models import SignOff
    from zhenggai.portal.models import PublicFeedback
    from zhenggai.supervision.models import SupervisionNotice, SupervisionRun


def _enabled() -> bool:
    return apps.is_installed("zhenggai.api")


def notice_sent(notice: SupervisionNotice, title: str, body: str, link: str, *, escalated: bool) -> None:
    if not _enabled():
        return
    from zhenggai.api.models import WebhookEvent
    from zhenggai.api.webhooks import announce

    event = WebhookEvent.NOTICE_ESCALATED if escalated else WebhookEvent.NOTICE_ISSUED
    announce(event, notice.unit, title, body, link, notice_id=notice.pk, level=notice.level)


def signoff_event(signoff: SignOff, title: str, body: str, link: str, *, decided: bool) -> None:
    if not _enabled():
        return
    from zhenggai.api.models import WebhookEvent
    from zhenggai.api.webhooks import announce

    event = WebhookEvent.SIGNOFF_DECIDED if decided else WebhookEvent.SIGNOFF_REQUESTED
    measure = signoff.measure
    announce(
        event,
        measure.inspection.inspected_unit,
        title,
        body,
        link,
        signoff_id=signoff.pk,
        measure_id=measure.pk,
        decision=signoff.decision,
    )


def red_warnings(run_id: int) -> int:
    """Units whose measures the sweep turned red, announced (one message per unit)."""
    if not _enabled():
        return 0
    from zhenggai.api.webhooks import announce_red_warnings

    return announce_red_warnings(run_id)


def weekly_ready(run: SupervisionRun) -> None:
    if not _enabled():
        return
    from django.db import transaction

    from zhenggai.api.models import WebhookEvent
    from zhenggai.api.webhooks import announce

    with transaction.atomic():
        announce(
            WebhookEvent.WEEKLY_READY,
            None,
            "每周整改汇总已生成",
            f"{run.period:%Y年%m月%d日}的每周整改汇总已生成，请登录系统查看。",
            reverse("supervision:weekly"),
        )


def _due(feedback: PublicFeedback) -> str:
    return f"{feedback.due_on.year}年{feedback.due_on.month}月{feedback.due_on.day}日"


def _feedback_data(feedback: PublicFeedback) -> dict[str, object]:
    # Never the message or the sender: robots post into group chats.
    return {
        "feedback_id": feedback.pk,
        "category": feedback.category,
        "due_on": feedback.due_on.isoformat(),
    }


def feedback_received(feedback: PublicFeedback) -> None:
    """A citizen's 群众意见 came in through the portal (called inside the submission's transaction)."""
    if not _enabled():
        return
    from zhenggai.api.models import WebhookEvent
    from zhenggai.api.webhooks import announce

    category = feedback.get_category_display()
    announce(
        WebhookEvent.FEEDBACK_RECEIVED,
        feedback.unit,
        f"新的群众意见：{category}（{feedback.unit.name}）",
        f"{feedback.unit.name}收到一条群众意见（{category}），请于{_due(feedback)}前答复。",
        f"/feedback/{feedback.pk}/",
        **_feedback_data(feedback),
    )


def feedback_overdue(items: list[PublicFeedback]) -> None:
    """The sweep found these past their time limit for the first time: one message each."""
    if not _enabled() or not items:
        return
    from zhenggai.api.models import WebhookEvent
    from zhenggai.api.webhooks import announce_many

    announce_many(
        WebhookEvent.FEEDBACK_OVERDUE,
        [
            (
                feedback.unit,
                f"群众意见超期未答复（{feedback.unit.name}）",
                f"{feedback.unit.name}收到的群众意见（{feedback.get_category_display()}）答复时限为"
                f"{_due(feedback)}，至今未答复，请立即办理。",
                f"/feedback/{feedback.pk}/",
                _feedback_data(feedback),
            )
            for feedback in items
        ],
    )


def drain_webhooks() -> None:
    if not _enabled():
        return
    from zhenggai.api.webhooks import deliver_due

    deliver_due()
