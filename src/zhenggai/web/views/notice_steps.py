"""The notice workflow's buttons on the versions page: 审定, 签发发布, 撤回 (POST only, then back to the list)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.notices.models import Notice
from zhenggai.notices.workflow import approve_notice, sign_notice, withdraw_notice
from zhenggai.web.views.common import actor


def _notice(request: HttpRequest, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)


def _step(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    notice = _notice(request, pk)
    user = actor(request)
    try:
        if what == "approve":
            done = approve_notice(by=user, notice=notice, note=request.POST.get("note", ""))
        elif what == "sign":
            done = sign_notice(by=user, notice=notice)
        else:
            done = withdraw_notice(by=user, notice=notice, reason=request.POST.get("reason", ""))
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"第{done.version}版通报：{done.get_state_display()}。")
    return redirect("notice_versions", pk=notice.inspection_id)


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "approve")


@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "sign")


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "withdraw")


def notice_css(request: HttpRequest) -> HttpResponse:
    """The published notice's own typography (notices.render.to_html), for the preview pane: one source."""
    from zhenggai.notices.render.to_html import NOTICE_STYLE

    response = HttpResponse(NOTICE_STYLE, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response
