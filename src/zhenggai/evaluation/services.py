"""Every state change of 整改评估 and 回头看: one function each, permission-checked, audited, atomic.

Only the 巡察办 (supervisor) above a unit edits its rubric, evaluates it, adjusts a score, draws a 回头看 sample
and records its findings; a finding of 整改不到位 or 虚假整改 reopens the measure through the ledger's own
`reopen_measure`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.evaluation.choices import RecheckResult
from zhenggai.evaluation.models import Evaluation, Recheck, RecheckItem, Rubric, RubricItem
from zhenggai.evaluation.rubric import DEFAULT_ITEMS, deductions
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import Signal, scan
from zhenggai.ledger.choices import MeasureStatus, Role
from zhenggai.ledger.errors import InvalidInput, InvalidTransition
from zhenggai.ledger.models import Inspection, Measure, Round, Unit
from zhenggai.ledger.permissions import require_role
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.evidence import UploadedEvidence, check_upload
from zhenggai.ledger.services.reviews import reopen_measure
from zhenggai.ledger.services.validation import clean_text, optional_text

MAX_SAMPLE = 500


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _supervise(by: User, unit: Unit, action: str) -> None:
    require_role(by, unit, Role.SUPERVISOR, action=action)


def rubric_for(unit: Unit) -> Rubric | None:
    """The rubric of the nearest unit at or above `unit` that has one."""
    return (
        Rubric.objects.filter(unit__path__in=unit.ancestor_paths())
        .select_related("unit")
        .order_by("-unit__path")
        .first()
    )


@transaction.atomic
def ensure_rubric(*, by: User, unit: Unit) -> Rubric:
    """The rubric that applies at `unit`; when none does, the default one is created at `unit`."""
    existing = rubric_for(unit)
    if existing is not None:
        return existing
    _supervise(by, unit, "制定整改评估细则")
    rubric = Rubric.objects.create(unit=unit)
    RubricItem.objects.bulk_create(
        RubricItem(
            rubric=rubric,
            position=i,
            rule=rule,
            title=title,
            points=Decimal(points),
            per_case=Decimal(per),
            target=target,
        )
        for i, (rule, title, points, per, target) in enumerate(DEFAULT_ITEMS)
    )
    record(actor=by, action="create_rubric", obj=rubric, unit=unit, after={"items": len(DEFAULT_ITEMS)})
    return rubric


@dataclass
class ItemChange:
    item: RubricItem
    title: str
    points: Decimal
    per_case: Decimal
    target: int
    active: bool


@transaction.atomic
def edit_rubric(
    *,
    by: User,
    rubric: Rubric,
    good_from: Decimal,
    fairly_good_from: Decimal,
    average_from: Decimal,
    items: list[ItemChange],
) -> Rubric:
    rubric = Rubric.objects.select_for_update().select_related("unit").get(pk=rubric.pk)
    _supervise(by, rubric.unit, "修改整改评估细则")
    if not (Decimal(100) >= good_from > fairly_good_from > average_from >= 0):
        raise InvalidInput("等次分数线须满足：100 ≥ “好” > “较好” > “一般” ≥ 0。", "good_from")
    before = snapshot(rubric, ("good_from", "fairly_good_from", "average_from"))
    before["items"] = [
        snapshot(i, ("title", "points", "per_case", "target", "active")) for i in rubric.items.all()
    ]
    for change in items:
        item = change.item
        if item.rubric_id != rubric.pk:
            raise InvalidInput("评估项目不属于这份细则。", "items")
        item.title = clean_text(change.title, "评估项目", "title", max_length=200)
        if change.points < 0 or change.per_case < 0:
            raise InvalidInput("分值和每处扣分不能为负数。", "points")
        item.points, item.per_case, item.target, item.active = (
            change.points,
            change.per_case,
            change.target,
            change.active,
        )
        item.save()
    rubric.good_from, rubric.fairly_good_from, rubric.average_from = good_from, fairly_good_from, average_from
    rubric.version += 1
    rubric.save()
    after = snapshot(rubric, ("good_from", "fairly_good_from", "average_from"))
    after["items"] = [
        snapshot(i, ("title", "points", "per_case", "target", "active")) for i in rubric.items.all()
    ]
    record(actor=by, action="edit_rubric", obj=rubric, unit=rubric.unit, before=before, after=after)
    return rubric


def _clamp(score: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(100), score))


@transaction.atomic
def evaluate(
    *, by: User, inspection: Inspection, signals: list[Signal] | None = None, today: dt.date | None = None
) -> Evaluation:
    """Score the inspection's rectification by the rubric that applies to its unit; stored with every reason.

    `signals` may be given when a whole round is evaluated at once (one scan for all); else the signals of the
    measures under the rubric's unit are scanned, so copies across units count."""
    unit = inspection.inspected_unit
    _supervise(by, unit, "开展整改评估")
    rubric = rubric_for(unit) or ensure_rubric(by=by, unit=unit)
    if signals is None:
        signals = scan(
            load(Measure.objects.filter(inspection__inspected_unit__path__startswith=rubric.unit.path))
        )
    today = today or timezone.localdate()
    found = deductions(inspection, rubric, signals, today)
    computed = _clamp(Decimal(100) - sum((d.deducted for d in found), Decimal(0)))
    evaluation = Evaluation.objects.create(
        inspection=inspection,
        rubric=rubric,
        computed_at=timezone.now(),
        computed_by=by,
        computed_score=computed,
        deductions=[d.as_json() for d in found],
        score=computed,
        grade=rubric.grade(computed),
    )
    record(
        actor=by,
        action="evaluate_inspection",
        obj=evaluation,
        unit=unit,
        after={"inspection": inspection.pk, "score": computed, "grade": evaluation.grade},
    )
    return evaluation


@transaction.atomic
def adjust_evaluation(*, by: User, evaluation: Evaluation, adjustment: Decimal, reason: str) -> Evaluation:
    """A manual adjustment of the computed score, with its written reason; the grade follows the new score."""
    evaluation = (
        Evaluation.objects.select_for_update()
        .select_related("inspection__inspected_unit", "rubric")
        .get(pk=evaluation.pk)
    )
    unit = evaluation.inspection.inspected_unit
    _supervise(by, unit, "调整整改评估得分")
    reason = clean_text(reason, "调整理由", "reason", max_length=2000)
    if abs(adjustment) > 100:
        raise InvalidInput("调整分值应在-100到100之间。", "adjustment")
    before = snapshot(evaluation, ("adjustment", "adjustment_reason", "score", "grade"))
    evaluation.adjustment = adjustment
    evaluation.adjustment_reason = reason
    evaluation.adjusted_by = by
    evaluation.adjusted_at = timezone.now()
    evaluation.score = _clamp(evaluation.computed_score + adjustment)
    evaluation.grade = evaluation.rubric.grade(evaluation.score)
    evaluation.save()
    record(
        actor=by,
        action="adjust_evaluation",
        obj=evaluation,
        unit=unit,
        before=before,
        after=snapshot(evaluation, ("adjustment", "adjustment_reason", "score", "grade")),
    )
    return evaluation


# --- 回头看 -------------------------------------------------------------------------------------------------------


def sample(population: list[tuple[int, str]], size: int, seed: int) -> list[tuple[int, str]]:
    """A stratified random sample: (measure id, stratum) pairs sorted by id; each stratum gets its share of
    `size` (largest remainders), at least one while the size allows. Same population, size, seed → same sample."""
    strata: dict[str, list[int]] = defaultdict(list)
    for pk, stratum in sorted(population):
        strata[stratum].append(pk)
    size = min(size, len(population))
    names = sorted(strata)
    total = len(population)
    quotas = {name: size * len(strata[name]) / total for name in names}
    counts = {name: int(quotas[name]) for name in names}
    rest = size - sum(counts.values())
    for name in sorted(names, key=lambda n: (-(quotas[n] - counts[n]), n))[:rest]:
        counts[name] += 1
    rng = random.Random(seed)
    chosen: list[tuple[int, str]] = []
    for name in names:
        chosen += [(pk, name) for pk in rng.sample(strata[name], counts[name])]
    return sorted(chosen)


@transaction.atomic
def draw_recheck(
    *, by: User, unit: Unit, size: int, seed: int | None = None, round: Round | None = None, title: str = ""
) -> Recheck:
    """Draw a 回头看 sample of done measures under `unit` (of one round when given), stratified by the inspected
    unit and the measure type; the seed is recorded, so the same draw can be repeated and checked."""
    _supervise(by, unit, "开展回头看")
    if not 1 <= size <= MAX_SAMPLE:
        raise InvalidInput(f"抽查数量应在1到{MAX_SAMPLE}之间。", "size")
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    measures = Measure.objects.filter(
        inspection__inspected_unit__path__startswith=unit.path, status=MeasureStatus.DONE
    )
    if round is not None:
        measures = measures.filter(inspection__round=round)
    rows = list(measures.values_list("id", "inspection__inspected_unit__name", "kind"))
    if not rows:
        raise InvalidTransition("范围内没有已完成的整改措施，无法抽查。")
    labels = dict(Measure._meta.get_field("kind").choices or [])
    population = [(pk, f"{unit_name}·{labels.get(kind, kind)}") for pk, unit_name, kind in rows]
    drawn = sample(population, size, seed)
    title = optional_text(title, "名称", "title", max_length=200) or (
        f"{unit.display_name}回头看（{_day(timezone.localdate())}抽取）"
    )
    recheck = Recheck.objects.create(
        unit=unit,
        round=round,
        title=title,
        seed=seed,
        size=len(drawn),
        population=len(population),
        drawn_at=timezone.now(),
        drawn_by=by,
    )
    RecheckItem.objects.bulk_create(RecheckItem(recheck=recheck, measure_id=pk, stratum=s) for pk, s in drawn)
    record(
        actor=by,
        action="draw_recheck",
        obj=recheck,
        unit=unit,
        after={
            "seed": seed,
            "size": len(drawn),
            "population": len(population),
            "round": round.pk if round else None,
            "measures": [pk for pk, _ in drawn],
        },
    )
    return recheck


@transaction.atomic
def assign_checker(*, by: User, item: RecheckItem, checker: User) -> RecheckItem:
    item = RecheckItem.objects.select_for_update().select_related("recheck__unit").get(pk=item.pk)
    _supervise(by, item.recheck.unit, "分配回头看核查人")
    before = {"checker": item.checker_id}
    item.checker = checker
    item.save(update_fields=["checker"])
    record(
        actor=by,
        action="assign_recheck_checker",
        obj=item.recheck,
        unit=item.recheck.unit,
        before=before,
        after={"item": item.pk, "checker": checker.pk},
    )
    return item


@transaction.atomic
def record_recheck(
    *,
    by: User,
    item: RecheckItem,
    result: RecheckResult,
    note: str,
    evidence: UploadedEvidence | None = None,
) -> RecheckItem:
    """The checker's finding for one sampled measure; 整改不到位 and 虚假整改 reopen the measure (整改中)."""
    item = RecheckItem.objects.select_for_update().select_related("recheck__unit", "measure").get(pk=item.pk)
    _supervise(by, item.recheck.unit, "登记回头看核查结论")
    if result == RecheckResult.PENDING:
        raise InvalidInput("请选择核查结论。", "result")
    if item.result != RecheckResult.PENDING:
        raise InvalidTransition(f"措施{item.measure.code}的核查结论已登记为“{item.get_result_display()}”。")
    note = clean_text(note, "核查情况", "note", max_length=4000)
    if evidence is not None:
        from django.core.files.base import File
        from django.core.files.storage import default_storage

        sha, _content_type, _size = check_upload(evidence)
        ext = evidence.name.rsplit(".", 1)[-1].lower()
        name = f"recheck/{sha[:2]}/{sha}.{ext}"
        if not default_storage.exists(name):
            evidence.stream.seek(0)
            default_storage.save(name, File(evidence.stream))
        item.evidence_file.name = name
        item.evidence_name = evidence.name[:255]
        item.evidence_sha256 = sha
    item.result = result
    item.note = note
    item.checked_at = timezone.now()
    if item.checker_id is None:
        item.checker = by
    item.save()
    record(
        actor=by,
        action="record_recheck",
        obj=item.recheck,
        unit=item.recheck.unit,
        after={"item": item.pk, "measure": item.measure_id, "result": result, "note": note},
    )
    done = (MeasureStatus.DONE, MeasureStatus.ONGOING)
    if result in (RecheckResult.INADEQUATE, RecheckResult.FALSE) and item.measure.status in done:
        reopen_measure(
            by=by,
            measure=item.measure,
            reason=f"{item.recheck.title}核查结论：{RecheckResult(result).label}。{note}",
        )
    return item
