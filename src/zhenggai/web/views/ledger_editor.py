"""Starting and shaping a ledger in the browser: create an inspection, then one page to enter and edit the
finding tree and its measures. Every action is a plain form POST answered by a redirect; with HTMX the same
POST answers with the editor's new content, so the page does not reload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel, InspectionKind, MeasureKind, MeasureStatus, UnitKind
from zhenggai.ledger.errors import Conflict, DomainError, NotPermitted
from zhenggai.ledger.models import Finding, Inspection, Measure, Round, Unit
from zhenggai.ledger.permissions import can_manage
from zhenggai.ledger.querysets import path_q
from zhenggai.web.access import managed_paths
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.forms import DATE_INPUT, attach_error
from zhenggai.web.views.common import actor


def managed_units(user: Any) -> QuerySet[Unit]:
    """Units whose ledgers the user may start: where they lead or supervise, and below (not departments)."""
    paths = managed_paths(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT)
    return units if paths is None else units.filter(path_q("path", paths))


class InspectionCreateForm(ChineseForm):
    inspected_unit = forms.ModelChoiceField(
        label="被巡察单位", queryset=Unit.objects.none(), empty_label="请选择"
    )
    kind = forms.ChoiceField(label="类别", choices=InspectionKind.choices)
    round = forms.ModelChoiceField(
        label="巡察轮次", queryset=Round.objects.all(), required=False, empty_label="（不指定）"
    )
    inspector = forms.CharField(
        label="巡察组", max_length=200, widget=forms.TextInput(attrs={"placeholder": "如：区委巡察二组"})
    )
    onsite_start = forms.DateField(label="进驻开始日期", required=False, widget=DATE_INPUT)
    onsite_end = forms.DateField(label="进驻结束日期", required=False, widget=DATE_INPUT)
    feedback_date = forms.DateField(label="反馈日期", required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspected_unit"].queryset = units  # type: ignore[attr-defined]


def inspection_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    units = managed_units(user)
    if not units.exists():
        raise PermissionDenied("只有单位领导或巡察办可以新建巡察。")
    form = InspectionCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.create_inspection(
                by=user,
                inspected_unit=data["inspected_unit"],
                inspector=data["inspector"],
                kind=InspectionKind(data["kind"]),
                round=data["round"],
                onsite_start=data["onsite_start"],
                onsite_end=data["onsite_end"],
                feedback_date=data["feedback_date"],
                note="网页新建",
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, "巡察已建立，请录入反馈问题和整改措施。")
            return redirect("ledger_editor", pk=inspection.pk)
    return render(request, "web/inspection_new.html", {"form": form})


# ---- the editor ------------------------------------------------------------------------------------------


@dataclass
class Row:
    """A finding in the editor, with what may be added under it."""

    finding: Finding
    children: list[Row] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    @property
    def child_level(self) -> FindingLevel | None:
        if self.measures or self.finding.level == FindingLevel.DETAIL:
            return None
        return FindingLevel.PROBLEM if self.finding.level == FindingLevel.ASPECT else FindingLevel.DETAIL

    @property
    def takes_measures(self) -> bool:
        return self.finding.level != FindingLevel.ASPECT and not self.children


def _rows(inspection: Inspection) -> list[Row]:
    rows = {f.pk: Row(f) for f in Finding.objects.filter(inspection=inspection).order_by("position", "id")}
    roots: list[Row] = []
    for row in rows.values():
        parent = rows.get(row.finding.parent_id) if row.finding.parent_id else None
        (parent.children if parent else roots).append(row)
    measures = (
        Measure.objects.filter(inspection=inspection)
        .prefetch_related(Prefetch("cooperating_departments", queryset=Unit.objects.only("pk")))
        .order_by("position", "id")
    )
    for measure in measures:
        if measure.finding_id in rows:
            rows[measure.finding_id].measures.append(measure)
    return roots


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    queryset = Inspection.objects.visible_to(request.user).select_related("inspected_unit", "round")
    return get_object_or_404(queryset, pk=pk)


def _context(inspection: Inspection, **extra: Any) -> dict[str, Any]:
    departments = list(
        Unit.objects.subtree_of(inspection.inspected_unit).exclude(pk=inspection.inspected_unit_id)
    )
    rows = _rows(inspection)
    counts = {level: 0 for level in FindingLevel}
    measure_count = 0

    def count(items: list[Row]) -> None:
        nonlocal measure_count
        for row in items:
            counts[FindingLevel(row.finding.level)] += 1
            measure_count += len(row.measures)
            count(row.children)

    count(rows)
    return {
        "inspection": inspection,
        "rows": rows,
        "departments": departments,
        "kinds": MeasureKind.choices,
        "levels": FindingLevel,
        "counts": {
            "aspects": counts[FindingLevel.ASPECT],
            "problems": counts[FindingLevel.PROBLEM],
            "details": counts[FindingLevel.DETAIL],
            "measures": measure_count,
        },
        "locked": inspection.rectified_at is not None,
        "draft": MeasureStatus.DRAFT,
        "done": MeasureStatus.DONE,
    } | extra


def ledger_editor(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    if not can_manage(actor(request), inspection.inspected_unit):
        raise PermissionDenied("只有被巡察单位的领导或上级巡察办可以编辑台账。")
    return render(request, "web/ledger_editor.html", _context(inspection))


class AddForm(ChineseForm):
    level = forms.ChoiceField(label="层级", choices=[*FindingLevel.choices, ("measure", "整改措施")])
    parent = forms.IntegerField(label="上级", required=False)
    lines = forms.CharField(label="标题", max_length=50000)


class RenameForm(ChineseForm):
    title = forms.CharField(label="标题", max_length=500)
    version = forms.IntegerField(label="版本", min_value=1)


class MoveForm(ChineseForm):
    direction = forms.TypedChoiceField(label="方向", choices=[("-1", "上移"), ("1", "下移")], coerce=int)


class VersionForm(ChineseForm):
    version = forms.IntegerField(label="版本", min_value=1, required=False)


class MeasureRowForm(ChineseForm):
    text = forms.CharField(label="整改措施", max_length=5000)
    kind = forms.ChoiceField(label="类型", choices=MeasureKind.choices)
    responsible_leader = forms.CharField(label="责任领导", required=False, max_length=100)
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=Unit.objects.none(), required=False)
    cooperating_departments = forms.ModelMultipleChoiceField(
        label="配合部门", queryset=Unit.objects.none(), required=False
    )
    responsible_person = forms.CharField(label="责任人", required=False, max_length=100)
    deadline = forms.DateField(label="整改时限", required=False)
    version = forms.IntegerField(label="版本", min_value=1)

    def __init__(self, *args: Any, departments: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["cooperating_departments"].queryset = departments  # type: ignore[attr-defined]


def _form_errors(form: forms.Form) -> str:
    return "".join(str(e) for errors in form.errors.values() for e in errors)


Action = Callable[[HttpRequest, Inspection], tuple[str, str]]


def _add(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    form = AddForm(request.POST)
    if not form.is_valid():
        raise _Refused(_form_errors(form))
    data = form.cleaned_data
    parent = None
    if data["parent"]:
        parent = get_object_or_404(Finding, pk=data["parent"], inspection=inspection)
    by = actor(request)
    if data["level"] == "measure":
        if parent is None:
            raise _Refused("请选择整改措施所属的问题。")
        added = services.add_measures(by=by, finding=parent, lines=data["lines"])
        return f"m-{added[-1].pk}", f"已添加{len(added)}条整改措施。"
    level = FindingLevel(data["level"])
    findings = services.add_findings(
        by=by, inspection=inspection, level=level, lines=data["lines"], parent=parent
    )
    return f"f-{findings[-1].pk}", f"已添加{len(findings)}个{level.label}。"


def _finding(request: HttpRequest, inspection: Inspection) -> Finding:
    return get_object_or_404(Finding, pk=request.POST.get("finding") or 0, inspection=inspection)


def _measure(request: HttpRequest, inspection: Inspection) -> Measure:
    return get_object_or_404(Measure, pk=request.POST.get("measure") or 0, inspection=inspection)


def _rename(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    finding = _finding(request, inspection)
    form = RenameForm(request.POST)
    if not form.is_valid():
        raise _Refused(_form_errors(form), f"f-{finding.pk}")
    services.edit_finding(
        by=actor(request),
        finding=finding,
        title=form.cleaned_data["title"],
        expected_version=form.cleaned_data["version"],
    )
    return f"f-{finding.pk}", f"已保存：{form.cleaned_data['title'][:30]}"


def _move_finding(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    finding = _finding(request, inspection)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise _Refused(_form_errors(form), f"f-{finding.pk}")
    services.move_finding(by=actor(request), finding=finding, direction=form.cleaned_data["direction"])
    return f"f-{finding.pk}", "已" + ("上移。" if form.cleaned_data["direction"] < 0 else "下移。")


def _delete_finding(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    finding = _finding(request, inspection)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    services.delete_finding(by=actor(request), finding=finding, expected_version=version)
    return "", f"已删除：{finding.title[:30]}"


def _save_measure(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    measure = _measure(request, inspection)
    departments = Unit.objects.subtree_of(inspection.inspected_unit)
    form = MeasureRowForm(request.POST, departments=departments)
    if not form.is_valid():
        raise _Refused(_form_errors(form), f"m-{measure.pk}")
    data = form.cleaned_data
    current = {
        "text": measure.text,
        "kind": measure.kind,
        "responsible_leader": measure.responsible_leader,
        "lead_department": measure.lead_department,
        "responsible_person": measure.responsible_person,
    }
    changes: dict[str, Any] = {k: data[k] for k in current if data[k] != current[k]}
    cooperating = set(data["cooperating_departments"])
    if cooperating != set(measure.cooperating_departments.all()):
        changes["cooperating_departments"] = sorted(cooperating, key=lambda unit: unit.pk)
    version = data["version"]
    by = actor(request)
    with transaction.atomic():  # the content and the planned deadline are saved together, or neither
        if changes:
            measure = services.edit_measure(by=by, measure=measure, expected_version=version, **changes)
            version = measure.version
        if data["deadline"] != measure.deadline:
            services.plan_deadline(
                by=by, measure=measure, deadline=data["deadline"], expected_version=version
            )
    return f"m-{measure.pk}", f"整改措施{measure.code}已保存。"


def _move_measure(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    measure = _measure(request, inspection)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise _Refused(_form_errors(form), f"m-{measure.pk}")
    services.move_measure(by=actor(request), measure=measure, direction=form.cleaned_data["direction"])
    return f"m-{measure.pk}", "已" + ("上移。" if form.cleaned_data["direction"] < 0 else "下移。")


def _delete_measure(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    measure = _measure(request, inspection)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    services.delete_measure(by=actor(request), measure=measure, expected_version=version)
    return "", f"已删除整改措施{measure.code}。"


def _complete(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    services.complete_inspection(by=actor(request), inspection=inspection)
    return "", "已标记整改完成。"


def _reopen(request: HttpRequest, inspection: Inspection) -> tuple[str, str]:
    services.reopen_inspection(
        by=actor(request), inspection=inspection, reason=request.POST.get("reason", "")
    )
    return "", "已撤销整改完成。"


class _Refused(Exception):
    def __init__(self, message: str, target: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.target = target


ACTIONS: dict[str, Action] = {
    "add": _add,
    "rename": _rename,
    "move_finding": _move_finding,
    "delete_finding": _delete_finding,
    "save_measure": _save_measure,
    "move_measure": _move_measure,
    "delete_measure": _delete_measure,
    "complete": _complete,
    "reopen": _reopen,
}


def _target_of(request: HttpRequest) -> str:
    for name, prefix in (("measure", "m"), ("finding", "f")):
        value = request.POST.get(name, "")
        if value.isdigit():
            return f"{prefix}-{value}"
    return ""


@require_POST
def ledger_editor_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One change to the ledger (`op` names it). HTMX gets the editor back, a plain form a redirect."""
    inspection = _inspection(request, pk)
    action = ACTIONS.get(request.POST.get("op", ""))
    if action is None:
        return HttpResponse("未知的操作。", status=400)
    unfinished: list[Measure] = []
    try:
        target, text = action(request, inspection)
        ok = True
    except NotPermitted as error:
        return HttpResponseForbidden(error.message)
    except _Refused as error:
        target, text, ok = error.target or _target_of(request), error.message, False
    except DomainError as error:
        target, text, ok = _target_of(request), error.message, False
        if isinstance(error, services.UnfinishedMeasures):
            unfinished = error.measures
        if isinstance(error, Conflict) and error.changes:
            text += "：" + "；".join(f"{label}：{old} → {new}" for label, old, new in error.changes)
    focus = request.POST.get("focus", "")
    if request.headers.get("HX-Request"):
        inspection.refresh_from_db()
        notice = {"ok": ok, "text": text, "target": target}
        context = _context(inspection, notice=notice, focus=focus, unfinished=unfinished)
        return render(request, "web/partials/ledger_editor_body.html", context)
    (messages.success if ok else messages.error)(request, text)
    url = reverse("ledger_editor", kwargs={"pk": inspection.pk})
    return redirect(f"{url}#{target}" if target else url)
