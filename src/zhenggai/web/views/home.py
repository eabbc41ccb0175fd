"""The home page: what needs this user now."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, Decision
from zhenggai.ledger.models import Extension, Inspection, Measure, SignOff
from zhenggai.ledger.querysets import path_q
from zhenggai.web.access import is_supervisor, managed_paths
from zhenggai.web.lights import DUE_SOON_DAYS
from zhenggai.web.views.common import actor
from zhenggai.web.views.home_scope import supervised_scope


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
    managed = managed_paths(user)
    if managed == []:  # reviews only happen where the user leads or supervises
        signoffs, extensions = SignOff.objects.none(), Extension.objects.none()
    else:
        reviewable = Q() if managed is None else path_q("measure__inspection__inspected_unit__path", managed)
        pending = Q(decision=Decision.PENDING) & reviewable
        signoffs = SignOff.objects.filter(pending).exclude(requested_by=user)
        extensions = Extension.objects.filter(pending).exclude(requested_by=user)
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
            "pending_signoffs": signoffs.count(),
            "pending_extensions": extensions.count(),
            "inspections": inspections[:10],
            "supervisor": is_supervisor(user),
            "scope": supervised_scope(user),
        },
    )
