"""全程纪实 of one object, for anyone who may see the object."""

from __future__ import annotations

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhenggai.ledger.models import AuditEvent, Clue, Inspection, Measure, Regulation
from zhenggai.web.views.common import paginate

AUDITED: dict[str, type[models.Model]] = {
    "measure": Measure,
    "inspection": Inspection,
    "regulation": Regulation,
    "clue": Clue,
}


def audit_trail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = AUDITED.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model.objects.visible_to(request.user), pk=pk)  # type: ignore[attr-defined]
    events = AuditEvent.objects.for_object(obj).select_related("actor").order_by("-at", "-id")
    return render(request, "web/audit.html", {"obj": obj, "kind": kind, "page": paginate(request, events)})
