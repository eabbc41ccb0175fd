"""我的整改任务: the measures a user works on, most urgent first, filterable and sortable, a page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhenggai.ledger.models import Measure
from zhenggai.web.filters import SHOW, TaskFilter, due_text
from zhenggai.web.lights import light_of, with_lights
from zhenggai.web.views.common import paginate

FILTERS = SHOW  # the 范围 choices, as the template names them


def my_tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = TaskFilter(request.GET, user=request.user)
    measures = form.apply(with_lights(Measure.objects.responsible_for(request.user)))
    related = measures.select_related("lead_department", "inspection__inspected_unit", "finding")
    page = paginate(request, related)
    rows = [(measure, light_of(measure), due_text(measure, today)) for measure in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/tasks.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "show": form.value("show") or "open",
            "filters": FILTERS,
            "q": form.value("q") or "",
            "today": today,
            "query_string": params.urlencode(),
        },
    )
