"""A measure's page: context, owners, deadline, history; and the forms that act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhenggai.ledger import services
from zhenggai.ledger.errors import Conflict, DomainError, NotPermitted
from zhenggai.ledger.models import AuditEvent, Evidence, Finding, Measure, ProgressReport, Unit
from zhenggai.web.access import measure_actions
from zhenggai.web.forms import (
    ExtensionForm,
    MeasureEditForm,
    ReasonForm,
    ReportForm,
    SignoffRequestForm,
    attach_error,
)
from zhenggai.web.lights import light_of, with_lights
from zhenggai.web.views.common import actor


def _measure(request: HttpRequest, pk: int) -> Measure:
    """The measure if this user may see it; 404 otherwise, so other units' ids reveal nothing."""
    queryset = Measure.objects.visible_to(request.user).select_related(
        "inspection__inspected_unit", "finding__parent__parent", "lead_department"
    )
    return get_object_or_404(with_lights(queryset), pk=pk)


def _context(request: HttpRequest, measure: Measure, **forms: object) -> dict[str, object]:
    user = actor(request)
    chain = []
    finding: Finding | None = measure.finding
    while finding is not None:
        chain.append(finding)
        finding = finding.parent
    reports = ProgressReport.objects.filter(measure=measure).select_related("reported_by")
    return {
        "measure": measure,
        "chain": list(reversed(chain)),
        "light": light_of(measure),
        "reports": reports.prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id"))),
        "signoffs": measure.signoffs.select_related("requested_by", "reviewed_by"),
        "extensions": measure.extensions.select_related("requested_by", "reviewed_by"),
        "cooperating": measure.cooperating_departments.all(),
        "events": AuditEvent.objects.for_object(measure).select_related("actor")[:20],
        "can": measure_actions(user, measure),
        "report_form": forms.get("report_form") or ReportForm(),
        "signoff_form": forms.get("signoff_form") or SignoffRequestForm(),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "reason_form": ReasonForm(),
    }


def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    return render(request, "web/measure_detail.html", _context(request, measure))


def _act(
    request: HttpRequest,
    pk: int,
    form: Form,
    slot: str,
    call: Callable[[Measure, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate `form`, call the service; on success redirect with `done`, else show the page again with the
    form (in context slot `slot`) carrying the errors beside its fields."""
    measure = _measure(request, pk)
    if form.is_valid():
        try:
            call(measure, form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, done)
            return redirect("measure", pk=pk)
    context = _context(request, measure, **{slot: form})
    return render(request, "web/measure_detail.html", context, status=400)


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    def call(measure: Measure, data: dict[str, Any]) -> object:
        uploads = [services.UploadedEvidence(f.name or "未命名", f) for f in data["evidence"]]
        return services.report_progress(
            by=actor(request), measure=measure, text=data["text"], progress=data["progress"], files=uploads
        )

    form = ReportForm(request.POST, request.FILES)
    return _act(request, pk, form, "report_form", call, "整改进展已报送。")


@require_POST
def request_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    def call(measure: Measure, data: dict[str, Any]) -> object:
        return services.request_signoff(
            by=actor(request), measure=measure, note=data["note"], periodic_review=data["periodic_review"]
        )

    form = SignoffRequestForm(request.POST)
    return _act(request, pk, form, "signoff_form", call, "已提交销号申请，等待审核。")


@require_POST
def request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    def call(measure: Measure, data: dict[str, Any]) -> object:
        return services.request_extension(
            by=actor(request), measure=measure, new_deadline=data["new_deadline"], reason=data["reason"]
        )

    form = ExtensionForm(request.POST)
    return _act(request, pk, form, "extension_form", call, "已提交延期申请，等待审核。")


@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_measure(by=actor(request), measure=measure, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "整改措施已重新打开。")
    else:
        messages.error(request, "重新打开须填写理由。")
    return redirect("measure", pk=pk)


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form carries the version it showed; a save on a measure changed since is refused (409)."""
    measure = _measure(request, pk)
    departments = Unit.objects.subtree_of(measure.inspection.inspected_unit)
    initial = {
        "text": measure.text,
        "kind": measure.kind,
        "responsible_leader": measure.responsible_leader,
        "lead_department": measure.lead_department,
        "responsible_person": measure.responsible_person,
        "start_date": measure.start_date,
    }
    conflict: Conflict | None = None
    if request.method == "POST":
        form = MeasureEditForm(request.POST, departments=departments)
        if form.is_valid():
            seen = form.cleaned_data["version"]
            changes = {k: v for k, v in form.cleaned_data.items() if k in initial and v != initial[k]}
            try:
                if changes:
                    services.edit_measure(
                        by=actor(request), measure=measure, expected_version=seen, **changes
                    )
            except NotPermitted as error:
                return HttpResponseForbidden(error.message)
            except Conflict as error:
                conflict = error
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "整改措施已保存。" if changes else "没有修改。")
                return redirect("measure", pk=pk)
    else:
        form = MeasureEditForm(initial=initial | {"version": measure.version}, departments=departments)
    context = {"measure": measure, "form": form, "conflict": conflict}
    return render(request, "web/measure_edit.html", context, status=409 if conflict else 200)


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download a piece of evidence; scoped like its measure."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
