"""Pages of 整改评估: the coverage check, 纸面整改 signals, the rubric and its evaluations, 回头看.

Views parse, authorize (visible_to), call a service, render.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from zhenggai.evaluation import services
from zhenggai.evaluation.choices import Grade, RecheckResult
from zhenggai.evaluation.coverage import check_ledger
from zhenggai.evaluation.forms import AdjustForm, AssignForm, DrawForm, RecheckResultForm, RubricForm
from zhenggai.evaluation.models import Evaluation, Recheck, SignalRun, StoredSignal
from zhenggai.evaluation.report import evaluation_report_docx
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import KIND_LABELS, scan
from zhenggai.evaluation.signals.store import latest_run
from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.ledger.models import Inspection, Measure, Round, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.querysets import path_q, role_paths, scope_paths
from zhenggai.ledger.services.evidence import UploadedEvidence
from zhenggai.web.forms import attach_error
from zhenggai.web.views.common import SUPERVISORS, actor, require_roles

# A page scans on request; past this many measures it asks for one inspection (`zhenggai signals` scans all).
PAGE_SCAN_LIMIT = 50_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("inspected_unit"), pk=pk
    )
    return render(
        request, "evaluation/coverage.html", {"inspection": inspection, "coverage": check_ledger(inspection)}
    )


def _stored_signals(request: HttpRequest, run: SignalRun) -> HttpResponse:
    """The latest stored run, limited to the signals whose units all lie in the user's scope: no scan."""
    stored = StoredSignal.objects.filter(run=run)
    paths = scope_paths(request.user)
    if paths is not None:
        stored = stored.filter(path_q("scope_path", paths))
    counts = dict(stored.order_by().values_list("kind").annotate(n=Count("id")))
    kind = request.GET.get("kind", "")
    shown = stored.filter(kind=kind) if kind else stored
    # The page shows the stored links (at most 20 measures each), never the full id list: one signal over a
    # province's copied texts lists every measure (300,000 ids, 2 MB of JSON read and decoded per request).
    listed = shown.order_by("id").defer("measure_ids")
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    context = {
        "inspection": None,
        "run": run,
        "rows": [(s, s.links) for s in page.object_list],
        "page": page,
        "kinds": [(k, label, counts.get(k, 0)) for k, label in KIND_LABELS.items()],
        "kind": kind,
        "total": sum(counts.values()),
        "measures": run.measures,
        "narrow": False,
        "extra": urlencode({"kind": kind} if kind else {}) + "&",
    }
    return render(request, "evaluation/signals.html", context)


def signals(request: HttpRequest) -> HttpResponse:
    """纸面整改 signals over the measures the user may see, optionally one inspection's. Without an inspection
    the latest stored run is shown when there is one (`zhenggai signals --store`); one inspection is scanned live."""
    measures = Measure.objects.visible_to(request.user)
    inspection = None
    raw = request.GET.get("inspection", "").strip()
    if raw:
        if not raw.isdigit():
            raise Http404("巡察不存在。")
        inspection = get_object_or_404(Inspection.objects.visible_to(request.user), pk=int(raw))
    else:
        run = latest_run()
        if run is not None:
            return _stored_signals(request, run)
    visible = measures.count()
    if inspection is None and visible > PAGE_SCAN_LIMIT:
        context: dict[str, Any] = {
            "too_many": PAGE_SCAN_LIMIT,
            "inspection": None,
            "rows": [],
            "kinds": [],
            "total": 0,
        }
        return render(request, "evaluation/signals.html", context)
    # One inspection's questions are found among everything the user sees (copies come from other units);
    # past the limit only among the inspection's own measures, and the page says so.
    narrow = inspection is not None and visible > PAGE_SCAN_LIMIT
    data = load(measures.filter(inspection=inspection) if narrow else measures)
    found = scan(data)
    if inspection is not None:
        found = [s for s in found if inspection.pk in s.inspection_ids]
    codes = {m.id: (m.unit_name, m.code) for m in data.measures}
    kind = request.GET.get("kind", "")
    counts = Counter(s.kind for s in found)
    shown = [s for s in found if not kind or s.kind == kind]
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    rows = [(s, [(pk, *codes[pk]) for pk in s.measure_ids[:20]]) for s in page.object_list]
    context = {
        "inspection": inspection,
        "rows": rows,
        "page": page,
        "kinds": [(k, label, counts.get(k, 0)) for k, label in KIND_LABELS.items()],
        "kind": kind,
        "total": len(found),
        "measures": len(data.measures),
        "narrow": narrow,
        "extra": urlencode({k: v for k, v in (("kind", kind), ("inspection", raw)) if v}) + "&",
    }
    return render(request, "evaluation/signals.html", context)


# --- 整改评估 -----------------------------------------------------------------------------------------------------


def _supervised_units(user: User) -> list[Unit]:
    """The top units where the user is 巡察办 (all root units for a superuser)."""
    paths = role_paths(user, (Role.SUPERVISOR,))
    if paths is None:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def _latest(evaluations: QuerySet[Evaluation]) -> dict[int, Evaluation]:
    latest: dict[int, Evaluation] = {}
    for e in evaluations.order_by("inspection_id", "-computed_at", "-id"):
        latest.setdefault(e.inspection_id, e)
    return latest


def _round(request: HttpRequest) -> Round | None:
    raw = request.GET.get("round", "").strip()
    return Round.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


def index(request: HttpRequest) -> HttpResponse:
    """Each visible inspection with its latest evaluation; with a round, the comparison of its units."""
    user = actor(request)
    chosen = _round(request)
    inspections = Inspection.objects.visible_to(user).select_related("inspected_unit", "round")
    if chosen is not None:
        inspections = inspections.filter(round=chosen)
    inspections_list = list(inspections.order_by("inspected_unit__path", "id")[:500])
    latest = _latest(
        Evaluation.objects.visible_to(user).filter(inspection__in=[i.pk for i in inspections_list])
    )
    rows = [(i, latest.get(i.pk)) for i in inspections_list]
    if chosen is not None:
        rows.sort(key=lambda r: (r[1] is None, -(r[1].score if r[1] else 0)))
    grades = Counter(e.get_grade_display() for _, e in rows if e is not None)
    context = {
        "rows": rows,
        "round": chosen,
        "rounds": Round.objects.filter(inspections__in=Inspection.objects.visible_to(user)).distinct(),
        "grades": [(label, grades.get(label, 0)) for _, label in Grade.choices],
        "supervisor": role_paths(user, (Role.SUPERVISOR,)) != [],
    }
    return render(request, "evaluation/index.html", context)


@require_POST
def evaluate_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("inspected_unit"), pk=pk
    )
    try:
        evaluation = services.evaluate(by=actor(request), inspection=inspection)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    messages.success(request, f"已完成整改评估：{evaluation.score}分（{evaluation.get_grade_display()}）。")
    return redirect("evaluation:evaluation", pk=evaluation.pk)


@require_POST
def evaluate_round(request: HttpRequest) -> HttpResponse:
    """Evaluate every visible inspection of a round the user supervises, with one signal scan for all."""
    user = actor(request)
    chosen = _round(request)
    require_roles(request, SUPERVISORS, "只有巡察办可以开展整改评估。")
    inspections = Inspection.objects.visible_to(user).select_related("inspected_unit")
    if chosen is not None:
        inspections = inspections.filter(round=chosen)
    signals = scan(load(Measure.objects.visible_to(user)))
    done = 0
    for inspection in inspections:
        if has_role(user, inspection.inspected_unit, Role.SUPERVISOR):
            services.evaluate(by=user, inspection=inspection, signals=signals)
            done += 1
    messages.success(request, f"已评估{done}次巡察的整改情况。")
    return redirect(reverse("evaluation:index") + (f"?round={chosen.pk}" if chosen else ""))


def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related(
            "inspection__inspected_unit", "rubric", "computed_by", "adjusted_by"
        ),
        pk=pk,
    )
    user = actor(request)
    can_adjust = has_role(user, evaluation.inspection.inspected_unit, Role.SUPERVISOR)
    form = AdjustForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_adjust:
            raise PermissionDenied("只有巡察办可以调整整改评估得分。")
        if form.is_valid():
            try:
                services.adjust_evaluation(
                    by=user,
                    evaluation=evaluation,
                    adjustment=form.cleaned_data["adjustment"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "得分已调整，调整理由已记入全程纪实。")
                return redirect("evaluation:evaluation", pk=pk)
    context = {"evaluation": evaluation, "form": form, "can_adjust": can_adjust}
    return render(request, "evaluation/evaluation.html", context, status=400 if form.is_bound else 200)


def report_docx(request: HttpRequest) -> HttpResponse:
    """The evaluation report (GB/T 9704 layout) of the visible evaluations, of one round when given."""
    user = actor(request)
    chosen = _round(request)
    evaluations = Evaluation.objects.visible_to(user).select_related("inspection__inspected_unit", "rubric")
    if chosen is not None:
        evaluations = evaluations.filter(inspection__round=chosen)
    latest = sorted(_latest(evaluations).values(), key=lambda e: -e.score)
    title = f"{chosen.name if chosen else ''}巡察整改评估情况报告"
    content = evaluation_report_docx(title, latest, timezone.localdate())
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.docx")
    return response


def rubric(request: HttpRequest) -> HttpResponse:
    """The 巡察办 reads and edits the rubric of the unit it supervises (created with the defaults on first use)."""
    require_roles(request, SUPERVISORS, "只有巡察办可以制定和修改整改评估细则。")
    user = actor(request)
    units = _supervised_units(user)
    raw = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == raw), units[0] if units else None)
    if unit is None:
        raise Http404("没有可管理的单位。")
    current = services.rubric_for(unit)
    if current is None:
        if request.method == "POST" and "create" in request.POST:
            current = services.ensure_rubric(by=user, unit=unit)
            messages.success(request, "已按默认细则建立整改评估细则，可在下方修改。")
            return redirect(reverse("evaluation:rubric") + f"?unit={unit.pk}")
        return render(request, "evaluation/rubric.html", {"unit": unit, "units": units, "rubric": None})
    form = RubricForm(
        request.POST if request.method == "POST" else None,
        rubric=current,
        initial={
            "good_from": current.good_from,
            "fairly_good_from": current.fairly_good_from,
            "average_from": current.average_from,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = [
            services.ItemChange(
                item,
                data[f"item{item.pk}_title"],
                data[f"item{item.pk}_points"],
                data[f"item{item.pk}_per_case"],
                data.get(f"item{item.pk}_target", item.target),
                data[f"item{item.pk}_active"],
            )
            for item in form.items
        ]
        try:
            services.edit_rubric(
                by=user,
                rubric=current,
                good_from=data["good_from"],
                fairly_good_from=data["fairly_good_from"],
                average_from=data["average_from"],
                items=changes,
            )
        except NotPermitted as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, "整改评估细则已保存。")
            return redirect(reverse("evaluation:rubric") + f"?unit={unit.pk}")
    total = sum((i.points for i in form.items if i.active), Decimal(0))
    context = {"unit": unit, "units": units, "rubric": current, "form": form, "total": total}
    return render(request, "evaluation/rubric.html", context, status=400 if form.is_bound else 200)


# --- 回头看 -------------------------------------------------------------------------------------------------------


def rechecks(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    supervisor = role_paths(user, (Role.SUPERVISOR,)) != []
    units = _supervised_units(user) if supervisor else []
    form = DrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_roles(request, SUPERVISORS, "只有巡察办可以开展回头看。")
        unit = next(
            (u for u in units if str(u.pk) == request.POST.get("unit", "")), units[0] if units else None
        )
        if unit is not None and form.is_valid():
            data = form.cleaned_data
            try:
                recheck = services.draw_recheck(
                    by=user,
                    unit=unit,
                    size=data["size"],
                    seed=data["seed"],
                    round=data["round"],
                    title=data["title"],
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(
                    request, f"已抽取{recheck.size}条已完成的整改措施（随机种子{recheck.seed}）。"
                )
                return redirect("evaluation:recheck", pk=recheck.pk)
    listed = Recheck.objects.visible_to(user).select_related("unit", "round", "drawn_by")
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "units": units, "supervisor": supervisor}
    return render(request, "evaluation/rechecks.html", context, status=400 if form.is_bound else 200)


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def recheck_figures(recheck: Recheck) -> dict[str, int]:
    counts = Counter(recheck.items.values_list("result", flat=True))
    return {label: counts.get(value, 0) for value, label in RecheckResult.choices}


def recheck_section(recheck: Recheck, figures: dict[str, int]) -> str:
    """The paragraph a notice carries about this 回头看 (its own section, ready to paste)."""
    checked = recheck.size - figures[RecheckResult.PENDING.label]
    reopened = figures[RecheckResult.INADEQUATE.label] + figures[RecheckResult.FALSE.label]
    text = (
        f"{_day(timezone.localtime(recheck.drawn_at).date())}，"
        f"从{recheck.unit.display_name}{recheck.population}条已完成的整改措施中分层随机抽取{recheck.size}条开展回头看"
        f"（随机种子{recheck.seed}）。已核查{checked}条，其中属实{figures[RecheckResult.CONFIRMED.label]}条，"
        f"整改不到位{figures[RecheckResult.INADEQUATE.label]}条，虚假整改{figures[RecheckResult.FALSE.label]}条"
    )
    if reopened:
        text += f"；{reopened}条已重新列为整改中，责令限期整改到位"
    if checked < recheck.size:
        text += f"；其余{recheck.size - checked}条正在核查"
    return text + "。"


def recheck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recheck = get_object_or_404(
        Recheck.objects.visible_to(request.user).select_related("unit", "round"), pk=pk
    )
    user = actor(request)
    can_manage = has_role(user, recheck.unit, Role.SUPERVISOR)
    checkers = (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__unit__path__startswith=recheck.unit.path)
            | Q(memberships__unit__path__in=recheck.unit.ancestor_paths(), memberships__role=Role.SUPERVISOR)
        )
        .distinct()
        .order_by("username")
    )
    items = list(
        recheck.items.select_related("measure__inspection__inspected_unit", "checker").order_by("id")
    )
    errors: dict[int, RecheckResultForm | AssignForm] = {}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("只有巡察办可以登记回头看核查结论。")
        item = next((i for i in items if str(i.pk) == request.POST.get("item", "")), None)
        if item is None:
            raise Http404("核查项不存在。")
        if "checker" in request.POST:
            assign = AssignForm(request.POST, checkers=checkers)
            if assign.is_valid():
                services.assign_checker(by=user, item=item, checker=assign.cleaned_data["checker"])
                messages.success(request, f"已为措施{item.measure.code}指定核查人。")
                return redirect("evaluation:recheck", pk=pk)
            errors[item.pk] = assign
        else:
            form = RecheckResultForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["evidence"]
                try:
                    services.record_recheck(
                        by=user,
                        item=item,
                        result=RecheckResult(form.cleaned_data["result"]),
                        note=form.cleaned_data["note"],
                        evidence=UploadedEvidence(upload.name, upload) if upload else None,
                    )
                except DomainError as error:
                    attach_error(form, error)
                else:
                    messages.success(request, f"已登记措施{item.measure.code}的核查结论。")
                    return redirect("evaluation:recheck", pk=pk)
            errors[item.pk] = form
    figures = recheck_figures(recheck)
    rows = [
        (
            item,
            errors.get(item.pk)
            if isinstance(errors.get(item.pk), RecheckResultForm)
            else RecheckResultForm(),
            errors.get(item.pk)
            if isinstance(errors.get(item.pk), AssignForm)
            else AssignForm(checkers=checkers, initial={"checker": item.checker_id}),
        )
        for item in items
    ]
    context = {
        "recheck": recheck,
        "rows": rows,
        "figures": figures,
        "section": recheck_section(recheck, figures),
        "can_manage": can_manage,
    }
    return render(request, "evaluation/recheck.html", context, status=400 if errors else 200)
