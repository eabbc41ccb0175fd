"""The daily sweep's 群众意见 part: open feedback past its time limit turns red (a warning to the unit's
leaders, the handler and the supervisors above), and contact data past its retention period is erased."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from zhenggai.ledger.choices import Role
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.services import erase_contacts, overdue_feedback
from zhenggai.supervision.webhook_events import feedback_overdue


def sweep_feedback(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    from zhenggai.supervision.choices import NotificationKind
    from zhenggai.supervision.notify import Outgoing, deliver, members_by_path, users_over

    newly: QuerySet[PublicFeedback] = (
        overdue_feedback(today).filter(red_since__isnull=True).select_related("unit")
    )
    items = list(newly)
    by_path = members_by_path([f.unit.path for f in items], [Role.LEADER, Role.SUPERVISOR])
    outgoing = []
    for feedback in items:
        users = users_over(feedback.unit.path, by_path)
        if feedback.handler_id:
            users.add(feedback.handler_id)
        due = f"{feedback.due_on.year}年{feedback.due_on.month}月{feedback.due_on.day}日"
        outgoing += [
            Outgoing(
                user_id,
                NotificationKind.WARNING,
                f"红色预警：群众意见超期未答复（{feedback.unit.name}）",
                f"{feedback.unit.name}收到的群众意见（{feedback.get_category_display()}）答复时限为{due}，"
                "至今未答复，请立即办理。",
                link=f"/feedback/{feedback.pk}/",
            )
            for user_id in sorted(users)
        ]
    PublicFeedback.objects.filter(pk__in=[f.pk for f in items]).update(red_since=today)
    deliver(outgoing)
    feedback_overdue(items)
    return {
        "feedback_overdue": overdue_feedback(today).count(),
        "feedback_red_new": len(items),
        "feedback_contacts_erased": erase_contacts(now),
    }


def overdue_by_path(today: dt.date) -> dict[str, int]:
    """Open feedback past its time limit, counted by the unit's path: the Monday summary's line."""
    counts: dict[str, int] = {}
    for path in overdue_feedback(today).values_list("unit__path", flat=True):
        counts[path] = counts.get(path, 0) + 1
    return counts
