"""The home page: what needs this user now."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES
from zhenggai.ledger.models import Inspection, Measure
from zhenggai.web.access import is_supervisor
from zhenggai.web.lights import DUE_SOON_DAYS
from zhenggai.web.views.common import actor
from zhenggai.web.views.home_scope import supervised_scope
from zhenggai.web.waiting import waiting_for


def home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    open_q = Q(status__in=OPEN_STATUSES)
    counts = Measure.objects.responsible_for(user).aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(deadline__lt=today)),
        due_soon=Count("pk", filter=open_q & Q(deadline__gte=today, deadline__lte=soon)),
    )
    waiting = waiting_for(user, today, DUE_SOON_DAYS)
    inspections = (
        Inspection.objects.visible_to(user)
        .select_related("inspected_unit", "tally")
        .order_by("-feedback_date", "-id")
    )
    return render(
        request,
        "web/home.html",
        {
            "counts": counts,
            "pending_signoffs": waiting.pending_signoffs,
            "pending_extensions": waiting.pending_extensions,
            "inspections": inspections[:10],
            "supervisor": is_supervisor(user),
            "waiting": waiting,
            "scope": supervised_scope(user),
        },
    )
