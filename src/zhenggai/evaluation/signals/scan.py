"""纸面整改 signals over plain rows: each signal is a question (疑点，需核实) with its evidence, never a verdict.

`scan(data)` runs every signal over a `LedgerData` (plain dataclasses, no Django), so the benchmark can feed it
300,000 generated measures; `evaluation.signals.load` reads the rows a user may see from the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zhenggai.evaluation.signals.copied import near_duplicates
from zhenggai.evaluation.signals.imagehash import NEAR_BITS, near_groups
from zhenggai.evaluation.signals.study import generic_words, has_concrete, is_study_only

# timing thresholds
QUICK_SIGNOFF = dt.timedelta(minutes=10)  # sign-off requested this soon after the first report
RUSH_MIN = 5  # this many sign-offs of one inspection on the eve of a deadline or a notice
SIMILAR_COPY_TEXT = 60  # characters of each copy shown as evidence

KIND_LABELS = {
    "study_only": "措施空泛",
    "copied": "文字雷同",
    "reused_evidence": "佐证材料重复",
    "quick_signoff": "报送即申请销号",
    "deadline_rush": "集中销号",
    "progress_jump": "进度跳变",
    "claims": "通报数字与台账不符",
}


@dataclass(frozen=True)
class MeasureRow:
    id: int
    code: str
    text: str
    unit_id: int
    unit_name: str
    inspection_id: int
    kind: str
    status: str
    deadline: dt.date | None
    created_on: dt.date
    completed_date: dt.date | None


@dataclass(frozen=True)
class ReportRow:
    measure_id: int
    reported_at: dt.datetime
    progress: int
    text: str


@dataclass(frozen=True)
class EvidenceRow:
    measure_id: int
    sha256: str
    name: str
    dhash: int | None = None  # perceptual hash of an image; None for other files


@dataclass(frozen=True)
class SignOffRow:
    measure_id: int
    requested_at: dt.datetime
    approved_on: dt.date | None  # the day it was approved; None when not approved


@dataclass(frozen=True)
class NoticeRow:
    id: int
    inspection_id: int
    title: str
    notice_date: dt.date
    figures: dict[str, Any]


@dataclass
class LedgerData:
    measures: list[MeasureRow]
    reports: list[ReportRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    signoffs: list[SignOffRow] = field(default_factory=list)
    notices: list[NoticeRow] = field(default_factory=list)
    # inspection id → the dates its 建章立制 were issued (None: no date)
    regulations: dict[int, list[dt.date | None]] = field(default_factory=dict)


@dataclass
class Signal:
    kind: str
    summary: str  # one sentence, worded as a question: 疑点…，需核实。
    evidence: list[str]
    measure_ids: tuple[int, ...] = ()
    inspection_ids: tuple[int, ...] = ()
    notice_id: int | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _clip(text: str, n: int = SIMILAR_COPY_TEXT) -> str:
    return text if len(text) <= n else text[:n] + "…"


def study_only(data: LedgerData) -> list[Signal]:
    texts: dict[int, list[str]] = defaultdict(list)
    for report in data.reports:
        texts[report.measure_id].append(report.text)
    signals = []
    for m in data.measures:
        if has_concrete(m.text):  # the common case, decided without joining the reports
            continue
        whole = "\n".join([m.text, *texts.get(m.id, ())])
        if is_study_only(whole):
            signals.append(
                Signal(
                    "study_only",
                    f"疑点：措施{m.code}及其进展只有“{'、'.join(generic_words(whole)[:4])}”等表述，"
                    "没有具体对象、数字、日期或文件，需核实整改是否落到实处。",
                    [f"{m.unit_name} {m.code}：{_clip(m.text)}"],
                    (m.id,),
                    (m.inspection_id,),
                )
            )
    return signals


def copied(data: LedgerData) -> list[Signal]:
    """Near-duplicate measure texts, and near-duplicate progress reports, across units or inspections."""
    by_id = {m.id: m for m in data.measures}
    signals = []
    groups = near_duplicates(
        [m.text for m in data.measures], [(m.unit_id, m.inspection_id) for m in data.measures]
    )
    for group in groups:
        rows = [data.measures[i] for i in group.members]
        units = sorted({m.unit_name for m in rows})
        signals.append(
            Signal(
                "copied",
                f"疑点：{len(rows)}条整改措施文字高度相似（相似度约{group.similarity:.0%}以上），"
                f"涉及{'、'.join(units[:5])}{'等' if len(units) > 5 else ''}，需核实是否照抄照搬。",
                [f"{m.unit_name} {m.code}：{_clip(m.text)}" for m in rows[:10]],
                tuple(m.id for m in rows),
                tuple(sorted({m.inspection_id for m in rows})),
            )
        )
    reports = [r for r in data.reports if r.measure_id in by_id]
    owners = [(by_id[r.measure_id].unit_id, by_id[r.measure_id].inspection_id) for r in reports]
    for group in near_duplicates([r.text for r in reports], owners):
        rows_r = [reports[i] for i in group.members]
        measures = [by_id[r.measure_id] for r in rows_r]
        signals.append(
            Signal(
                "copied",
                f"疑点：{len(rows_r)}次进展报送文字高度相似（相似度约{group.similarity:.0%}以上），"
                "分属不同单位或巡察，需核实进展是否真实。",
                [f"{m.unit_name} {m.code}：{_clip(r.text)}" for m, r in zip(measures, rows_r, strict=True)][
                    :10
                ],
                tuple(dict.fromkeys(m.id for m in measures)),
                tuple(sorted({m.inspection_id for m in measures})),
            )
        )
    return signals


def reused_evidence(data: LedgerData) -> list[Signal]:
    by_id = {m.id: m for m in data.measures}
    files: dict[str, dict[int, str]] = defaultdict(dict)
    for e in data.evidence:
        if e.measure_id in by_id:
            files[e.sha256].setdefault(e.measure_id, e.name)
    signals = []
    for sha, measures in files.items():
        if len(measures) < 2:
            continue
        rows = [by_id[i] for i in measures]
        other_unit = len({m.unit_id for m in rows}) > 1
        signals.append(
            Signal(
                "reused_evidence",
                f"疑点：同一份佐证材料（SHA-256 {sha[:12]}…）附在{len(rows)}条不同的整改措施上"
                f"{'，且分属不同单位' if other_unit else ''}，需核实材料能否证明每一条措施。",
                [f"{m.unit_name} {m.code}：{measures[m.id]}" for m in rows[:10]],
                tuple(m.id for m in rows),
                tuple(sorted({m.inspection_id for m in rows})),
            )
        )
    return signals + similar_images(data)


def similar_images(data: LedgerData) -> list[Signal]:
    """The same picture re-encoded, resized or re-saved (SHA-256 differs, dHash within `NEAR_BITS`) on
    different measures. A group whose files are all byte-identical is left to the SHA-256 check above."""
    by_id = {m.id: m for m in data.measures}
    images = [e for e in data.evidence if e.dhash is not None and e.measure_id in by_id]
    signals = []
    for group in near_groups((i, e.dhash or 0) for i, e in enumerate(images)):
        files = [images[i] for i in sorted(group)]
        if len({f.sha256 for f in files}) < 2:
            continue
        names: dict[int, str] = {}
        for f in files:
            names.setdefault(f.measure_id, f.name)
        if len(names) < 2:
            continue
        rows = [by_id[i] for i in sorted(names)]
        other_unit = len({m.unit_id for m in rows}) > 1
        signals.append(
            Signal(
                "reused_evidence",
                f"疑点：相同或近似的图片（感知哈希相差不超过{NEAR_BITS}位，可能经过压缩、缩放或另存）"
                f"附在{len(rows)}条不同的整改措施上{'，且分属不同单位' if other_unit else ''}，"
                "需核实图片能否证明每一条措施。",
                [f"{m.unit_name} {m.code}：{names[m.id]}" for m in rows[:10]],
                tuple(m.id for m in rows),
                tuple(sorted({m.inspection_id for m in rows})),
            )
        )
    return signals


def timing(data: LedgerData) -> list[Signal]:
    by_id = {m.id: m for m in data.measures}
    first_report: dict[int, ReportRow] = {}
    signals: list[Signal] = []
    # progress jumping 0 → 100 % in one report
    last: dict[int, int] = {}
    for r in sorted(data.reports, key=lambda r: (r.measure_id, r.reported_at)):
        if r.measure_id not in by_id:
            continue
        first_report.setdefault(r.measure_id, r)
        before = last.get(r.measure_id, 0)
        if before == 0 and r.progress == 100:
            m = by_id[r.measure_id]
            signals.append(
                Signal(
                    "progress_jump",
                    f"疑点：措施{m.code}的进度由0%一次报送为100%，没有中间过程，需核实整改过程。",
                    [f"{m.unit_name} {m.code}：{r.reported_at:%Y-%m-%d %H:%M}报送100%：{_clip(r.text)}"],
                    (m.id,),
                    (m.inspection_id,),
                )
            )
        last[r.measure_id] = r.progress
    # sign-off requested within minutes of the first report
    for s in data.signoffs:
        first = first_report.get(s.measure_id)
        if first is None or s.measure_id not in by_id:
            continue
        gap = s.requested_at - first.reported_at
        if dt.timedelta(0) <= gap <= QUICK_SIGNOFF:
            m = by_id[s.measure_id]
            signals.append(
                Signal(
                    "quick_signoff",
                    f"疑点：措施{m.code}第一次报送进展后{max(1, round(gap.total_seconds() / 60))}分钟内即申请销号，"
                    "需核实整改是否实际开展。",
                    [
                        f"{m.unit_name} {m.code}：首次报送 {first.reported_at:%Y-%m-%d %H:%M}，"
                        f"申请销号 {s.requested_at:%Y-%m-%d %H:%M}"
                    ],
                    (m.id,),
                    (m.inspection_id,),
                )
            )
    # many sign-offs on the eve of a deadline
    eve: dict[tuple[int, dt.date], list[MeasureRow]] = defaultdict(list)
    for s in data.signoffs:
        mr = by_id.get(s.measure_id)
        if mr is None or mr.deadline is None:
            continue
        day = s.requested_at.date()
        if dt.timedelta(0) <= mr.deadline - day <= dt.timedelta(days=1):
            eve[(mr.inspection_id, day)].append(mr)
    for (inspection_id, day), rows in sorted(eve.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if len(rows) >= RUSH_MIN:
            signals.append(
                Signal(
                    "deadline_rush",
                    f"疑点：{_day(day)}一天内有{len(rows)}条措施在整改时限前一天内申请销号，需核实是否突击销号。",
                    [f"{m.unit_name} {m.code}：整改时限{_day(m.deadline)}" for m in rows if m.deadline][:10],
                    tuple(m.id for m in rows),
                    (inspection_id,),
                )
            )
    # many approvals on the eve of a notice of the same inspection
    approved: dict[int, list[tuple[dt.date, MeasureRow]]] = defaultdict(list)
    for s in data.signoffs:
        ma = by_id.get(s.measure_id)
        if ma is not None and s.approved_on is not None:
            approved[ma.inspection_id].append((s.approved_on, ma))
    for notice in data.notices:
        rows = [
            m
            for day, m in approved.get(notice.inspection_id, ())
            if dt.timedelta(0) <= notice.notice_date - day <= dt.timedelta(days=1)
        ]
        if len(rows) >= RUSH_MIN:
            signals.append(
                Signal(
                    "deadline_rush",
                    f"疑点：通报（{_day(notice.notice_date)}）成文前一天内集中销号{len(rows)}条，需核实是否为通报而突击销号。",
                    [f"{m.unit_name} {m.code}" for m in rows][:10],
                    tuple(m.id for m in rows),
                    (notice.inspection_id,),
                    notice.id,
                )
            )
    return signals


def ledger_at(data: LedgerData, inspection_id: int, day: dt.date) -> dict[str, int]:
    """The ledger's figures at the end of `day`, as far as today's rows tell (a measure reopened since counts as
    not done; a measure deleted since is not counted)."""
    rows = [m for m in data.measures if m.inspection_id == inspection_id and m.created_on <= day]
    regulations = [d for d in data.regulations.get(inspection_id, []) if d is None or d <= day]
    return {
        "measures": len(rows),
        "completed": sum(
            1 for m in rows if m.status == "done" and m.completed_date and m.completed_date <= day
        ),
        "regulations": len(regulations),
    }


CLAIM_LABELS = {"measures": "整改措施", "completed": "已完成", "regulations": "建章立制"}


def claims(data: LedgerData) -> list[Signal]:
    signals = []
    for notice in data.notices:
        actual = ledger_at(data, notice.inspection_id, notice.notice_date)
        differences = []
        for name, label in CLAIM_LABELS.items():
            stated = notice.figures.get(name)
            if isinstance(stated, int) and stated != actual[name]:
                differences.append(f"{label}：通报称{stated}，台账截至当日为{actual[name]}")
        if differences:
            signals.append(
                Signal(
                    "claims",
                    f"疑点：通报“{_clip(notice.title, 40)}”（{_day(notice.notice_date)}）的数字与台账不一致，需核实。",
                    differences,
                    (),
                    (notice.inspection_id,),
                    notice.id,
                )
            )
    return signals


CHECKS: tuple[Callable[[LedgerData], list[Signal]], ...] = (
    study_only,
    copied,
    reused_evidence,
    timing,
    claims,
)


def scan(data: LedgerData) -> list[Signal]:
    signals: list[Signal] = []
    for check in CHECKS:
        signals += check(data)
    return signals
