"""Figures (the CLI's `stats --json`), the notice rendered from the ledger, the ledger as .xlsx out and in."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile

from zhenggai.api.auth import caller, writer
from zhenggai.api.problems import ApiError
from zhenggai.api.routes.ledger import visible_inspection
from zhenggai.api.schemas import Figures, Id, ImportConfirm, ImportOut
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.permissions import can_manage
from zhenggai.notices.choices import Audience
from zhenggai.notices.render import render_docx, render_html, render_markdown
from zhenggai.notices.services import prepare_notice
from zhenggai.sheets.export import export_ledger
from zhenggai.sheets.importing import ImportResult, import_ledger
from zhenggai.sheets.read import SheetReadError
from zhenggai.web.views.documents import DOCX, STAGED, XLSX, download

router = Router(tags=["数据与文书"])

XLSX_RESPONSE = {"responses": {200: {"description": "台账 .xlsx", "content": {XLSX: {}}}}}
NOTICE_RESPONSE = {
    "responses": {
        200: {
            "description": "通报：docx、html 或 md",
            "content": {DOCX: {}, "text/html": {}, "text/markdown": {}},
        }
    }
}


@router.get(
    "/inspections/{inspection_id}/stats",
    response=Figures,
    summary="巡察的统计数字（同 zhenggai stats --json）",
)
def stats(request: HttpRequest, inspection_id: Id) -> dict[str, int | float]:
    found = visible_inspection(request, inspection_id)
    figures = inspection_figures(found.pk)
    assert figures is not None
    return figures


@router.get(
    "/inspections/{inspection_id}/notice",
    summary="按台账生成整改情况通报（docx、html 或 md；仅单位领导和上级巡察办）",
    response={200: None},
    openapi_extra=NOTICE_RESPONSE,
)
def notice(
    request: HttpRequest,
    inspection_id: Id,
    format: Literal["docx", "html", "md"] = "docx",
    audience: Audience = Audience.INTERNAL,
) -> HttpResponse:
    found = visible_inspection(request, inspection_id)
    if not can_manage(caller(request), found.inspected_unit):
        raise NotPermitted(f"只有{found.inspected_unit.name}的领导或上级巡察办可以生成通报。")
    prepared = prepare_notice(found, audience=audience)
    title = prepared.doc.title or "整改情况通报"
    if format == "docx":
        return download(render_docx(prepared.doc, prepared.options), DOCX, f"{title}.docx")
    if format == "html":
        return HttpResponse(
            render_html(prepared.doc, prepared.options), content_type="text/html; charset=utf-8"
        )
    return HttpResponse(
        render_markdown(prepared.doc, prepared.options), content_type="text/markdown; charset=utf-8"
    )


@router.get(
    "/inspections/{inspection_id}/ledger.xlsx",
    summary="导出整改台账（部门经办人只含本部门措施）",
    response={200: None},
    openapi_extra=XLSX_RESPONSE,
)
def ledger_export(request: HttpRequest, inspection_id: Id) -> HttpResponse:
    found = visible_inspection(request, inspection_id)
    buffer = io.BytesIO()
    export_ledger(found, buffer, caller(request))
    return download(buffer.getvalue(), XLSX, f"{found.inspected_unit.name}巡察整改台账.xlsx")


def _result(result: ImportResult, confirm: str | None = None) -> dict[str, Any]:
    return dataclasses.asdict(result) | {"ok": result.ok, "confirm_sha256": confirm}


def _import(
    request: HttpRequest, inspection_id: Id, data: bytes, name: str, *, dry_run: bool
) -> ImportResult:
    user = writer(request)
    found = visible_inspection(request, inspection_id)
    if not can_manage(user, found.inspected_unit):
        raise NotPermitted("只有被巡察单位的领导或上级巡察办可以导入台账。")
    try:
        return import_ledger(io.BytesIO(data), inspection_id=found.pk, by=user, dry_run=dry_run, name=name)
    except SheetReadError as error:
        raise ApiError(422, error.message) from None


@router.post(
    "/inspections/{inspection_id}/ledger/import",
    response=ImportOut,
    summary="导入整改台账第一步：试导入（不写入），返回变化和确认用的 confirm_sha256",
)
def ledger_import(request: HttpRequest, inspection_id: Id, file: File[UploadedFile]) -> dict[str, Any]:
    data = file.read()
    name = Path(file.name or "台账.xlsx").name
    result = _import(request, inspection_id, data, name, dry_run=True)
    confirm = STAGED.store(caller(request).pk, data) if result.ok else None
    return _result(result, confirm)


@router.post(
    "/inspections/{inspection_id}/ledger/import/confirm",
    response=ImportOut,
    summary="导入整改台账第二步：确认导入试导入过的同一文件",
)
def ledger_confirm(request: HttpRequest, inspection_id: Id, data: ImportConfirm) -> dict[str, Any]:
    user = writer(request)
    if not re.fullmatch(r"[0-9a-f]{64}", data.sha256):
        raise ApiError(422, "confirm_sha256 应为试导入响应中的 64 位十六进制值。")
    stored = STAGED.load(user.pk, data.sha256)
    if stored is None:
        raise ApiError(409, "上传的文件已过期或已导入，请重新试导入。")
    result = _import(request, inspection_id, stored, Path(data.name).name or "台账.xlsx", dry_run=False)
    STAGED.discard(user.pk, data.sha256)
    if not result.ok:
        raise ApiError(409, "台账自试导入后已有变化，未写入任何内容：" + "；".join(result.errors[:5]))
    return _result(result)
