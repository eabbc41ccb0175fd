"""销号 and 延期: requests and decisions, through the ledger's review services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from zhenggai.api.auth import caller, writer
from zhenggai.api.paging import page
from zhenggai.api.routes.ledger import visible_measure
from zhenggai.api.schemas import (
    ApproveIn,
    ExtensionOut,
    ExtensionPage,
    ExtensionRequest,
    Id,
    Limit,
    RejectIn,
    SignOffOut,
    SignOffPage,
    SignOffRequest,
)
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.models import Extension, SignOff
from zhenggai.ledger.services import (
    approve_extension,
    approve_signoff,
    reject_extension,
    reject_signoff,
    request_extension,
    request_signoff,
)

router = Router(tags=["销号与延期"])

_SIGNOFF = ["note", "decision", "outcome", "requested_at", "reviewed_at", "review_note"]
_EXTENSION = [
    "reason",
    "old_deadline",
    "new_deadline",
    "decision",
    "requested_at",
    "reviewed_at",
    "review_note",
]


def signoff_out(item: SignOff) -> dict[str, Any]:
    return {
        "id": item.pk,
        "measure_id": item.measure_id,
        "requested_by_id": item.requested_by_id,
        "reviewed_by_id": item.reviewed_by_id,
    } | {name: getattr(item, name) for name in _SIGNOFF}


def extension_out(item: Extension) -> dict[str, Any]:
    return {
        "id": item.pk,
        "measure_id": item.measure_id,
        "requested_by_id": item.requested_by_id,
        "reviewed_by_id": item.reviewed_by_id,
    } | {name: getattr(item, name) for name in _EXTENSION}


Review = TypeVar("Review", SignOff, Extension)


def decide(
    request: HttpRequest,
    model: type[Review],
    pk: int,
    decision: Callable[[User, Review], Review],
    out: Callable[[Review], dict[str, Any]],
) -> dict[str, Any]:
    """Decide one 销号 or 延期 request: the caller must be allowed to write (a read-only token is a 403), a request
    outside the caller's units is a 404, the service decides (permission, lifecycle, 全程纪实), and the decided
    request is answered in its output shape."""
    user = writer(request)
    item = get_object_or_404(model.objects.visible_to(user), pk=pk)
    return out(decision(user, item))


@router.get("/signoffs", response=SignOffPage, summary="销号申请（默认待审核的，游标翻页）")
def signoffs(
    request: HttpRequest,
    decision: Decision = Decision.PENDING,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    rows = SignOff.objects.visible_to(caller(request)).filter(decision=decision)
    items, next_cursor = page(rows, cursor, limit)
    return {"items": [signoff_out(s) for s in items], "next_cursor": next_cursor}


@router.get("/signoffs/{signoff_id}", response=SignOffOut, summary="销号申请")
def signoff(request: HttpRequest, signoff_id: Id) -> dict[str, Any]:
    return signoff_out(get_object_or_404(SignOff.objects.visible_to(caller(request)), pk=signoff_id))


@router.post("/measures/{measure_id}/signoffs", response={201: SignOffOut}, summary="申请销号")
def ask_signoff(request: HttpRequest, measure_id: Id, data: SignOffRequest) -> Status[dict[str, Any]]:
    user = writer(request)
    made = request_signoff(
        by=user,
        measure=visible_measure(request, measure_id),
        note=data.note,
        periodic_review=data.periodic_review,
    )
    return Status(201, signoff_out(made))


@router.post("/signoffs/{signoff_id}/approve", response=SignOffOut, summary="同意销号")
def approve_one(request: HttpRequest, signoff_id: Id, data: ApproveIn) -> dict[str, Any]:
    return decide(
        request,
        SignOff,
        signoff_id,
        lambda user, item: approve_signoff(by=user, signoff=item, note=data.note),
        signoff_out,
    )


@router.post("/signoffs/{signoff_id}/reject", response=SignOffOut, summary="退回销号申请")
def reject_one(request: HttpRequest, signoff_id: Id, data: RejectIn) -> dict[str, Any]:
    return decide(
        request,
        SignOff,
        signoff_id,
        lambda user, item: reject_signoff(by=user, signoff=item, reason=data.reason),
        signoff_out,
    )


@router.get("/extensions", response=ExtensionPage, summary="延期申请（默认待审核的，游标翻页）")
def extensions(
    request: HttpRequest,
    decision: Decision = Decision.PENDING,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    rows = Extension.objects.visible_to(caller(request)).filter(decision=decision)
    items, next_cursor = page(rows, cursor, limit)
    return {"items": [extension_out(e) for e in items], "next_cursor": next_cursor}


@router.get("/extensions/{extension_id}", response=ExtensionOut, summary="延期申请")
def extension(request: HttpRequest, extension_id: Id) -> dict[str, Any]:
    return extension_out(get_object_or_404(Extension.objects.visible_to(caller(request)), pk=extension_id))


@router.post("/measures/{measure_id}/extensions", response={201: ExtensionOut}, summary="申请延期")
def ask_extension(request: HttpRequest, measure_id: Id, data: ExtensionRequest) -> Status[dict[str, Any]]:
    user = writer(request)
    made = request_extension(
        by=user,
        measure=visible_measure(request, measure_id),
        new_deadline=data.new_deadline,
        reason=data.reason,
    )
    return Status(201, extension_out(made))


@router.post("/extensions/{extension_id}/approve", response=ExtensionOut, summary="同意延期")
def approve_ext(request: HttpRequest, extension_id: Id, data: ApproveIn) -> dict[str, Any]:
    return decide(
        request,
        Extension,
        extension_id,
        lambda user, item: approve_extension(by=user, extension=item, note=data.note),
        extension_out,
    )


@router.post("/extensions/{extension_id}/reject", response=ExtensionOut, summary="退回延期申请")
def reject_ext(request: HttpRequest, extension_id: Id, data: RejectIn) -> dict[str, Any]:
    return decide(
        request,
        Extension,
        extension_id,
        lambda user, item: reject_extension(by=user, extension=item, reason=data.reason),
        extension_out,
    )
