"""预警 and 督办单 (read), 督办单 issue/reply/close (write) through the supervision services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from zhenggai.api.auth import caller, writer
from zhenggai.api.paging import page
from zhenggai.api.problems import ApiError
from zhenggai.api.schemas import Id, Limit, SupervisionNoticeOut, WarningOut
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import SupervisionNotice, Warning
from zhenggai.supervision.notices import (
    close_supervision_notice,
    issue_supervision_notice,
    reply_supervision_notice,
)

router = Router(tags=["督查督办"])


class WarningPage(Schema):
    items: list[WarningOut]
    next_cursor: str | None


@router.get("/warnings", response=WarningPage, summary="预警（颜色变化记录，游标翻页）")
def warnings(
    request: HttpRequest,
    colour: Colour | None = None,
    measure: Id | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    rows = Warning.objects.visible_to(caller(request))
    if colour:
        rows = rows.filter(colour=colour)
    if measure is not None:
        rows = rows.filter(measure_id=measure)
    items, next_cursor = page(rows, cursor, limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/warnings/{warning_id}", response=WarningOut, summary="预警")
def warning(request: HttpRequest, warning_id: Id) -> Warning:
    return get_object_or_404(Warning.objects.visible_to(caller(request)), pk=warning_id)


def notice_out(notice: SupervisionNotice) -> dict[str, Any]:
    fields = [
        "unit_id",
        "title",
        "content",
        "issued_at",
        "reply_deadline",
        "level",
        "status",
        "reply",
        "replied_at",
        "closed_at",
        "closing_note",
    ]
    return {"id": notice.pk, "measure_ids": sorted(m.pk for m in notice.measures.all())} | {
        name: getattr(notice, name) for name in fields
    }


class NoticePage(Schema):
    items: list[SupervisionNoticeOut]
    next_cursor: str | None


@router.get("/supervision-notices", response=NoticePage, summary="督办单（游标翻页）")
def notices(
    request: HttpRequest,
    open_only: bool = False,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    rows = SupervisionNotice.objects.visible_to(caller(request)).prefetch_related("measures")
    if open_only:
        rows = rows.open()
    items, next_cursor = page(rows, cursor, limit)
    return {"items": [notice_out(n) for n in items], "next_cursor": next_cursor}


def visible_notice(request: HttpRequest, notice_id: Id) -> SupervisionNotice:
    return get_object_or_404(SupervisionNotice.objects.visible_to(caller(request)), pk=notice_id)


@router.get("/supervision-notices/{notice_id}", response=SupervisionNoticeOut, summary="督办单")
def notice(request: HttpRequest, notice_id: Id) -> dict[str, Any]:
    return notice_out(visible_notice(request, notice_id))


class IssueIn(Schema):
    measure_ids: list[Id]
    title: str
    content: str
    reply_deadline: dt.date


class ReplyIn(Schema):
    reply: str


class CloseIn(Schema):
    closing_note: str


@router.post("/supervision-notices", response={201: SupervisionNoticeOut}, summary="下发督办单（巡察办）")
def issue(request: HttpRequest, data: IssueIn) -> Status[dict[str, Any]]:
    user = writer(request)
    measures = list(Measure.objects.visible_to(user).filter(pk__in=data.measure_ids))
    if len(measures) != len(set(data.measure_ids)):
        raise ApiError(404, "未找到部分整改措施，或您无权查看。")
    made = issue_supervision_notice(
        by=user, measures=measures, title=data.title, content=data.content, reply_deadline=data.reply_deadline
    )
    return Status(201, notice_out(made))


@router.post("/supervision-notices/{notice_id}/reply", response=SupervisionNoticeOut, summary="回复督办单")
def reply(request: HttpRequest, notice_id: Id, data: ReplyIn) -> dict[str, Any]:
    user = writer(request)
    return notice_out(
        reply_supervision_notice(by=user, notice=visible_notice(request, notice_id), reply=data.reply)
    )


@router.post("/supervision-notices/{notice_id}/close", response=SupervisionNoticeOut, summary="办结督办单")
def close(request: HttpRequest, notice_id: Id, data: CloseIn) -> dict[str, Any]:
    user = writer(request)
    found = visible_notice(request, notice_id)
    return notice_out(close_supervision_notice(by=user, notice=found, closing_note=data.closing_note))
