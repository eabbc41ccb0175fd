"""{% feedback_summary %}: the 群众意见 figures of the user's units, for the overview (one grouped query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, F, Q
from django.utils import timezone

from zhenggai.portal.choices import OPEN_STATES
from zhenggai.portal.services import visible_feedback

register = template.Library()
LIMIT = 10


@register.inclusion_tag("portal/staff/_summary.html", takes_context=True)
def feedback_summary(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    today = timezone.localdate()
    rows = list(
        visible_feedback(user)
        .values("unit_id", "unit__name")
        .annotate(
            received=Count("pk"),
            on_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__date__lte=F("due_on"))),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_on__lt=today)),
        )
        .order_by("-overdue", "-received", "unit__name")
    )
    totals = {k: sum(r[k] for r in rows) for k in ("received", "on_time", "overdue")}
    return {"rows": rows[:LIMIT], "more": max(0, len(rows) - LIMIT), "totals": totals}
