"""Inspections: the list, the tree with counts and lights at every level, and the leader's edits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape  # what django.utils.html.escape calls

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.errors import Conflict, DomainError, NotPermitted
from zhenggai.ledger.models import Clue, Finding, Inspection, Measure, Unit
from zhenggai.ledger.permissions import can_manage
from zhenggai.ledger.querysets import scope_is_wide, scope_paths
from zhenggai.web.forms import (
    ClueForm,
    ClueUpdateForm,
    FindingEditForm,
    InspectionEditForm,
    RegulationForm,
    attach_error,
)
from zhenggai.web.lights import Light, light_of, with_lights, worst
from zhenggai.web.seek import seek_page
from zhenggai.web.templatetags.zg import light_dot
from zhenggai.web.views.common import PAGE_SIZE, actor, paginate, require_manager_of
from zhenggai.web.views.tasks import STATUS_LABELS, deadline_html, tallies_for, truncate


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    queryset = Inspection.objects.visible_to(request.user).select_related("inspected_unit", "round", "tally")
    return get_object_or_404(queryset, pk=pk)


def inspection_list(request: HttpRequest) -> HttpResponse:
    """Newest feedback first, a page at a time; the count exact up to seek.COUNT_CAP, else "约 N 条" from the
    stored tallies (an exact COUNT over a province's 5,000 inspections took about 11 ms of the page)."""
    inspections = Inspection.objects.visible_to(request.user).order_by("-feedback_date", "-id")
    query = request.GET.get("q", "").strip()
    estimate = None
    if query:
        inspections = inspections.filter(inspected_unit__name__icontains=query)
    elif scope_is_wide(request.user):
        # One tally per inspection, under the units of the user's roles (a department's staff also see the
        # inspections their department's measures belong to: a wide scope holds them nearly all).
        estimate = tallies_for(request.user).count()
    page = seek_page(
        request,
        inspections,
        None,  # by offset: the feedback date may be empty, and a province holds a few thousand inspections
        PAGE_SIZE,
        related=("inspected_unit", "round", "tally"),
        estimate=estimate,
    )
    params = request.GET.copy()
    params["page"] = str(page.number + 1)
    previous = request.GET.copy()
    previous["page"] = str(page.number - 1)
    context = {
        "page": page,
        "q": query,
        "next_query": params.urlencode(),
        "previous_query": previous.urlencode(),
    }
    return render(request, "web/inspections.html", context)


@dataclass
class Node:
    """A finding with what the tree page shows beside it: its measures, counts and the worst light below."""

    finding: Finding
    children: list[Node] = field(default_factory=list)
    measures: list[tuple[Measure, Light]] = field(default_factory=list)
    total: int = 0
    done: int = 0
    light: Light | None = None

    def collect(self) -> list[Light]:
        lights = [light for _, light in self.measures]
        self.total = len(self.measures)
        self.done = sum(1 for m, _ in self.measures if m.status == MeasureStatus.DONE)
        for child in self.children:
            lights += child.collect()
            self.total += child.total
            self.done += child.done
        self.light = worst(lights)
        return lights

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0


def prune(nodes: list[Node]) -> list[Node]:
    """The tree without the findings that hold none of the measures shown (another department's)."""
    kept = [node for node in nodes if node.total]
    for node in kept:
        node.children = prune(node.children)
    return kept


def build_tree(inspection: Inspection, measures: list[Measure]) -> list[Node]:
    """The finding tree from two flat lists: no query per node."""
    nodes = {f.pk: Node(f) for f in Finding.objects.filter(inspection=inspection).order_by("position", "id")}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.finding.parent_id) if node.finding.parent_id else None
        (parent.children if parent else roots).append(node)
    by_finding: dict[int, list[Measure]] = defaultdict(list)
    for measure in measures:
        by_finding[measure.finding_id].append(measure)
    for pk, items in by_finding.items():
        if pk in nodes:
            nodes[pk].measures = [(m, light_of(m)) for m in items]
    for root in roots:
        root.collect()
    return roots


_ID = 2_147_483_647  # a stand-in id: each link is reversed once a page, not once a node or measure


def tree_html(nodes: list[Node], manage: bool) -> SafeString:
    """The finding tree's <li> items, written here rather than by including a template per node: the same HTML
    (escaped as the template escaped it) as the node template it replaced, at a fraction of the time (60
    measures and their findings took two thirds of the page's CPU). Kept in step with inspection_tree.html."""
    measure_href = reverse("measure", args=[_ID]).split(str(_ID))
    finding_href = reverse("finding_edit", args=[_ID]).split(str(_ID))
    dots: dict[Light | None, str] = {}
    dates: dict[dt.date, str] = {}
    parts: list[str] = []

    def dot(light: Light | None) -> str:
        found = dots.get(light)
        if found is None:
            found = dots[light] = light_dot(light) if light is not None else light_dot(Light("", ""))
        return found

    def node_html(node: Node) -> None:
        finding, percent = node.finding, node.percent
        edit = (
            f'<a class="small" href="{escape(f"{finding_href[0]}{finding.pk}{finding_href[1]}")}">修改</a>'
            if manage
            else ""
        )
        parts.append(
            '\n<li class="tree-node">\n  <details open>\n    <summary class="finding">'
            f"{dot(node.light)}<b>{escape(str(finding.get_level_display()))}</b> {escape(finding.title)}\n"
            f'      <span class="node-progress" title="已完成{node.done}条，共{node.total}条">\n'
            '        <span class="progress" role="progressbar" aria-label="完成进度" '
            f'aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100">'
            f'<span class="progress-bar" style="width: {percent}%"></span></span>\n'
            f'        <span class="muted small">{node.done}/{node.total}（{percent}%）</span>\n'
            f"      </span>\n      {edit}</summary>\n    "
        )
        for m, light in node.measures:
            deadline = deadline_html(m.deadline, m.kind, dates)
            department = m.lead_department.name if m.lead_department else ""
            label = "逾期完成" if m.is_done_late else STATUS_LABELS.get(m.status, m.status)
            parts.append(
                f'\n      <div class="measure">{dot(light)}'
                f'<a href="{escape(f"{measure_href[0]}{m.pk}{measure_href[1]}")}">{escape(m.code)}</a> '
                f"{escape(truncate(m.text, 70))}\n"
                f'        <span class="muted">· {escape(department or "")} · {deadline}</span>\n'
                f'        <span class="badge st {escape(m.status)}">{escape(label)}</span></div>\n    '
            )
        parts.append("\n    ")
        if node.children:
            parts.append("<ul>")
            for child in node.children:
                node_html(child)
            parts.append("</ul>")
        parts.append("\n  </details>\n</li>\n")

    for node in nodes:
        node_html(node)
    return mark_safe("".join(parts))  # every value above is escaped (or our own constant text)


def inspection_tree(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    # Department staff see the whole tree for context but only their own measures. A user whose scope holds the
    # inspected unit sees every measure of the inspection (each has a reach row at that unit): no semi-join.
    measures_of = Measure.objects.filter(inspection=inspection)
    paths = scope_paths(request.user)
    if paths is not None and not any(inspection.inspected_unit.path.startswith(p) for p in paths):
        measures_of = measures_of.visible_to(request.user)
    measures = list(with_lights(measures_of).select_related("lead_department").order_by("position", "id"))
    tree = build_tree(inspection, measures)
    manage = can_manage(actor(request), inspection.inspected_unit)
    # Managers see where measures are still missing; others (a department's staff, viewers) only the branches
    # that hold measures they can open, not other departments' empty ones.
    if not manage:
        tree = prune(tree)
    return render(
        request,
        "web/inspection_tree.html",
        {
            "inspection": inspection,
            "tree": tree,
            "tree_html": tree_html(tree, manage),
            "tally": getattr(inspection, "tally", None),
            "manage": manage,
            "regulations": inspection.regulations.all(),
            "clues": inspection.clues.all(),
            "regulation_form": RegulationForm(),
            "clue_form": ClueForm(),
        },
    )


def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form carries the version it showed; a save on an inspection changed since is refused (409)."""
    inspection = _inspection(request, pk)
    require_manager_of(
        request, inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以修改巡察信息。"
    )
    fields = ("inspector", "onsite_start", "onsite_end", "feedback_date", "organising_work")
    initial = {name: getattr(inspection, name) for name in fields}
    conflict: Conflict | None = None
    if request.method == "POST":
        form = InspectionEditForm(request.POST)
        if form.is_valid():
            seen = form.cleaned_data["version"]
            changes = {k: v for k, v in form.cleaned_data.items() if k in initial and v != initial[k]}
            try:
                if changes:
                    services.update_inspection(
                        by=actor(request), inspection=inspection, expected_version=seen, **changes
                    )
            except NotPermitted as error:
                return HttpResponseForbidden(error.message)
            except Conflict as error:
                conflict = error
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "巡察信息已保存。")
                return redirect("inspection", pk=pk)
    else:
        form = InspectionEditForm(initial=initial | {"version": inspection.version})
    context = {"inspection": inspection, "form": form, "conflict": conflict}
    return render(request, "web/inspection_edit.html", context, status=409 if conflict else 200)


def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reword a 方面/问题/具体问题; like the other edit forms it is refused (409) when changed since."""
    finding = get_object_or_404(
        Finding.objects.visible_to(request.user).select_related("inspection__inspected_unit"), pk=pk
    )
    require_manager_of(
        request, finding.inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以修改问题。"
    )
    conflict: Conflict | None = None
    if request.method == "POST":
        form = FindingEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.edit_finding(
                    by=actor(request),
                    finding=finding,
                    title=data["title"],
                    text=data["text"],
                    expected_version=data["version"],
                )
            except NotPermitted as error:
                return HttpResponseForbidden(error.message)
            except Conflict as error:
                conflict = error
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "反馈问题已保存。")
                return redirect("inspection", pk=finding.inspection_id)
    else:
        form = FindingEditForm(
            initial={"title": finding.title, "text": finding.text, "version": finding.version}
        )
    context = {"finding": finding, "form": form, "conflict": conflict}
    return render(request, "web/finding_edit.html", context, status=409 if conflict else 200)


def add_regulation(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    require_manager_of(
        request, inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以登记建章立制。"
    )
    form = RegulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_regulation(by=actor(request), inspection=inspection, **form.cleaned_data)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, "建章立制已登记。")
            return redirect("inspection", pk=pk)
    return render(
        request, "web/simple_form.html", {"inspection": inspection, "form": form, "title": "登记建章立制"}
    )


def add_clue(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    require_manager_of(
        request, inspection.inspected_unit, "只有被巡察单位的领导或上级巡察办可以登记问题线索。"
    )
    form = ClueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_clue(by=actor(request), inspection=inspection, **form.cleaned_data)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, "问题线索已登记。")
            return redirect("inspection", pk=pk)
    return render(
        request, "web/simple_form.html", {"inspection": inspection, "form": form, "title": "登记问题线索"}
    )


def update_clue(request: HttpRequest, pk: int) -> HttpResponse:
    clue = get_object_or_404(Clue.objects.visible_to(request.user).select_related("inspection"), pk=pk)
    initial = {"handling": clue.handling, "outcome": clue.outcome, "status": clue.status}
    form = ClueUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_clue(by=actor(request), clue=clue, **form.cleaned_data)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, "线索办理情况已保存。")
            return redirect("inspection", pk=clue.inspection_id)
    return render(
        request,
        "web/simple_form.html",
        {"inspection": clue.inspection, "form": form, "title": f"办理问题线索：{clue.summary[:30]}"},
    )


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Drill-down from the overview: one unit's inspections, read-only."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    inspections = (
        Inspection.objects.visible_to(request.user)
        .filter(inspected_unit=unit)
        .select_related("round", "tally")
        .order_by("-feedback_date", "-id")
    )
    return render(request, "web/unit.html", {"unit": unit, "page": paginate(request, inspections)})
