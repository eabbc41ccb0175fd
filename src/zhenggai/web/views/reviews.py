"""The leader's queue: pending sign-offs and extensions to approve, or reject with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Extension, SignOff
from zhenggai.web.access import managed_q
from zhenggai.web.forms import ApproveForm, ReasonForm
from zhenggai.web.views.common import actor, paginate, safe_next

_RELATED = ("measure__inspection__inspected_unit", "measure__lead_department", "requested_by")


def queue(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    reviewable = managed_q(user, "measure__inspection__inspected_unit")
    signoffs = (
        SignOff.objects.visible_to(user)
        .filter(reviewable, decision=Decision.PENDING)
        .select_related(*_RELATED)
        .order_by("requested_at", "id")
    )
    extensions = (
        Extension.objects.visible_to(user)
        .filter(reviewable, decision=Decision.PENDING)
        .select_related(*_RELATED)
        .order_by("requested_at", "id")
    )
    return render(
        request,
        "web/reviews.html",
        {
            "signoffs": paginate(request, signoffs),
            "extensions": extensions[:100],
            "reason_form": ReasonForm(),
        },
    )


def _done(request: HttpRequest, approve: bool, what: str, code: str) -> HttpResponse:
    verdict = "已同意" if approve else "已退回"
    messages.success(request, f"{verdict}整改措施{code}的{what}。")
    return redirect(safe_next(request, "reviews"))


def _decide_signoff(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    user = actor(request)
    signoff = get_object_or_404(SignOff.objects.visible_to(user).select_related("measure"), pk=pk)
    form = ApproveForm(request.POST) if approve else ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回须填写理由。")
        return redirect(safe_next(request, "reviews"))
    try:
        if approve:
            # A request stating a periodic review asks for 持续推进 (长期坚持 measures only).
            outcome = MeasureStatus.ONGOING if signoff.periodic_review else MeasureStatus.DONE
            services.approve_signoff(
                by=user, signoff=signoff, outcome=outcome, note=form.cleaned_data["note"]
            )
        else:
            services.reject_signoff(by=user, signoff=signoff, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(safe_next(request, "reviews"))
    return _done(request, approve, "销号申请", signoff.measure.code)


def _decide_extension(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    user = actor(request)
    extension = get_object_or_404(Extension.objects.visible_to(user).select_related("measure"), pk=pk)
    form = ApproveForm(request.POST) if approve else ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回须填写理由。")
        return redirect(safe_next(request, "reviews"))
    try:
        if approve:
            decided = services.approve_extension(by=user, extension=extension, note=form.cleaned_data["note"])
            if decided.decision == Decision.PENDING:
                messages.success(
                    request, f"已同意整改措施{extension.measure.code}的延期申请，待巡察办审核后生效。"
                )
                return redirect(safe_next(request, "reviews"))
        else:
            services.reject_extension(by=user, extension=extension, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(safe_next(request, "reviews"))
    return _done(request, approve, "延期申请", extension.measure.code)


@require_POST
def approve_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_signoff(request, pk, approve=True)


@require_POST
def reject_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_signoff(request, pk, approve=False)


@require_POST
def approve_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_extension(request, pk, approve=True)


@require_POST
def reject_extension(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_extension(request, pk, approve=False)
