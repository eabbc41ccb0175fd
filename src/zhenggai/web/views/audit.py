"""全程纪实 of one object, for anyone who may see the object."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhenggai.ledger.audit_labels import action_label
from zhenggai.ledger.models import AuditEvent, Clue, Inspection, Measure, Regulation
from zhenggai.ledger.services.versions import event_changes
from zhenggai.supervision.models import Indicator
from zhenggai.web.views.common import paginate

AUDITED: dict[str, type[models.Model]] = {
    "measure": Measure,
    "inspection": Inspection,
    "regulation": Regulation,
    "clue": Clue,
    "indicator": Indicator,
}


def _model(object_type: str) -> type[models.Model] | None:
    for config in apps.get_app_configs():
        try:
            return config.get_model(object_type)
        except LookupError:
            continue
    return None


def audit_trail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = AUDITED.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model.objects.visible_to(request.user), pk=pk)  # type: ignore[attr-defined]
    events = AuditEvent.objects.for_object(obj).select_related("actor").order_by("-at", "-id")
    page = paginate(request, events)
    shown = list(page.object_list)
    for event, changes in zip(shown, event_changes(_model(obj._meta.model_name or ""), shown), strict=True):
        event.label = action_label(event.action)
        event.changes = changes
    return render(request, "web/audit.html", {"obj": obj, "kind": kind, "page": page, "events": shown})
