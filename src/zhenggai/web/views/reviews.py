"""The review desk (待我审核): each pending sign-off and extension with the measure, its last reports and their
evidence, the requester's note, a 审核意见 box and a confirmation step; batch approval for many items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.ledger.models import Evidence, Extension, ProgressReport, SignOff
from zhenggai.web.access import managed_q
from zhenggai.web.forms import ReviewForm
from zhenggai.web.views.common import MANAGERS, actor, paginate, require_roles, safe_next
from zhenggai.web.views.measures import awaits_why, render_measure

_RELATED = ("measure__inspection__inspected_unit", "measure__lead_department", "requested_by")
DESK_PAGE_SIZE = 20
RECENT_REPORTS = 3
RETURN_NEEDS_NOTE = "退回须填写审核意见。"


def recent_reports(
    measure_ids: Iterable[int], limit: int = RECENT_REPORTS
) -> dict[int, list[ProgressReport]]:
    """The last `limit` reports of each measure with their evidence, newest first: two queries in all."""
    ids = set(measure_ids)
    if not ids:
        return {}
    rank = Window(
        RowNumber(), partition_by=[F("measure_id")], order_by=[F("reported_at").desc(), F("id").desc()]
    )
    reports = (
        ProgressReport.objects.filter(measure_id__in=ids)
        .annotate(rank=rank)
        .filter(rank__lte=limit)
        .select_related("reported_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("measure_id", "rank")
    )
    found: dict[int, list[ProgressReport]] = {}
    for report in reports:
        found.setdefault(report.measure_id, []).append(report)
    return found


def pending_signoffs(user: User) -> QuerySet[SignOff]:
    return (
        SignOff.objects.visible_to(user)
        .filter(managed_q(user, "measure__inspection__inspected_unit"), decision=Decision.PENDING)
        .select_related(*_RELATED)
        .order_by("requested_at", "id")
    )


def pending_extensions(user: User) -> QuerySet[Extension]:
    return (
        Extension.objects.visible_to(user)
        .filter(managed_q(user, "measure__inspection__inspected_unit"), decision=Decision.PENDING)
        .select_related(*_RELATED, "supervision_approval")
        .order_by("requested_at", "id")
    )


def _desk(request: HttpRequest, failed: tuple[str, int, str, str] | None = None) -> dict[str, object]:
    """The desk's context. `failed` = (kind, pk, message, draft note) puts a refusal beside that item's box."""
    user = actor(request)
    signoffs = paginate(request, pending_signoffs(user), DESK_PAGE_SIZE)
    extensions = paginate_as(request, pending_extensions(user), "xpage")
    signoffs.object_list = list(signoffs.object_list)
    extensions.object_list = list(extensions.object_list)
    items: list[Any] = [*signoffs.object_list, *extensions.object_list]
    recent = recent_reports(item.measure_id for item in items)
    unplaced = failed[2] if failed is not None else ""
    for kind, page in (("signoff", signoffs.object_list), ("extension", extensions.object_list)):
        for item in page:
            item.kind = kind
            item.recent_reports = recent.get(item.measure_id, [])
            item.own = item.requested_by_id == user.pk
            if kind == "extension":
                item.days = (item.new_deadline - item.old_deadline).days if item.old_deadline else None
                approval = getattr(item, "supervision_approval", None)
                item.awaits_supervisor = approval is not None and approval.leader_id is not None
                item.awaits_why = awaits_why(approval)
            if failed is not None and failed[:2] == (kind, item.pk):
                item.review_error, item.draft = failed[2], failed[3]
                unplaced = ""
    # A refusal for an item not on this page (or not the user's to review) shows at the top.
    back = safe_next(request, "reviews") if request.method == "POST" else request.get_full_path()
    return {"signoffs": signoffs, "extensions": extensions, "refusal": unplaced, "review_back": back}


def paginate_as(request: HttpRequest, queryset: QuerySet[Any], param: str) -> Page[Any]:
    return Paginator(queryset, DESK_PAGE_SIZE).get_page(request.GET.get(param))


def queue(request: HttpRequest) -> HttpResponse:
    require_roles(request, MANAGERS, "待我审核供单位领导和巡察办使用。")
    return render(request, "web/reviews.html", _desk(request))


def _refused(request: HttpRequest, item: Any, message: str, draft: str) -> HttpResponse:
    """Show the refusal beside the box it concerns: on the measure page or on the desk, where the form was."""
    failed = (item.kind, item.pk, message, draft)
    if request.POST.get("from") == "measure":
        return render_measure(request, item.measure_id, review=failed, status=400)
    return render(request, "web/reviews.html", _desk(request, failed), status=400)


def _outcome(signoff: SignOff) -> MeasureStatus:
    """A request stating a periodic review asks for 持续推进 (长期坚持 measures only)."""
    return MeasureStatus.ONGOING if signoff.periodic_review else MeasureStatus.DONE


def _decide(request: HttpRequest, kind: str, pk: int, approve: bool) -> HttpResponse:
    user = actor(request)
    model = SignOff if kind == "signoff" else Extension
    item: Any = get_object_or_404(model.objects.visible_to(user).select_related("measure"), pk=pk)
    item.kind = kind
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, item, " ".join(str(e) for e in form.errors["note"]), request.POST.get("note", "")
        )
    note = form.cleaned_data["note"]
    if not approve and not note.strip():
        return _refused(request, item, RETURN_NEEDS_NOTE, note)
    try:
        if kind == "signoff" and approve:
            services.approve_signoff(by=user, signoff=item, outcome=_outcome(item), note=note)
        elif kind == "signoff":
            services.reject_signoff(by=user, signoff=item, reason=note)
        elif approve:
            services.approve_extension(by=user, extension=item, note=note)
        else:
            services.reject_extension(by=user, extension=item, reason=note)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        return _refused(request, item, error.message, note)
    item.refresh_from_db(fields=["decision"])
    what = "销号申请" if kind == "signoff" else "延期申请"
    if approve and item.decision == Decision.PENDING:
        messages.success(request, f"已同意整改措施{item.measure.code}的{what}，待巡察办审核后生效。")
    else:
        messages.success(request, f"{'已同意' if approve else '已退回'}整改措施{item.measure.code}的{what}。")
    return redirect(safe_next(request, "reviews"))


@require_POST
def approve_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "signoff", pk, approve=True)


@require_POST
def reject_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "signoff", pk, approve=False)


@require_POST
def approve_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "extension", pk, approve=True)


@require_POST
def reject_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "extension", pk, approve=False)


def _ids(request: HttpRequest, name: str) -> list[int]:
    return sorted({int(value) for value in request.POST.getlist(name) if value.isdigit()})


@require_POST
def batch_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked items one by one through the same services; each succeeds or is reported apart."""
    require_roles(request, MANAGERS, "待我审核供单位领导和巡察办使用。")
    user = actor(request)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    signoffs = (
        SignOff.objects.visible_to(user).filter(pk__in=_ids(request, "signoff")).select_related("measure")
    )
    extensions = (
        Extension.objects.visible_to(user).filter(pk__in=_ids(request, "extension")).select_related("measure")
    )
    done: list[str] = []
    refused: list[str] = []
    for signoff in signoffs.order_by("requested_at", "id"):
        try:
            services.approve_signoff(by=user, signoff=signoff, outcome=_outcome(signoff), note=note)
        except DomainError as error:
            refused.append(f"{signoff.measure.code}（销号）：{error.message}")
        else:
            done.append(f"{signoff.measure.code}（销号）")
    for extension in extensions.order_by("requested_at", "id"):
        try:
            decided = services.approve_extension(by=user, extension=extension, note=note)
        except DomainError as error:
            refused.append(f"{extension.measure.code}（延期）：{error.message}")
        else:
            waits = "，待巡察办审核" if decided.decision == Decision.PENDING else ""
            done.append(f"{extension.measure.code}（延期{waits}）")
    if not done and not refused:
        messages.error(request, "请先勾选要同意的申请。")
    if done:
        messages.success(request, f"已同意 {len(done)} 项：{'、'.join(done)}。")
    if refused:
        messages.error(request, f"未能同意 {len(refused)} 项：" + "；".join(refused))
    return redirect("reviews")
