"""An inspection's ledger → the notice (通报) as a `NoticeDoc`, ready for the renderers.

Four queries whatever the size of the ledger: the inspection with its figures, its findings, its measures
(with the latest progress text, extension reason and requested deadline as subqueries), its clues.

What the notice prints, and from where:
- title `{单位}关于{巡察}整改情况的通报`; opening from the inspection's group, dates and unit;
- 一、 the inspection's organising-work text, then the figures sentence computed from the ledger
  (`Inspection.objects.with_figures()`), so the totals are the ones `zhenggai stats` reports;
- 二、 the finding tree with, for each measure, what was done: the text of its latest progress report (the
  result, "见人、见事、见结果"), else the measure's own text (measure text, then report, when measures of one
  finding share a report text, so that 一是 and 二是 stay distinct); a measure not finished whose deadline has passed
  says so ("…，已超期，计划于2030年9月30日前完成" with the date of a pending or approved extension, else
  "…，原计划于2030年6月30日前完成，已超期"), never as work still ahead; and a status marker:
  done → 已完成; ongoing (基本完成、持续推进) → 持续推进; draft (未启动) → 未完成, since nothing has started;
  in_progress / pending_signoff → 持续推进 within the deadline, 未完成 once the deadline has passed;
- 三、 the clues: totals, and in the internal version how each was handled (a public version prints the
  totals only: cases still being handled are one of the disclosure exemptions);
- 四、 one item per finding that has a measure not finished whose deadline has passed or falls within
  `due_within_days`. Reason: the approved or pending extension's reason, else for 待销号 "销号申请正在审核",
  else the latest progress report, else "整改尚未启动"; "已超过整改时限" in front when the deadline has
  passed. Next steps: the texts of those measures. Deadline: the latest of their deadlines (the ledger's
  current ones; only an approved extension moves them).
Excluded findings (with their subtree) and measures are left out of the text but still counted in the
figures: the totals are the ledger's, whatever the text withholds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from zhenggai.ledger.choices import (
    OPEN_STATUSES,
    ClueStatus,
    Decision,
    FindingLevel,
    InspectionKind,
    MeasureKind,
    MeasureStatus,
)
from zhenggai.ledger.figures import figures_of
from zhenggai.ledger.models import Clue, Extension, Finding, Inspection, Measure, ProgressReport
from zhenggai.notices.document import (
    Contact,
    InspectionInfo,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    OutstandingItem,
    StatedFigures,
)
from zhenggai.notices.document import (
    MeasureStatus as NoticeStatus,
)

DUE_WITHIN_DAYS = 30

_LEAD = re.compile(r"^(?:关于|针对)")
_TAIL = re.compile(r"(?:的)?问题$")
_ASPECT_TAIL = re.compile(r"方面(?:存在的|的)?(?:问题)?$")
# Starts only where a run of punctuation starts: tried from every position of a long run, it was quadratic.
_END_PUNCT = re.compile(r"(?<![\s。；;，,、：:.])[\s。；;，,、：:.]+$")
_KIND_WORDS = {
    InspectionKind.XUNCHA: "巡察",
    InspectionKind.XUNSHI: "巡视",
    InspectionKind.REVISIT: "巡察“回头看”",
    InspectionKind.SPECIAL: "专项巡察",
}


@dataclass
class ExcludedItem:
    """What a version left out, as found in the ledger (kind: finding | measure)."""

    kind: str
    id: int
    text: str


@dataclass
class LedgerNotice:
    doc: NoticeDoc
    figures: StatedFigures  # exactly what the figures sentence prints
    names: list[str]  # persons named in the ledger (责任领导, 责任人), for redaction
    excluded: list[ExcludedItem] = field(default_factory=list)


def plain_title(title: str, level: str) -> str:
    """The bare issue a finding is about: '关于“X”的问题' / '针对X的问题' → 'X'; 'X方面' → 'X'.

    The renderer adds the wrapper of its level, so a ledger title that already carries one is not doubled.
    """
    text = _END_PUNCT.sub("", title.strip())
    aspect = level == FindingLevel.ASPECT
    text = _ASPECT_TAIL.sub("", text) if aspect else _TAIL.sub("", _LEAD.sub("", text))
    if text.startswith("“") and text.endswith("”") and text.count("“") == 1:
        text = text[1:-1]
    # The renderer wraps the title in “ ”; quotes inside it nest as ‘ ’ (“‘三会一课’制度落实不严格”).
    text = text.replace("“", "‘").replace("”", "’")
    return text.strip() or title.strip()


def notice_title(inspection: Inspection) -> str:
    unit = inspection.inspected_unit.name
    round_name = inspection.round.name if inspection.round else ""
    if round_name.endswith(("巡察", "巡视")):
        what = round_name
    else:
        deployer = m.group(1) if (m := re.match(r"^(.*?委)", inspection.inspector)) else ""
        what = deployer + _KIND_WORDS.get(InspectionKind(inspection.kind), "巡察")
    return f"{unit}关于{what}整改情况的通报"


def stated_figures(row: Any, aspects: int) -> StatedFigures:
    """The figures sentence's values from a `with_figures()` row; the rate as `zhenggai stats` rounds it,
    except that it never reads 100% while a measure is open."""
    f = figures_of(row)
    measures, done = int(f["measures"]), int(f["done"])
    rate = float(f["completion_rate"])
    if done < measures and rate >= 100.0:
        rate = 99.9
    new, revised = int(f["regulations_new"]), int(f["regulations_revised"])
    return StatedFigures(
        aspects=aspects or None,
        problems=int(f["problems"]),
        details=int(f["details"]) if aspects else None,
        measures=measures,
        completed=done,
        completion_rate=rate if measures else None,
        regulations=new + revised if new + revised else None,
        regulations_new=new if new + revised else None,
        regulations_revised=revised if new + revised else None,
    )


def notice_from_ledger(
    inspection: Inspection | int,
    *,
    public: bool = False,
    contact: Contact | None = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
    exclude_findings: Collection[int] = (),
    exclude_measures: Collection[int] = (),
    due_within_days: int = DUE_WITHIN_DAYS,
) -> LedgerNotice:
    """Build the notice of `inspection` from its ledger. Raises Inspection.DoesNotExist for an unknown id."""
    today = today or timezone.localdate()
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    row = Inspection.objects.with_figures(today).select_related("inspected_unit", "round").get(pk=pk)
    findings = list(Finding.objects.filter(inspection=row).order_by("position", "id"))
    measures = list(_measures(row))
    clues = list(Clue.objects.filter(inspection=row).order_by(F("received_on").asc(nulls_last=True), "id"))

    builder = _Builder(
        findings, measures, set(exclude_findings), set(exclude_measures), today, due_within_days
    )
    tree = builder.tree()
    unit = row.inspected_unit.name
    aspects = sum(1 for f in findings if f.level == FindingLevel.ASPECT)
    figures = stated_figures(row, aspects)
    doc = NoticeDoc(
        title=notice_title(row),
        issuer=unit,
        date=(date or today).isoformat(),
        inspection=InspectionInfo(
            inspector=row.inspector,
            inspected=unit,
            start=_iso(row.onsite_start),
            end=_iso(row.onsite_end),
            feedback_date=_iso(row.feedback_date),
        ),
        organising_work=row.organising_work,
        stated=figures,
        findings=tree,
        outstanding=builder.outstanding,
        clues=clue_text(clues, public=public),
        contact=contact or Contact(),
    )
    return LedgerNotice(doc=doc, figures=figures, names=person_names(measures), excluded=builder.excluded)


def _measures(inspection: Inspection) -> Iterator[Measure]:
    latest_report = ProgressReport.objects.filter(measure=OuterRef("pk")).order_by("-reported_at", "-id")
    latest_extension = Extension.objects.filter(
        measure=OuterRef("pk"), decision__in=(Decision.APPROVED, Decision.PENDING)
    ).order_by("-requested_at", "-id")
    return iter(
        Measure.objects.filter(inspection=inspection)
        .annotate(
            latest_report=Subquery(latest_report.values("text")[:1]),
            extension_reason=Subquery(latest_extension.values("reason")[:1]),
            extension_deadline=Subquery(latest_extension.values("new_deadline")[:1]),
        )
        .order_by("position", "id")
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


class _Builder:
    """Findings and measures (already fetched) → the notice tree and the unfinished items."""

    def __init__(
        self,
        findings: list[Finding],
        measures: list[Measure],
        exclude_findings: set[int],
        exclude_measures: set[int],
        today: dt.date,
        due_within_days: int,
    ) -> None:
        self.children: dict[int | None, list[Finding]] = defaultdict(list)
        for finding in findings:
            self.children[finding.parent_id].append(finding)
        self.measures: dict[int, list[Measure]] = defaultdict(list)
        for measure in measures:
            self.measures[measure.finding_id].append(measure)
        self.exclude_findings = exclude_findings
        self.exclude_measures = exclude_measures
        self.today = today
        self.horizon = today + dt.timedelta(days=due_within_days)
        self.outstanding: list[OutstandingItem] = []
        self.excluded: list[ExcludedItem] = []

    def tree(self) -> list[NoticeFinding]:
        return [node for f in self.children[None] if (node := self._node(f)) is not None]

    def _node(self, finding: Finding) -> NoticeFinding | None:
        if finding.pk in self.exclude_findings:
            self.excluded.append(ExcludedItem("finding", finding.pk, finding.title))
            return None
        title = plain_title(finding.title, finding.level)
        kept = []
        for measure in self.measures[finding.pk]:
            if measure.pk in self.exclude_measures:
                self.excluded.append(ExcludedItem("measure", measure.pk, measure.text))
            else:
                kept.append(measure)
        due = [m for m in kept if self._due(m)]
        if due:
            self.outstanding.append(_outstanding_item(title, due, self.today))
        node = NoticeFinding(
            level=finding.level,  # type: ignore[arg-type]  # the same three values
            title=title,
            text=finding.text,
            measures=[
                NoticeMeasure(text, printed_status(m, self.today))
                for m, text in zip(kept, printed_texts(kept, self.today), strict=True)
            ],
        )
        node.children = [child for f in self.children[finding.pk] if (child := self._node(f)) is not None]
        return node

    def _due(self, measure: Measure) -> bool:
        return (
            measure.status in OPEN_STATUSES
            and measure.deadline is not None
            and measure.deadline <= self.horizon
        )


_INNER_STOPS = re.compile(r"[。；;！？!?\n]+")


def printed_texts(measures: list[Measure], today: dt.date) -> list[str]:
    """`printed_text` of the measures of one finding; a report text that two of them share (a stock phrase
    such as 各项工作已完成) follows the measure's own text, so that 一是 and 二是 still say which is which."""
    reports = [_report(m) for m in measures]
    shared = {r for r in reports if r and reports.count(r) > 1}
    return [printed_text(m, today, with_measure=r in shared) for m, r in zip(measures, reports, strict=True)]


def _report(measure: Measure) -> str:
    return _strip(getattr(measure, "latest_report", None) or "")


def printed_text(measure: Measure, today: dt.date, *, with_measure: bool = False) -> str:
    """What 二、 says of a measure (the measure comes from `_measures`): the latest report's text, else the
    measure's (both with `with_measure`); an unfinished measure past its deadline is marked overdue (see the
    module docstring).

    A report's inner full stops and semicolons become commas: in 一是…；二是…。 they would end the measure."""
    report = _report(measure)
    text = report or _strip(measure.text)
    if report and with_measure:
        text = f"{_strip(measure.text)}，{report}"
    text = _strip(_INNER_STOPS.sub("，", text))
    overdue = (
        measure.status in OPEN_STATUSES
        and measure.kind != MeasureKind.LONG_TERM
        and measure.deadline is not None
        and measure.deadline < today
    )
    if not overdue:
        return text
    assert measure.deadline is not None
    planned = getattr(measure, "extension_deadline", None)
    if planned is not None and planned >= today:
        return f"{text}，已超期，计划于{_chinese_day(planned)}前完成"
    return f"{text}，原计划于{_chinese_day(measure.deadline)}前完成，已超期"


def _chinese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def printed_status(measure: Measure, today: dt.date) -> NoticeStatus:
    """The marker a measure gets in 二、 (see the module docstring)."""
    if measure.status == MeasureStatus.DONE:
        return "done"
    if measure.status == MeasureStatus.ONGOING:
        return "ongoing"
    if measure.status == MeasureStatus.DRAFT:
        return "open"
    overdue = measure.deadline is not None and measure.deadline < today
    return "open" if overdue else "ongoing"


def _outstanding_item(title: str, due: list[Measure], today: dt.date) -> OutstandingItem:
    reasons: list[str] = []
    for measure in due:
        reason = unfinished_reason(measure)
        if measure.deadline is not None and measure.deadline < today:
            reason = f"已超过整改时限，{reason}"
        if reason not in reasons:
            reasons.append(reason)
    deadlines = [m.deadline for m in due if m.deadline is not None]
    return OutstandingItem(
        finding=title,
        reason="；".join(reasons),
        next_steps="；".join(_strip(m.text) for m in due),
        deadline=max(deadlines).isoformat() if deadlines else None,
    )


def unfinished_reason(measure: Measure) -> str:
    """Why a measure is not finished, from what the ledger knows (the measure comes from `_measures`)."""
    extension = _strip(getattr(measure, "extension_reason", None) or "")
    if extension:
        return extension
    if measure.status == MeasureStatus.PENDING_SIGNOFF:
        return "整改已报完成，销号申请正在审核"
    report = _strip(getattr(measure, "latest_report", None) or "")
    if report:
        return report
    return "整改尚未启动" if measure.status == MeasureStatus.DRAFT else "尚未报送整改进展"


def _strip(text: str) -> str:
    return _END_PUNCT.sub("", " ".join(text.split()))


def clue_text(clues: list[Clue], *, public: bool) -> str:
    """Section 三、: the totals, then (internal version only) one paragraph per clue."""
    if not clues:
        return ""
    closed = sum(1 for c in clues if c.status == ClueStatus.CLOSED)
    parts = [f"巡察组移交问题线索{len(clues)}件"]
    if closed:
        parts.append(f"已办结{closed}件")
    if len(clues) - closed:
        parts.append(f"正在办理{len(clues) - closed}件")
    lines = ["，".join(parts) + "。"]
    if not public:
        for clue in clues:
            said = [_strip(clue.summary)]
            said += [_strip(t) for t in (clue.handling, clue.outcome) if t.strip()]
            label = ClueStatus(clue.status).label
            lines.append("，".join(said) + f"（{label}）。")
    return "\n".join(lines)


_NAME_SPLIT = re.compile(r"[、,，;；/\\|\s()（）]+")
_POSTS = re.compile(
    r"^(?:分管|主要|常务)?(?:党组|党委|党总支|党支部)?(?:副)?(?:书记|局长|主任|科长|股长|处长|部长|馆长|院长|"
    r"主席|站长|所长|队长|经理|组长|委员|主任科员|负责人|同志)+"
)
_HAN = re.compile(r"^[\u4e00-\u9fff·]{2,6}$")
_NOT_A_NAME = re.compile(
    r"(?:书记|局长|主任|科长|股长|处长|部长|馆长|院长|主席|站长|所长|队长|经理|组长|委员|负责人|同志|领导)$"
    r"|分管|主要|班子|单位|部门|办公室"
)


def person_names(measures: list[Measure]) -> list[str]:
    """Names in the measures' 责任领导 and 责任人 fields, posts stripped ('局长张三、李四' → 张三, 李四).

    Values already masked (王某某, 张*) and bare posts are skipped."""
    names: set[str] = set()
    for measure in measures:
        for value in (measure.responsible_leader, measure.responsible_person):
            for token in _NAME_SPLIT.split(value or ""):
                token = _POSTS.sub("", token)
                if (
                    _HAN.match(token)
                    and not _NOT_A_NAME.search(token)
                    and not any(ch in token for ch in "某*＊×")
                ):
                    names.add(token)
    return sorted(names, key=lambda n: (-len(n), n))
