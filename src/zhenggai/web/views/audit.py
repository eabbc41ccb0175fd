"""全程纪实 of one object, for anyone who may see the object."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.audit_export import HEADERS, csv_safe, event_rows, write_rows_xlsx
from zhenggai.ledger.audit_labels import ACTION_LABELS, action_label
from zhenggai.ledger.duties import is_auditor
from zhenggai.ledger.models import AuditEvent, Clue, Inspection, Measure, Regulation
from zhenggai.ledger.security_audit import security_event
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


def _searched(request: HttpRequest) -> tuple[QuerySet[AuditEvent], AuditSearchForm]:
    """The events the caller may search (the security auditor: all; a supervisor: their units'), narrowed by
    the page's conditions when they are valid; anyone else is refused."""
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
    return events, form


def _conditions(request: HttpRequest) -> str:
    """The search's query string without the page number: what the export buttons carry."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def audit_log(request: HttpRequest) -> HttpResponse:
    events, form = _searched(request)
    page = paginate(request, events.select_related("actor", "unit").order_by("-seq"))
    shown = list(page.object_list)
    for event in shown:
        event.label = action_label(event.action)
    context = {
        "form": form,
        "page": page,
        "events": shown,
        "conditions": _conditions(request),
        "export_cap": f"{EXPORT_CAP:,}",
    }
    return render(request, "web/audit_log.html", context)


# --- the search's events as a file: the same people, the same scope, the same conditions ---------------------

EXPORT_CAP = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _described(form: AuditSearchForm) -> str:
    """The conditions in words, for the download's own 全程纪实 event."""
    if not form.is_bound or not form.is_valid():
        return "全部"
    data = form.cleaned_data
    parts = []
    if data["user"]:
        parts.append(f"操作人含“{data['user'].strip()}”")
    if data["action"]:
        parts.append(f"操作为“{action_label(data['action'])}”")
    if data["start"] or data["end"]:
        parts.append(f"日期{data['start'] or '不限'}至{data['end'] or '不限'}")
    return "，".join(parts) or "全部"


class _Line:
    """A write-only 'file' that hands back what csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


def _csv_stream(events: QuerySet[AuditEvent]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(HEADERS)).encode()  # the BOM: Excel then reads the file as UTF-8
    for row in event_rows(events):
        yield writer.writerow([csv_safe(value) for value in row]).encode()


def audit_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The current search's events, oldest first, with the chain hashes (the columns of `zhenggai audit
    export`), for the people who may open the page and within their scope. The events are fixed at the
    newest one when the download starts; beyond EXPORT_CAP rows the page asks for narrower conditions. The
    .xlsx is written row by row into a temporary file, the .csv streamed; each download is itself an event."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    events, form = _searched(request)
    back = f"{reverse('audit_log')}?{_conditions(request)}"
    if form.is_bound and not form.is_valid():
        messages.error(request, "查询条件有误，请改正后再导出。")
        return redirect(back)
    newest = AuditEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    events = events.filter(seq__lte=newest)
    count = events[: EXPORT_CAP + 1].count()
    if count > EXPORT_CAP:
        messages.error(
            request,
            f"符合条件的纪实超过 {EXPORT_CAP:,} 条，无法一次导出。请缩小日期范围或增加操作人、操作条件后再导出。",
        )
        return redirect(back)
    name = f"全程纪实_{timezone.localdate():%Y%m%d}.{fmt}"
    security_event(
        "export_audit",
        user=request.user,
        request=request,
        note=f"文件：{name}；条件：{_described(form)}；共 {count} 条",
    )
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    write_rows_xlsx(event_rows(events), handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_TYPE)
