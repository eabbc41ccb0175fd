"""我的整改任务: the measures a user works on, most urgent first, a page at a time."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus
from zhenggai.ledger.models import Measure
from zhenggai.web.lights import by_urgency, light_of, with_lights
from zhenggai.web.views.common import paginate

FILTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "open": ("未完成", {"status__in": OPEN_STATUSES}),
    "pending": ("待销号", {"status": MeasureStatus.PENDING_SIGNOFF}),
    "closed": ("已销号", {"status__in": (MeasureStatus.DONE, MeasureStatus.ONGOING)}),
    "all": ("全部", {}),
}


def my_tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    measures: QuerySet[Measure] = Measure.objects.responsible_for(request.user).filter(**FILTERS[show][1])
    query = request.GET.get("q", "").strip()
    if query:
        measures = measures.filter(text__icontains=query)
    # Among open measures deadline order is urgency order (overdue, due soon, the rest) and an index serves it.
    if show in ("open", "pending"):
        measures = measures.order_by(F("deadline").asc(nulls_last=True), "id")
    else:
        measures = by_urgency(measures)
    related = measures.select_related("lead_department", "inspection__inspected_unit", "finding")
    page = paginate(request, with_lights(related))
    rows = [(measure, light_of(measure)) for measure in page]
    return render(
        request,
        "web/tasks.html",
        {"page": page, "rows": rows, "show": show, "filters": FILTERS, "q": query, "today": today},
    )
