"""全程纪实 of one object, for anyone who may see the object."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from zhenggai.ledger.audit_labels import ACTION_LABELS, action_label
from zhenggai.ledger.duties import is_auditor
from zhenggai.ledger.models import AuditEvent, Clue, Inspection, Measure, Regulation
from zhenggai.ledger.services.versions import event_changes
from zhenggai.supervision.models import Indicator
from zhenggai.web.access import is_supervisor
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.views.common import actor, paginate

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


# --- the searchable log: the security auditor (everything) and supervisors (their units) ------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AuditSearchForm(ChineseForm):
    user = forms.CharField(label="操作人", max_length=150, required=False)
    action = forms.ChoiceField(label="操作", required=False)
    start = forms.DateField(label="日期从", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="至", required=False, widget=DATE_INPUT)

    def __init__(self, data: object) -> None:
        super().__init__(data)
        options = sorted(ACTION_LABELS.items(), key=lambda item: item[1])
        self.fields["action"].choices = [("", "全部操作"), *options]  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "action" else "form-control"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_log(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if is_auditor(user):
        events = AuditEvent.objects.all()
    elif is_supervisor(user) and not user.is_superuser:
        events = AuditEvent.objects.visible_to(user)
    else:
        raise PermissionDenied("全程纪实查询供安全审计员和巡察办使用。")
    form = AuditSearchForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            who = data["user"].strip()
            events = events.filter(
                Q(actor__username__icontains=who)
                | Q(actor__first_name__icontains=who)
                | Q(actor__last_name__icontains=who)
                | Q(action="login_failed", object_repr__icontains=who)
            )
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["start"]:
            events = events.filter(at__gte=_day_start(data["start"]))
        if data["end"]:
            events = events.filter(at__lt=_day_start(data["end"] + dt.timedelta(days=1)))
    page = paginate(request, events.select_related("actor", "unit").order_by("-seq"))
    shown = list(page.object_list)
    for event in shown:
        event.label = action_label(event.action)
    return render(request, "web/audit_log.html", {"form": form, "page": page, "events": shown})
