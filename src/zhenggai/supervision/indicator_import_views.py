"""指标 import: a 项目执行情况表 uploaded, previewed (the mapped columns, the rows with their colours; the mapping
can be changed by column letters) and confirmed; the file waits in StagedUploads between the steps."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.choices import UnitKind
from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Unit
from zhenggai.sheets.read import MAX_BYTES
from zhenggai.supervision.execution import import_execution
from zhenggai.supervision.execution_sheet import FIELDS, ExecutionImportError, letter
from zhenggai.supervision.forms import ExecutionUploadForm
from zhenggai.supervision.indicator_views import chosen_unit, request_user
from zhenggai.supervision.indicators import can_add, can_import, own_departments
from zhenggai.untrusted.staging import StagedUploads
from zhenggai.web.forms import attach_error

STAGED = StagedUploads("execution")
OVERRIDES = (
    "header_row",
    "project",
    "department",
    "budget",
    "executed",
    "rate",
    "budget_unit",
    "executed_unit",
)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → preview (the mapped columns as written, the rows with their colours; the mapping can be
    changed by column letters) → confirm. The file waits in StagedUploads between the two steps."""
    user = request_user(request)
    _units, unit, year = chosen_unit(
        request, user, can_import, "导入项目执行情况表由该单位的领导或项目的责任部门办理。"
    )
    leader = can_add(user, unit)
    departments = (
        list(Unit.objects.filter(parent=unit, kind=UnitKind.DEPARTMENT).order_by("name"))
        if leader
        else own_departments(user, unit)
    )
    context: dict[str, Any] = {"unit": unit, "year": year, "today": timezone.localdate()}
    if request.method != "POST":
        form = ExecutionUploadForm(
            initial={"on_date": min(timezone.localdate(), dt.date(year, 12, 31))},
            departments=departments,
            leader=leader,
        )
        # The first step needs a file (only the confirming post goes without, naming the staged one): no 选填.
        form.fields["file"].required = True
        context["form"] = form
        return render(request, "supervision/indicators_import.html", context)
    form = ExecutionUploadForm(request.POST, request.FILES, departments=departments, leader=leader)
    context["form"] = form
    if not form.is_valid():
        return render(request, "supervision/indicators_import.html", context, status=400)
    data = form.cleaned_data
    sha = request.POST.get("staged", "")
    if data["file"] is not None:
        raw = data["file"].read(MAX_BYTES + 1)
        sha = STAGED.store(user.pk, raw)
        name = data["file"].name
    else:
        name = request.POST.get("name", "执行情况表.xlsx")
    staged = STAGED.load(user.pk, sha) if sha else None
    if staged is None:
        form.add_error("file", "请选择要导入的项目执行情况表（.xlsx）。")
        return render(request, "supervision/indicators_import.html", context, status=400)
    override = {key: request.POST[key] for key in OVERRIDES if request.POST.get(key, "").strip()}
    confirm = "confirm" in request.POST
    try:
        result = import_execution(
            BytesIO(staged),
            unit=unit,
            by=user,
            on_date=data["on_date"],
            dry_run=not confirm,
            name=name,
            override=override or None,
            department=data["owner"],
        )
    except ExecutionImportError as error:
        STAGED.discard(user.pk, sha)
        form.add_error("file", error.message)
        return render(request, "supervision/indicators_import.html", context, status=400)
    except DomainError as error:
        attach_error(form, error)
        return render(request, "supervision/indicators_import.html", context, status=400)
    if confirm and result.ok:
        STAGED.discard(user.pk, sha)
        counts = result.counts()
        messages.success(
            request,
            f"已导入{len(result.rows)}个项目：新增指标{result.created}个，报送实际值{result.reported}个；"
            f"红色{counts['red']}个、黄色{counts['yellow']}个。",
        )
        return HttpResponseRedirect(
            f"{reverse('supervision:indicators')}?unit={unit.pk}&year={data['on_date'].year}"
        )
    context |= {
        "result": result,
        "staged": sha,
        "name": name,
        "override": override,
        "letters": [letter(i) for i in range(26)],
        "mapped": {
            key: letter(col) for key, col in (result.mapping.columns.items() if result.mapping else [])
        },
        "fields": FIELDS,
    }
    return render(request, "supervision/indicators_import.html", context, status=200 if result.ok else 400)
