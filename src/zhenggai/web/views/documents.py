"""The leader's documents: the ledger as .xlsx (out and back in), the notice (通报) as .docx, its stored versions.

Views parse, authorize, call the notices and sheets services, render. Scoping: every URL looks its inspection
(or notice) up through `visible_to`, so another unit's records answer 404; what a user may not do on a record
they can see (publish, download the internal notice) answers the 403 page with the service's Chinese reason.

The ledger import takes two steps: the upload runs the whole import as a dry run (rolled back) and shows what
would change; the bytes wait under DATA_DIR/uploads/ledgers/<user id>/<sha256>.xlsx until the user confirms,
and the confirmation imports that same file again for real. Files left unconfirmed are removed after a day,
at the user's next upload.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe

from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.ledger.models import Finding, Inspection, Measure
from zhenggai.ledger.permissions import can_manage
from zhenggai.ledger.security_audit import download_event
from zhenggai.notices.choices import Audience, ExcludedKind
from zhenggai.notices.document import StatedFigures
from zhenggai.notices.models import Notice
from zhenggai.notices.render import figures_sentence, render_docx
from zhenggai.notices.services import prepare_notice, preview_notice, publish_notice
from zhenggai.sheets.export import export_ledger
from zhenggai.sheets.importing import ImportResult, import_ledger
from zhenggai.sheets.read import SheetReadError
from zhenggai.untrusted.staging import StagedUploads
from zhenggai.web.document_forms import (
    Item,
    LedgerConfirmForm,
    LedgerUploadForm,
    PublishForm,
    attach_publish_error,
)
from zhenggai.web.views.common import actor, paginate, require_manager_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
VERSIONS_PER_PAGE = 20
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    queryset = Inspection.objects.visible_to(request.user).select_related("inspected_unit", "round")
    return get_object_or_404(queryset, pk=pk)


def _require_manager(user: User, inspection: Inspection, what: str) -> None:
    if not can_manage(user, inspection.inspected_unit):
        raise PermissionDenied(f"只有{inspection.inspected_unit.name}的领导或上级巡察办可以{what}。")


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """An attachment with its Chinese name (RFC 6266 filename*), and an ASCII name for old clients."""
    name = _UNSAFE_IN_NAMES.sub("_", filename)
    suffix = Path(name).suffix
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"download{suffix}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    return response


# --- downloads ----------------------------------------------------------------------------------------------


def ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The 整改台账 as the user sees it: department staff get their own measures only."""
    inspection = _inspection(request, pk)
    buffer = io.BytesIO()
    export_ledger(inspection, buffer, actor(request))
    name = f"{inspection.inspected_unit.name}巡察整改台账.xlsx"
    download_event(request, "download_ledger", inspection, inspection.inspected_unit, name)
    return download(buffer.getvalue(), XLSX, name)


def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The internal notice rendered from the ledger as it stands now; nothing is stored."""
    inspection = _inspection(request, pk)
    _require_manager(actor(request), inspection, "下载内部通报")
    prepared = prepare_notice(inspection, audience=Audience.INTERNAL)
    title = prepared.doc.title or "整改情况通报"
    content = render_docx(prepared.doc, prepared.options)
    name = f"{title}（内部）.docx"
    download_event(request, "download_internal_notice", inspection, inspection.inspected_unit, name)
    return download(content, DOCX, name)


def notice_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored version's .docx, exactly as published (a public version is the redacted one)."""
    notice = get_object_or_404(
        Notice.objects.visible_to(request.user).select_related("inspection__inspected_unit"), pk=pk
    )
    if not (notice.is_public and notice.is_published):
        # internal versions, and public ones not (or no longer) published, stay with the unit's managers
        _require_manager(actor(request), notice.inspection, "下载内部通报或未发布的通报")
    try:
        with notice.docx.open("rb") as stored:
            content = stored.read()
    except OSError:
        raise Http404("通报文件已不在存储中，请联系管理员。") from None
    name = f"{notice.title}（第{notice.version}版·{notice.get_audience_display()}）.docx"
    action = "download_notice" if notice.is_public else "download_internal_notice"
    download_event(request, action, notice, notice.inspection.inspected_unit, name)
    return download(content, DOCX, name)


# --- versions -----------------------------------------------------------------------------------------------


def figures_text(figures: dict[str, Any]) -> str:
    known = {f.name for f in fields(StatedFigures)}
    return figures_sentence(StatedFigures(**{k: v for k, v in figures.items() if k in known}))


def notice_versions(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    manage = can_manage(actor(request), inspection.inspected_unit)
    versions = (
        Notice.objects.visible_to(request.user)
        .filter(inspection=inspection)
        .select_related("created_by", "approved_by", "published_by")
        .defer("html", "markdown")
        .order_by("-version")
    )
    page = paginate(request, versions, VERSIONS_PER_PAGE)
    rows = [(notice, figures_text(notice.figures)) for notice in page]
    return render(
        request,
        "web/documents/versions.html",
        {"inspection": inspection, "page": page, "rows": rows, "manage": manage},
    )


# --- publishing ---------------------------------------------------------------------------------------------


def exclusion_items(inspection: Inspection) -> list[Item]:
    """Every finding and measure in tree order, in two queries."""
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .order_by("position", "id")
        .values_list("id", "parent_id", "title")
    )
    measures: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, finding_id, code, text in (
        Measure.objects.filter(inspection=inspection)
        .order_by("position", "id")
        .values_list("id", "finding_id", "code", "text")
    ):
        measures[finding_id].append((pk, code, text))
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, parent, title in findings:
        children[parent].append((pk, title))
    items: list[Item] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk, title in children[parent]:
            items.append(Item(ExcludedKind.FINDING, pk, title, depth))
            for measure_pk, code, text in measures[pk]:
                items.append(Item(ExcludedKind.MEASURE, measure_pk, f"{code} {text}", depth + 1))
            walk(pk, depth + 1)

    walk(None, 0)
    return items


def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    user = actor(request)
    _require_manager(user, inspection, "发布整改情况通报")
    form = PublishForm(request.POST or None, items=exclusion_items(inspection))
    preview: str | None = None
    if request.method == "POST" and form.is_valid():
        arguments = form.notice_arguments()
        try:
            if request.POST.get("action") == "publish":
                notice = publish_notice(by=user, inspection=inspection, **arguments)
                messages.success(
                    request,
                    f"已发布“{notice.title}”第{notice.version}版（{notice.get_audience_display()}）。",
                )
                return redirect("notice_versions", pk=inspection.pk)
            preview = preview_notice(by=user, inspection=inspection, **arguments)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_publish_error(form, error)
    context = {
        "inspection": inspection,
        "form": form,
        # The renderer escapes every text it prints; its output is the only HTML inserted unescaped.
        "preview": mark_safe(preview) if preview is not None else None,
    }
    return render(request, "web/documents/publish.html", context, status=400 if form.errors else 200)


# --- ledger import ------------------------------------------------------------------------------------------


def ledger_import(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    require_manager_of(request, inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以导入台账。")
    user = actor(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request, user, inspection)
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"inspection": inspection, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        name = Path(upload.name).name
        result = _run_import(form, user, inspection, data, name, dry_run=True)
        if result is not None:
            context |= {"result": result, "name": name, "form": None}
            if result.ok and _has_changes(result):
                sha = _store(user, data)
                context["confirm"] = LedgerConfirmForm(initial={"sha256": sha, "name": name})
    status = 400 if form.errors or (context.get("result") and not context["result"].ok) else 200
    return render(request, "web/documents/ledger_import.html", context, status=status)


def _run_import(
    form: LedgerUploadForm, user: User, inspection: Inspection, data: bytes, name: str, *, dry_run: bool
) -> ImportResult | None:
    """The import's result (errors included), or None when the file cannot be read (reason on the form)."""
    try:
        return import_ledger(
            io.BytesIO(data), inspection_id=inspection.pk, by=user, dry_run=dry_run, name=name
        )
    except SheetReadError as error:
        form.add_error("file", error.message)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    return None


def _upload_again() -> LedgerUploadForm:
    """An empty upload form that can carry the reason why the file has to be chosen again."""
    form = LedgerUploadForm({})
    form.full_clean()
    form.errors.clear()  # only the reason we give, not "this field is required"
    return form


def _has_changes(result: ImportResult) -> bool:
    return bool(result.updated or result.created or result.findings_created or result.reports)


def _confirm_import(request: HttpRequest, user: User, inspection: Inspection) -> HttpResponse:
    confirm = LedgerConfirmForm(request.POST)
    form = _upload_again()
    context: dict[str, Any] = {"inspection": inspection, "form": form}
    stored = _load(user, confirm.cleaned_data["sha256"]) if confirm.is_valid() else None
    if stored is None:
        form.add_error(None, "上传的文件已过期或已导入，请重新选择文件。")
        return render(request, "web/documents/ledger_import.html", context, status=400)
    name = confirm.cleaned_data["name"]
    result = _run_import(form, user, inspection, stored, name, dry_run=False)
    _discard(user, confirm.cleaned_data["sha256"])
    if result is None or not result.ok:
        # The ledger changed since the preview (or the file went bad): nothing was written; say why.
        context |= {"result": result, "name": name, "form": form if result is None else None}
        return render(request, "web/documents/ledger_import.html", context, status=400)
    done = [
        f"{label}{number}{unit}"
        for label, number, unit in (
            ("更新措施", result.updated, "条"),
            ("新增措施", result.created, "条"),
            ("新增反馈问题", result.findings_created, "个"),
            ("新增进展报送", result.reports, "条"),
        )
        if number
    ]
    messages.success(request, f"已导入台账“{name}”：{'、'.join(done)}。全程纪实请求ID：{result.request_id}")
    return redirect("inspection", pk=inspection.pk)


# --- the uploaded ledger between the two steps ----------------------------------------------------------


STAGED = StagedUploads("ledgers")


def _store(user: User, data: bytes) -> str:
    return STAGED.store(user.pk, data)


def _load(user: User, sha: str) -> bytes | None:
    return STAGED.load(user.pk, sha)


def _discard(user: User, sha: str) -> None:
    STAGED.discard(user.pk, sha)
