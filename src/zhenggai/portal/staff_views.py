"""群众意见 inside: the unit's queue, one item's page, and its handling (受理/指派, 答复, 不予受理, 关联, 转线索)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Finding, Inspection
from zhenggai.ledger.permissions import can_manage
from zhenggai.portal.choices import OPEN_STATES, FeedbackState
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.services import (
    accept_feedback,
    answer_feedback,
    create_clue,
    link_finding,
    mask_email,
    mask_name,
    mask_phone,
    publish_answer,
    reject_feedback,
    sees_contact,
    visible_feedback,
)
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.forms import attach_error
from zhenggai.web.views.common import actor


class AcceptForm(ChineseForm):
    handler = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), empty_label="请选择")


class AnswerForm(ChineseForm):
    answer = forms.CharField(label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    publish = forms.BooleanField(label="同时公开答复（不含来信人信息）", required=False)


class RejectForm(ChineseForm):
    reason = forms.CharField(label="不予受理理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class LinkForm(ChineseForm):
    finding = forms.ModelChoiceField(
        label="关联反馈问题", queryset=Finding.objects.none(), empty_label="请选择"
    )


class ClueForm(ChineseForm):
    inspection = forms.ModelChoiceField(
        label="转入巡察", queryset=Inspection.objects.none(), empty_label="请选择"
    )


@dataclass
class UnitRow:
    name: str
    received: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue: int = 0


def unit_rows(feedback: QuerySet[PublicFeedback], today: dt.date) -> list[UnitRow]:
    """Per unit: received, answered on time, overdue (open past its time limit). One query."""
    rows: dict[int, UnitRow] = {}
    values = feedback.values_list("unit_id", "unit__name", "state", "due_on", "answered_at")
    for unit_id, name, state, due_on, answered_at in values:
        row = rows.setdefault(unit_id, UnitRow(name))
        row.received += 1
        if answered_at is not None:
            if timezone.localdate(answered_at) <= due_on:
                row.answered_on_time += 1
            else:
                row.answered_late += 1
        elif state in OPEN_STATES and due_on < today:
            row.overdue += 1
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.name))


def queue(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    today = timezone.localdate()
    visible = visible_feedback(user)
    state = request.GET.get("state", "")
    items = visible.select_related("unit", "handler").order_by("due_on", "pk")
    if state in FeedbackState.values:
        items = items.filter(state=state)
    elif state != "all":
        items = items.filter(state__in=OPEN_STATES)
    context = {
        "items": items[:200],
        "state": state,
        "states": FeedbackState.choices,
        "today": today,
        "units": unit_rows(visible, today),
    }
    return render(request, "portal/staff/queue.html", context)


def _visible(request: HttpRequest, pk: int) -> PublicFeedback:
    return get_object_or_404(
        visible_feedback(actor(request)).select_related("unit", "handler", "notice"), pk=pk
    )


def _forms(feedback: PublicFeedback, data: Any = None, which: str = "") -> dict[str, ChineseForm]:
    def bound(name: str) -> Any:
        return data if which == name else None

    accept = AcceptForm(bound("accept"), prefix="accept")
    unit_path = feedback.unit.path
    accept.fields["handler"].queryset = (  # type: ignore[attr-defined]
        User.objects.filter(is_active=True, memberships__unit__path__startswith=unit_path)
        .distinct()
        .order_by("username")
    )
    link = LinkForm(bound("link"), prefix="link")
    link.fields["finding"].queryset = Finding.objects.filter(  # type: ignore[attr-defined]
        inspection__inspected_unit=feedback.unit, level__in=(FindingLevel.PROBLEM, FindingLevel.DETAIL)
    ).order_by("inspection_id", "position", "pk")
    clue = ClueForm(bound("clue"), prefix="clue")
    clue.fields["inspection"].queryset = Inspection.objects.filter(  # type: ignore[attr-defined]
        inspected_unit=feedback.unit
    ).order_by("-pk")
    return {
        "accept": accept,
        "answer": AnswerForm(bound("answer"), prefix="answer"),
        "reject": RejectForm(bound("reject"), prefix="reject"),
        "link": link,
        "clue": clue,
    }


def _page(
    request: HttpRequest, feedback: PublicFeedback, forms_: dict[str, ChineseForm], status: int = 200
) -> HttpResponse:
    user = actor(request)
    full = sees_contact(user, feedback)
    contact = {
        "name": feedback.name if full else mask_name(feedback.name),
        "phone": feedback.phone if full else mask_phone(feedback.phone),
        "email": feedback.email if full else mask_email(feedback.email),
    }
    context = {
        "item": feedback,
        "contact": contact,
        "full_contact": full,
        "forms": forms_,
        "manages": can_manage(user, feedback.unit),
        "handles": feedback.handler_id == user.pk,
        "open": feedback.state in OPEN_STATES,
        "overdue": feedback.state in OPEN_STATES and feedback.due_on < timezone.localdate(),
        "attachments": list(feedback.attachments.all()),
    }
    return render(request, "portal/staff/detail.html", context, status=status)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _visible(request, pk)
    return _page(request, feedback, _forms(feedback))


DONE = {
    "accept": "已受理，承办人已收到通知。",
    "answer": "已答复，来信人可凭查询码查看。",
    "publish": "答复已公开。",
    "reject": "已不予受理，理由可凭查询码查看。",
    "link": "已关联反馈问题。",
    "clue": "已转为问题线索。",
}


@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DONE:
        raise Http404("没有这个操作。")
    user = actor(request)
    feedback = _visible(request, pk)
    forms_ = _forms(feedback, request.POST, action)
    try:
        if action == "publish":
            publish_answer(by=user, feedback=feedback)
        else:
            form = forms_[action]
            if not form.is_valid():
                return _page(request, feedback, forms_, status=400)
            data = form.cleaned_data
            if action == "accept":
                accept_feedback(by=user, feedback=feedback, handler=data["handler"])
            elif action == "answer":
                answer_feedback(by=user, feedback=feedback, answer=data["answer"], publish=data["publish"])
            elif action == "reject":
                reject_feedback(by=user, feedback=feedback, reason=data["reason"])
            elif action == "link":
                link_finding(by=user, feedback=feedback, finding=data["finding"])
            else:
                create_clue(by=user, feedback=feedback, inspection=data["inspection"])
    except DomainError as error:
        if action == "publish":
            messages.error(request, error.message)
            return redirect("feedback:detail", pk=pk)
        attach_error(forms_[action], error)
        return _page(request, feedback, forms_, status=400)
    messages.success(request, DONE[action])
    return redirect("feedback:detail", pk=pk)


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """An attachment, to those who see the item, always as a download (never rendered in the browser)."""
    feedback = _visible(request, pk)
    found = get_object_or_404(feedback.attachments, pk=attachment_id)
    try:
        handle = found.file.open("rb")
    except OSError:
        raise Http404("附件已不在存储中，请联系管理员。") from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name)
    response["Content-Type"] = found.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response
