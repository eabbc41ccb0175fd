"""Coverage check of one inspection's ledger (台账完整性检查): is every problem answered by a measure, does every
measure have an owner and a date, does every done measure have evidence, does every clue and outstanding item
have a date to answer by.

Read-only and plain: one query per table, the result a dataclass the page, the CLI (`zhenggai check-ledger`) and
the 整改评估 rubric all read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.models import Clue, Evidence, Extension, Finding, Inspection, Measure, SignOff

# 立行立改: due within this many days of the feedback.
IMMEDIATE_DAYS = 30


@dataclass
class Gap:
    """One thing the ledger lacks, with the object it concerns."""

    message: str
    label: str  # the object's code or title
    url: str


@dataclass
class Rule:
    code: str
    title: str
    checked: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.checked - len(self.gaps)


@dataclass
class Coverage:
    inspection_id: int
    inspection: str
    checked_on: dt.date
    rules: list[Rule]

    @property
    def checked(self) -> int:
        return sum(rule.checked for rule in self.rules)

    @property
    def gap_count(self) -> int:
        return sum(len(rule.gaps) for rule in self.rules)

    @property
    def score(self) -> float:
        """Share of the checks passed, 0–100, one decimal; an empty ledger scores 0 (nothing is covered)."""
        if self.checked == 0:
            return 0.0
        return round(100 * (self.checked - self.gap_count) / self.checked, 1)

    def as_json(self) -> dict[str, Any]:
        return {
            "inspection": self.inspection_id,
            "title": self.inspection,
            "checked_on": self.checked_on.isoformat(),
            "score": self.score,
            "checked": self.checked,
            "gaps": self.gap_count,
            "rules": [
                {
                    "code": rule.code,
                    "title": rule.title,
                    "checked": rule.checked,
                    "passed": rule.passed,
                    "gaps": [asdict(gap) for gap in rule.gaps],
                }
                for rule in self.rules
            ],
        }


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_ledger(inspection: Inspection, today: dt.date | None = None) -> Coverage:
    today = today or timezone.localdate()
    measures = list(
        Measure.objects.filter(inspection=inspection).only(
            "id",
            "code",
            "finding_id",
            "kind",
            "lead_department_id",
            "responsible_person",
            "deadline",
            "status",
        )
    )
    findings = list(Finding.objects.filter(inspection=inspection).only("id", "title", "level", "parent_id"))
    with_evidence = set(
        Evidence.objects.filter(measure__inspection=inspection)
        .values_list("measure_id", flat=True)
        .distinct()
    )
    reviews = {
        measure_id: text
        for measure_id, text in SignOff.objects.filter(
            measure__inspection=inspection, decision=Decision.APPROVED
        ).values_list("measure_id", "periodic_review")
        if text
    }
    extended = set(
        Extension.objects.filter(
            measure__inspection=inspection,
            decision__in=(Decision.PENDING, Decision.APPROVED),
            new_deadline__gte=today,
        ).values_list("measure_id", flat=True)
    )
    clues = list(Clue.objects.filter(inspection=inspection))

    def m_url(m: Measure) -> str:
        return reverse("measure", args=[m.pk])

    tree_url = reverse("inspection", args=[inspection.pk])

    # 1. every 具体问题 (or a problem without details) has at least one measure
    answered = {m.finding_id for m in measures}
    parents = {f.parent_id for f in findings if f.parent_id is not None}
    leaves = [
        f
        for f in findings
        if f.level == FindingLevel.DETAIL or (f.level == FindingLevel.PROBLEM and f.pk not in parents)
    ]
    r_findings = Rule("findings", "每个具体问题至少有一条整改措施", checked=len(leaves))
    for f in leaves:
        if f.pk not in answered:
            r_findings.gaps.append(Gap(f"{f.get_level_display()}没有整改措施。", f.title[:60], tree_url))

    # 2. owners and deadline
    r_owner = Rule("owners", "每条措施有牵头部门、责任人和整改时限", checked=len(measures))
    for m in measures:
        missing = [
            name
            for name, value in (
                ("牵头部门", m.lead_department_id),
                ("责任人", m.responsible_person.strip()),
                ("整改时限", m.deadline or m.kind == MeasureKind.LONG_TERM),
            )
            if not value
        ]
        if missing:
            r_owner.gaps.append(Gap(f"缺少{'、'.join(missing)}。", m.code, m_url(m)))

    # 3. 立行立改 due within 30 days of the feedback
    immediate = [m for m in measures if m.kind == MeasureKind.IMMEDIATE]
    r_immediate = Rule(
        "immediate", f"立行立改措施的整改时限在反馈后{IMMEDIATE_DAYS}天内", checked=len(immediate)
    )
    feedback = inspection.feedback_date
    for m in immediate:
        if m.deadline is None:
            r_immediate.gaps.append(Gap("立行立改措施没有整改时限。", m.code, m_url(m)))
        elif feedback is not None and (m.deadline - feedback).days > IMMEDIATE_DAYS:
            r_immediate.gaps.append(
                Gap(
                    f"整改时限{_day(m.deadline)}在反馈（{_day(feedback)}）后{(m.deadline - feedback).days}天，"
                    f"超过{IMMEDIATE_DAYS}天。",
                    m.code,
                    m_url(m),
                )
            )

    # 4. 长期坚持 signed off as 持续推进 states its periodic review
    ongoing = [m for m in measures if m.kind == MeasureKind.LONG_TERM and m.status == MeasureStatus.ONGOING]
    r_review = Rule("review_period", "按持续推进销号的长期坚持措施写明定期复查安排", checked=len(ongoing))
    for m in ongoing:
        if m.pk not in reviews:
            r_review.gaps.append(Gap("按持续推进销号，但没有定期复查安排。", m.code, m_url(m)))

    # 5. every done measure has evidence
    done = [m for m in measures if m.status in (MeasureStatus.DONE, MeasureStatus.ONGOING)]
    r_evidence = Rule("evidence", "每条已销号的措施有佐证材料", checked=len(done))
    for m in done:
        if m.pk not in with_evidence:
            r_evidence.gaps.append(Gap("已销号，但没有任何佐证材料。", m.code, m_url(m)))

    # 6. clues and outstanding items: an owner and a date
    overdue = [
        m for m in measures if m.status in OPEN_STATUSES and m.deadline is not None and m.deadline < today
    ]
    r_open = Rule("outstanding", "问题线索和逾期未完成事项有承办和时限", checked=len(clues) + len(overdue))
    for clue in clues:
        missing = [
            name for name, value in (("移交日期", clue.received_on), ("办理时限", clue.deadline)) if not value
        ]
        if missing:
            r_open.gaps.append(Gap(f"问题线索缺少{'、'.join(missing)}。", clue.summary[:40], tree_url))
    for m in overdue:
        if not (m.lead_department_id or m.responsible_person.strip()):
            r_open.gaps.append(Gap("逾期未完成，且没有牵头部门或责任人。", m.code, m_url(m)))
        elif m.pk not in extended:
            assert m.deadline is not None
            r_open.gaps.append(
                Gap(f"已于{_day(m.deadline)}逾期，没有新的整改时限（延期申请）。", m.code, m_url(m))
            )

    return Coverage(
        inspection_id=inspection.pk,
        inspection=str(inspection),
        checked_on=today,
        rules=[r_findings, r_owner, r_immediate, r_review, r_evidence, r_open],
    )
