"""整改评估 by a rubric: each item's rule finds cases in the ledger, each case has its reason, each item deducts
`per_case` a case up to its points. Read-only; `services.evaluate` stores the result.

Default items follow common 整改评估 practice (100 points, deductions): completion on time, quality of evidence,
建章立制, the ledger's completeness, 纸面整改 signals, 回头看 findings and 群众意见 (the portal's PublicFeedback)
answered on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhenggai.evaluation.choices import RecheckResult, RuleKind
from zhenggai.evaluation.coverage import check_ledger
from zhenggai.evaluation.models import RecheckItem, Rubric, RubricItem
from zhenggai.evaluation.signals.scan import Signal
from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus
from zhenggai.ledger.models import Evidence, Inspection, Measure, Regulation
from zhenggai.portal.choices import OPEN_STATES as FEEDBACK_OPEN
from zhenggai.portal.models import PublicFeedback

# (rule, title, points, per case, target)
DEFAULT_ITEMS: tuple[tuple[RuleKind, str, int, int, int], ...] = (
    (RuleKind.ON_TIME, "按期完成整改：逾期未完成、逾期完成的措施", 30, 2, 0),
    (RuleKind.EVIDENCE, "佐证材料：已销号措施须有佐证材料", 20, 2, 0),
    (RuleKind.REGULATIONS, "建章立制：新制定或修订完善制度", 15, 5, 3),
    (RuleKind.COVERAGE, "台账完整：措施有责任人、时限，线索和逾期事项有着落", 10, 1, 0),
    (RuleKind.SIGNALS, "纸面整改疑点（未经核实的疑点按每处扣分）", 10, 1, 0),
    (RuleKind.RECHECK, "回头看：整改不到位每处扣分，虚假整改加倍", 10, 5, 0),
    (RuleKind.FEEDBACK, "群众意见按期答复：超期未答复、超期答复的群众意见", 5, 1, 0),
)


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Deduction:
    item: int
    title: str
    points: Decimal
    per_case: Decimal
    cases: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def deducted(self) -> Decimal:
        return min(self.points, self.per_case * self.cases)

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "title": self.title,
            "points": str(self.points),
            "per_case": str(self.per_case),
            "cases": self.cases,
            "deducted": str(self.deducted),
            "reasons": self.reasons,
        }


def _on_time(inspection: Inspection, today: dt.date, d: Deduction) -> None:
    for m in Measure.objects.filter(inspection=inspection).order_by("position", "id"):
        if m.status in OPEN_STATUSES and m.deadline is not None and m.deadline < today:
            d.cases += 1
            d.reasons.append(f"措施{m.code}逾期未完成（整改时限{_day(m.deadline)}），扣{d.per_case}分。")
        elif m.is_done_late and m.completed_date is not None and m.deadline is not None:
            d.cases += 1
            d.reasons.append(
                f"措施{m.code}逾期完成（时限{_day(m.deadline)}，{_day(m.completed_date)}销号），扣{d.per_case}分。"
            )


def _evidence(inspection: Inspection, d: Deduction) -> None:
    with_files = set(
        Evidence.objects.filter(measure__inspection=inspection).values_list("measure_id", flat=True)
    )
    done = Measure.objects.filter(
        inspection=inspection, status__in=(MeasureStatus.DONE, MeasureStatus.ONGOING)
    ).order_by("position", "id")
    for m in done:
        if m.pk not in with_files:
            d.cases += 1
            d.reasons.append(f"措施{m.code}已销号，但没有佐证材料，扣{d.per_case}分。")


def _regulations(inspection: Inspection, target: int, d: Deduction) -> None:
    count = Regulation.objects.filter(inspection=inspection).count()
    if count < target:
        d.cases = target - count
        d.reasons.append(
            f"建章立制{count}项，少于要求的{target}项，少{target - count}项，每项扣{d.per_case}分。"
        )


def _coverage(inspection: Inspection, today: dt.date, d: Deduction) -> None:
    for rule in check_ledger(inspection, today).rules:
        for gap in rule.gaps:
            d.cases += 1
            d.reasons.append(f"{rule.title}：{gap.label}，{gap.message.rstrip('。')}，扣{d.per_case}分。")


def _signals(inspection: Inspection, signals: list[Signal], d: Deduction) -> None:
    for signal in signals:
        if inspection.pk in signal.inspection_ids:
            d.cases += 1
            d.reasons.append(
                f"{signal.label}（疑点，未经核实）：{signal.summary.removeprefix('疑点：')}扣{d.per_case}分。"
            )


def _recheck(inspection: Inspection, d: Deduction) -> None:
    items = (
        RecheckItem.objects.filter(
            measure__inspection=inspection, result__in=(RecheckResult.INADEQUATE, RecheckResult.FALSE)
        )
        .select_related("measure", "recheck")
        .order_by("id")
    )
    for item in items:
        weight = 2 if item.result == RecheckResult.FALSE else 1
        d.cases += weight
        d.reasons.append(
            f"{item.recheck.title}：措施{item.measure.code}核查为“{item.get_result_display()}”，"
            f"扣{d.per_case * weight}分。"
        )


@dataclass
class FeedbackFigures:
    """群众意见 of one unit in an inspection's rectification period (as the portal's queue counts them)."""

    received: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue: int = 0


def feedback_figures(inspection: Inspection, today: dt.date) -> tuple[FeedbackFigures, list[str]]:
    """The figures and one reason line per late case. Counted: the feedback sent to the inspected unit itself
    since the inspection's 反馈日期 (all of it when the date is not set); 不予受理 counts as received only."""
    figures, reasons = FeedbackFigures(), []
    feedback = PublicFeedback.objects.filter(unit_id=inspection.inspected_unit_id)
    if inspection.feedback_date is not None:
        feedback = feedback.filter(submitted_at__date__gte=inspection.feedback_date)
    rows = feedback.order_by("submitted_at", "pk").values_list("pk", "state", "due_on", "answered_at")
    for pk, state, due_on, answered_at in rows:
        figures.received += 1
        if answered_at is not None:
            answered = timezone.localdate(answered_at)
            if answered <= due_on:
                figures.answered_on_time += 1
            else:
                figures.answered_late += 1
                reasons.append(f"群众意见{pk}超期答复（答复时限{_day(due_on)}，{_day(answered)}答复）")
        elif state in FEEDBACK_OPEN and due_on < today:
            figures.overdue += 1
            reasons.append(f"群众意见{pk}超过答复时限{_day(due_on)}仍未答复")
    return figures, reasons


def _feedback(inspection: Inspection, today: dt.date, d: Deduction) -> None:
    figures, late = feedback_figures(inspection, today)
    for line in late:
        d.cases += 1
        d.reasons.append(f"{line}，扣{d.per_case}分。")
    if d.cases:
        d.reasons.append(
            f"收到群众意见{figures.received}条，按期答复{figures.answered_on_time}条，"
            f"超期答复{figures.answered_late}条，超期未答复{figures.overdue}条，每条超期扣{d.per_case}分。"
        )


def deductions(
    inspection: Inspection, rubric: Rubric, signals: list[Signal], today: dt.date
) -> list[Deduction]:
    result = []
    items: list[RubricItem] = list(rubric.items.filter(active=True))
    for item in items:
        d = Deduction(item.pk, item.title, item.points, item.per_case)
        if item.rule == RuleKind.ON_TIME:
            _on_time(inspection, today, d)
        elif item.rule == RuleKind.EVIDENCE:
            _evidence(inspection, d)
        elif item.rule == RuleKind.REGULATIONS:
            _regulations(inspection, item.target, d)
        elif item.rule == RuleKind.COVERAGE:
            _coverage(inspection, today, d)
        elif item.rule == RuleKind.SIGNALS:
            _signals(inspection, signals, d)
        elif item.rule == RuleKind.RECHECK:
            _recheck(inspection, d)
        elif item.rule == RuleKind.FEEDBACK:
            _feedback(inspection, today, d)
        if d.cases and d.deducted < d.per_case * d.cases:
            d.reasons.append(f"本项最多扣{d.points}分。")
        result.append(d)
    return result
