"""Importing a notice from the browser, in two steps: upload → preview (nothing kept in the ledger) → confirm.

Step 1 parses the file and runs the whole import as a dry run (rolled back), so the preview shows the tree, the
checks and the ledger's own figures, and refuses exactly what the import would. The uploaded bytes wait under
DATA_DIR/uploads/notices/<user id>/<sha256> until the user confirms; step 2 imports them and removes the file.
Files left unconfirmed are removed after a day, at the user's next upload.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhenggai.ledger.choices import UnitKind
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Round, Unit
from zhenggai.ledger.querysets import path_q
from zhenggai.ledger.services import FindingSpec
from zhenggai.notices.importing import (
    STATUS_CHOICES,
    ImportPlan,
    ImportResult,
    import_notice,
    iso_date,
    read_notice,
    set_statuses,
    sha256_of,
    unit_mismatch,
)
from zhenggai.notices.read import MAX_BYTES, NoticeReadError
from zhenggai.untrusted.staging import private_dir, write_private
from zhenggai.web.access import managed_paths
from zhenggai.web.forms import attach_error
from zhenggai.web.views.common import actor

SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf", ".doc", ".wps")
KEEP_SECONDS = 24 * 3600
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_STATUS_FIELD = re.compile(r"^status-(\d{1,6})$")


def managed_units(user: User) -> Any:
    """Units the user may import into: where they lead or supervise, and below (not internal departments)."""
    paths = managed_paths(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT)
    return units if paths is None else units.filter(path_q("path", paths))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="通报文件",
        help_text=(
            "文本（.txt，UTF-8/GBK）、网页（.html）、Word（.docx，旧版 .doc/.wps 需服务器装有 LibreOffice）"
            f"或带文字层的 PDF，不超过 {MAX_BYTES // 1024 // 1024} MB；扫描件不支持 OCR。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )
    unit = forms.ModelChoiceField(label="被巡察单位", queryset=Unit.objects.none(), empty_label="请选择")
    round = forms.ModelChoiceField(
        label="巡察轮次", queryset=Round.objects.all(), required=False, empty_label="（不指定）"
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError("请选择 .txt、.html、.docx、.doc、.wps 或 .pdf 格式的通报文件。")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），通报文件不能超过 {MAX_BYTES // 1024 // 1024} MB。"
            )
        return upload


class ConfirmForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), widget=forms.HiddenInput)
    round = forms.ModelChoiceField(queryset=Round.objects.all(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_sha256(self) -> str:
        value = str(self.cleaned_data["sha256"]).lower()
        if not _SHA256.match(value):
            raise forms.ValidationError("上传的文件标识无效，请重新选择文件。")
        return value


def import_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    units = managed_units(user)
    if not units.exists():
        return render(request, "notices/import.html", {"forbidden": True}, status=403)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, user, units)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        name = Path(upload.name).name
        unit, round_ = form.cleaned_data["unit"], form.cleaned_data["round"]
        preview = _preview(form, user, data, name, unit, round_)
        if preview is not None:
            _store(user, data, name)
            confirm = ConfirmForm(
                initial={
                    "sha256": preview.plan.sha256,
                    "unit": unit.pk,
                    "round": round_.pk if round_ else None,
                },
                units=units,
            )
            return render(request, "notices/import.html", _context(preview, unit, round_, confirm))
    # a refused file or a form error: the reason is beside the field
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "notices/import.html", {"form": form}, status=status)


def _preview(
    form: forms.Form, user: User, data: bytes, name: str, unit: Unit, round_: Round | None
) -> ImportResult | None:
    """The dry run of the import, or None with the reason added to the form."""
    try:
        plan = read_notice(data, name)
    except NoticeReadError as error:
        form.add_error("file", str(error))
        return None
    except DomainError as error:
        attach_error(form, error)
        return None
    try:
        return import_notice(plan, by=user, unit=unit, round=round_, dry_run=True)
    except DomainError as error:
        attach_error(form, error)
        return None


def _confirm(request: HttpRequest, user: User, units: Any) -> HttpResponse:
    confirm = ConfirmForm(request.POST, units=units)
    if not confirm.is_valid():
        form = _upload_again(units, None, "确认信息无效或单位不在您的管理范围内，请重新选择文件。")
        return render(request, "notices/import.html", {"form": form}, status=400)
    sha, unit, round_ = (confirm.cleaned_data[k] for k in ("sha256", "unit", "round"))
    stored = _load(user, sha)
    if stored is None:
        form = _upload_again(units, "file", "上传的文件已过期或已导入，请重新选择文件。", unit, round_)
        return render(request, "notices/import.html", {"form": form})
    data, name = stored
    chosen = {
        int(m.group(1)): str(value) for key, value in request.POST.items() if (m := _STATUS_FIELD.match(key))
    }
    try:
        plan = read_notice(data, name)
        set_statuses(plan, chosen)
        result = import_notice(plan, by=user, unit=unit, round=round_)
    except (NoticeReadError, DomainError) as error:
        _discard(user, sha)
        message = str(error) if isinstance(error, NoticeReadError) else error.message
        form = _upload_again(units, "file", message, unit, round_)
        return render(request, "notices/import.html", {"form": form})
    _discard(user, sha)
    messages.success(
        request,
        f"已导入“{plan.filename}”：{result.figures.get('measures', 0)}条整改措施，请核对后补充责任分工。",
    )
    assert result.inspection_id is not None
    return redirect("inspection", pk=result.inspection_id)


def _upload_again(
    units: Any, field: str | None, message: str, unit: Unit | None = None, round_: Round | None = None
) -> UploadForm:
    """The upload form again, keeping the chosen unit and round, with `message` where it belongs."""
    data = {"unit": unit.pk if unit else "", "round": round_.pk if round_ else ""}
    form = UploadForm(data, units=units)
    form.full_clean()
    form.errors.clear()  # only the reason we give, not "this field is required" for the file
    form.add_error(field, message)
    return form


def _context(result: ImportResult, unit: Unit, round_: Round | None, confirm: ConfirmForm) -> dict[str, Any]:
    plan: ImportPlan = result.plan
    doc = plan.doc
    rows = [
        ("方面", doc.stated.aspects, doc.counts.aspects, plan.counts.aspects),
        ("问题", doc.stated.problems, doc.counts.problems, result.figures.get("problems")),
        ("具体问题", doc.stated.details, doc.counts.details, result.figures.get("details")),
        ("整改措施", doc.stated.measures, doc.counts.measures, result.figures.get("measures")),
        ("已完成", doc.stated.completed, doc.counts.done, result.figures.get("done")),
    ]
    notes = [*filter(None, [unit_mismatch(plan, unit)]), *plan.adjustments, *plan.notes]
    return {
        "tree_rows": _tree_rows(plan.findings, plan.measure_warnings),
        "status_choices": [(status.value, status.label) for status in STATUS_CHOICES],
        "plan": plan,
        "doc": doc,
        "unit": unit,
        "round": round_,
        "rows": rows,
        "notes": notes,
        "outstanding": [(item, iso_date(item.deadline)) for item in doc.outstanding],
        "confirm": confirm,
    }


def _tree_rows(specs: list[FindingSpec], warnings: dict[int, str]) -> list[dict[str, Any]]:
    """The planned tree as rows in reading order; each measure numbered as `set_statuses` numbers them, with
    its warning."""
    rows: list[dict[str, Any]] = []
    number = 0

    def walk(items: list[FindingSpec], depth: int) -> None:
        nonlocal number
        for spec in items:
            rows.append({"spec": spec, "depth": min(depth, 5)})
            for measure in spec.measures:
                rows.append(
                    {
                        "measure": measure,
                        "depth": min(depth + 1, 5),
                        "number": number,
                        "warning": warnings.get(number, ""),
                    }
                )
                number += 1
            walk(spec.children, depth + 1)

    walk(specs, 0)
    return rows


# --- the uploaded file between the two steps --------------------------------------------------------------


def _folder(user: User) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "notices" / str(user.pk)


def _store(user: User, data: bytes, name: str) -> None:
    folder = _folder(user)
    private_dir(folder)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    sha = sha256_of(data)
    write_private(folder / sha, data)
    write_private(folder / f"{sha}.name", name.encode("utf-8"))


def _load(user: User, sha: str) -> tuple[bytes, str] | None:
    folder = _folder(user)
    try:
        data = (folder / sha).read_bytes()
        name = (folder / f"{sha}.name").read_text(encoding="utf-8")
    except OSError:
        return None
    return (data, name) if sha256_of(data) == sha else None


def _discard(user: User, sha: str) -> None:
    for path in (_folder(user) / sha, _folder(user) / f"{sha}.name"):
        path.unlink(missing_ok=True)
