"""A measure's page: context, owners, deadline, history; and the forms that act on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.errors import Conflict, DomainError, NotPermitted
from zhenggai.ledger.models import (
    AuditEvent,
    Evidence,
    Extension,
    Finding,
    Measure,
    ProgressReport,
    SignOff,
    Unit,
)
from zhenggai.ledger.security_audit import download_event
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
from zhenggai.web.views.common import actor, require_manager_of


def _measure(request: HttpRequest, pk: int) -> Measure:
    """The measure if this user may see it; 404 otherwise, so other units' ids reveal nothing."""
    queryset = Measure.objects.visible_to(request.user).select_related(
        "inspection__inspected_unit", "finding__parent__parent", "lead_department"
    )
    return get_object_or_404(with_lights(queryset), pk=pk)


@dataclass
class Entry:
    """One line of the measure's timeline."""

    when: dt.datetime
    kind: str  # css hook: report, signoff, extension, supervision, reopen
    title: str
    who: str = ""
    text: str = ""
    verdict: str = ""  # approved / rejected / withdrawn / pending: the badge's colour
    evidence: list[Evidence] = field(default_factory=list)


def _name(user: User | None) -> str:
    return (user.first_name or user.username) if user is not None else ""


def _decisions(item: SignOff | Extension, what: str) -> Entry | None:
    if item.decision == Decision.PENDING or item.reviewed_at is None:
        return None
    verb = {Decision.APPROVED: "同意", Decision.REJECTED: "退回", Decision.WITHDRAWN: "申请人撤回"}
    who = _name(item.requested_by) if item.decision == Decision.WITHDRAWN else _name(item.reviewed_by)
    note = f"审核意见：{item.review_note}" if item.review_note else ""
    return Entry(
        item.reviewed_at,
        item.__class__.__name__.lower(),
        f"{verb[Decision(item.decision)]}{what}",
        who,
        note,
        item.decision,
    )


def _timeline(
    measure: Measure, reports: list[ProgressReport], signoffs: list[SignOff], extensions: list[Extension]
) -> list[Entry]:
    """Reports, reviews, extensions, 督办 and reopenings in one column, newest first."""
    entries = [
        Entry(
            r.reported_at,
            "report",
            f"报送进展 · {r.progress}%",
            _name(r.reported_by),
            r.text,
            evidence=list(r.evidence.all()),
        )
        for r in reports
    ]
    for s in signoffs:
        entries.append(Entry(s.requested_at, "signoff", "申请销号", _name(s.requested_by), s.note, "pending"))
        if (decided := _decisions(s, "销号")) is not None:
            entries.append(decided)
    for x in extensions:
        days = f"（+{(x.new_deadline - x.old_deadline).days} 天）" if x.old_deadline else ""
        change = f"{date_format(x.old_deadline) if x.old_deadline else '未定'} → {date_format(x.new_deadline)}{days}"
        entries.append(
            Entry(
                x.requested_at, "extension", f"申请延期：{change}", _name(x.requested_by), x.reason, "pending"
            )
        )
        if (decided := _decisions(x, "延期")) is not None:
            entries.append(decided)
    notices = measure.supervision_notices.select_related("issued_by", "replied_by")
    for n in notices:
        entries.append(
            Entry(
                n.issued_at,
                "supervision",
                f"{n.get_level_display()}：{n.title}",
                _name(n.issued_by),
                n.content,
            )
        )
        if n.replied_at is not None:
            entries.append(Entry(n.replied_at, "supervision", "回复督办单", _name(n.replied_by), n.reply))
        if n.closed_at is not None:
            entries.append(Entry(n.closed_at, "supervision", "督办单办结", "", "", "approved"))
    reopened = AuditEvent.objects.for_object(measure).filter(action="reopen_measure").select_related("actor")
    for event in reopened:
        reason = (event.after or {}).get("reason", "") if isinstance(event.after, dict) else ""
        entries.append(Entry(event.at, "reopen", "重新打开", _name(event.actor), str(reason), "rejected"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def awaits_why(approval: Any) -> str:
    """Why an extension the leader approved waits for the 巡察办: a 督办单 covers the measure (the approval
    names it), else the extension is beyond the limits (longer or more often than allowed)."""
    return "措施在督办中" if approval is not None and approval.notice_id else "超过延期限额"


def _pending(items: list[Any]) -> Any:
    return next((item for item in items if item.decision == Decision.PENDING), None)


def _context(
    request: HttpRequest, measure: Measure, review: tuple[str, int, str, str] | None = None, **forms: object
) -> dict[str, object]:
    user = actor(request)
    chain = []
    finding: Finding | None = measure.finding
    while finding is not None:
        chain.append(finding)
        finding = finding.parent
    reports = list(
        ProgressReport.objects.filter(measure=measure)
        .select_related("reported_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
    )
    signoffs = list(measure.signoffs.select_related("requested_by", "reviewed_by"))
    extensions = list(
        measure.extensions.select_related("requested_by", "reviewed_by", "supervision_approval")
    )
    can = measure_actions(user, measure)
    manages = can["manage"]
    pending_signoff = _pending(signoffs)
    pending_extension = _pending(extensions)
    for kind, pending in (("signoff", pending_signoff), ("extension", pending_extension)):
        if pending is None:
            continue
        pending.own = pending.requested_by_id == user.pk
        pending.kind = kind
        approval = getattr(pending, "supervision_approval", None) if kind == "extension" else None
        pending.awaits_supervisor = approval is not None and approval.leader_id is not None
        pending.awaits_why = awaits_why(approval)
        if kind == "extension" and pending.old_deadline is not None:
            pending.days = (pending.new_deadline - pending.old_deadline).days
        if review is not None and review[:2] == (kind, pending.pk):
            pending.review_error, pending.draft = review[2], review[3]
    can |= {
        "signoff": can["signoff"] and pending_signoff is None,
        "extend": can["extend"]
        and pending_extension is None
        and measure.deadline is not None
        and measure.status != MeasureStatus.DONE,
        "withdraw_signoff": pending_signoff is not None and pending_signoff.own,
        "withdraw_extension": pending_extension is not None and pending_extension.own,
        "review_signoff": pending_signoff is not None and manages and not pending_signoff.own,
        "review_extension": pending_extension is not None and manages and not pending_extension.own,
    }
    can["any"] = any(v for k, v in can.items() if k != "manage")
    return {
        "measure": measure,
        "chain": list(reversed(chain)),
        "light": light_of(measure),
        "timeline": _timeline(measure, reports, signoffs, extensions),
        "pending_signoff": pending_signoff,
        "pending_extension": pending_extension,
        "review_back": reverse("measure", args=[measure.pk]),
        "cooperating": measure.cooperating_departments.all(),
        "can": can,
        "report_form": forms.get("report_form") or ReportForm(initial={"progress": measure.progress}),
        "signoff_form": forms.get("signoff_form") or SignoffRequestForm(),
        "signoff_open": measure.progress == 100 or "signoff_form" in forms,
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "reason_form": ReasonForm(),
    }


def render_measure(
    request: HttpRequest,
    pk: int,
    *,
    review: tuple[str, int, str, str] | None = None,
    status: int = 200,
    **forms: object,
) -> HttpResponse:
    measure = _measure(request, pk)
    return render(
        request, "web/measure_detail.html", _context(request, measure, review, **forms), status=status
    )


def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_measure(request, pk)


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
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, done)
            return redirect("measure", pk=pk)
    context = _context(request, measure, None, **{slot: form})
    return render(request, "web/measure_detail.html", context, status=400)


def _withdraw(request: HttpRequest, model: type[SignOff] | type[Extension], pk: int) -> HttpResponse:
    item: Any = get_object_or_404(model.objects.visible_to(request.user).select_related("measure"), pk=pk)
    try:
        if isinstance(item, SignOff):
            services.withdraw_signoff_request(by=actor(request), signoff=item)
        else:
            services.withdraw_extension_request(by=actor(request), extension=item)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已撤回销号申请。" if isinstance(item, SignOff) else "已撤回延期申请。")
    return redirect("measure", pk=item.measure_id)


@require_POST
def withdraw_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _withdraw(request, SignOff, pk)


@require_POST
def withdraw_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _withdraw(request, Extension, pk)


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
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
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
    require_manager_of(
        request, measure.inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以修改整改措施。"
    )
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


# Types a browser shows in the page (the desk previews them in an <img> or <iframe>); others are downloaded.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


@xframe_options_sameorigin
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A piece of evidence, scoped like its measure: shown inline when an image or a PDF, else downloaded.
    Behind nginx (ZHENGGAI_MEDIA_ACCEL_REDIRECT) the permission check stays here and nginx sends the file."""
    evidence = get_object_or_404(
        Evidence.objects.visible_to(request.user).select_related("measure__inspection__inspected_unit"), pk=pk
    )
    unit = evidence.measure.inspection.inspected_unit
    download_event(request, "download_evidence", evidence, unit, evidence.original_name)
    if settings.MEDIA_ACCEL_REDIRECT and not settings.S3_BUCKET:  # nginx reads local files only
        return accel_redirect(
            evidence.file.name or "",
            content_type=evidence.content_type,
            filename=evidence.original_name,
            as_attachment=evidence.content_type not in INLINE_TYPES,
        )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=evidence.content_type not in INLINE_TYPES,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def accel_redirect(name: str, *, content_type: str, filename: str, as_attachment: bool) -> HttpResponse:
    """An empty response telling nginx to send MEDIA_ROOT/name from its internal location."""
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_REDIRECT}/{quote(name)}"
    disposition = "attachment" if as_attachment else "inline"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response
