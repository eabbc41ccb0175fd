"""The notice (通报) as plain data: what the parser returns and what the renderers take.

Pure Python, no Django: the parser, the renderers and the CLI share these dataclasses. The JSON form
(`NoticeDoc.to_dict`) uses exactly the keys `zhenggai parse FILE --json` promises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["aspect", "problem", "detail"]
MeasureStatus = Literal["done", "ongoing", "open", "unknown"]


@dataclass
class NoticeMeasure:
    text: str
    status: MeasureStatus = "unknown"
    # for the user to check before importing (Chinese), e.g. an ongoing phrase in a measure a notice stating
    # all complete marks done; a key of the JSON only when not empty
    warning: str = ""


@dataclass
class NoticeFinding:
    level: Level
    title: str
    text: str = ""
    measures: list[NoticeMeasure] = field(default_factory=list)
    children: list[NoticeFinding] = field(default_factory=list)


@dataclass
class InspectionInfo:
    inspector: str | None = None  # e.g. 区委巡察二组
    inspected: str | None = None  # e.g. 区社科联
    start: str | None = None  # ISO dates
    end: str | None = None
    feedback_date: str | None = None
    # added keys (never renamed): a period written without days ("2024年3月至6月"), kept as written
    period_text: str | None = None
    follow_up: bool = False  # a 回头看: the previous round's problems re-checked
    # a whole round's summary covering several units: no single inspector or inspected unit is named
    whole_round: bool = False
    note: str = ""  # what the parser could not say about the inspection, in Chinese


@dataclass
class StatedFigures:
    """Every figure the notice states about itself; None when the notice does not say."""

    aspects: int | None = None
    problems: int | None = None
    details: int | None = None
    measures: int | None = None
    completed: int | None = None
    completion_rate: float | None = None  # 76 for 76%
    regulations: int | None = None
    regulations_new: int | None = None
    regulations_revised: int | None = None
    in_progress: int | None = None  # 正在整改 N 个 / 基本完成并持续整改 N 个
    measures_label: str | None = (
        None  # the word the notice used: 整改措施, 整改举措, 整改任务, 任务清单, 具体措施…
    )
    completed_of: str | None = None  # what the completed figure counts: "measures" or "problems"
    all_completed: bool | None = (
        None  # True when the notice says every measure is complete (已全部完成 / 全部完成整改)
    )


@dataclass
class Counts:
    aspects: int = 0
    problems: int = 0
    details: int = 0
    measures: int = 0
    done: int = 0


@dataclass
class OutstandingItem:
    finding: str
    reason: str = ""
    next_steps: str = ""
    deadline: str | None = None  # ISO date


@dataclass
class Contact:
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    email: str | None = None


@dataclass
class Check:
    claim: str  # which stated figure, e.g. "problems"
    stated: float | None
    found: float | None
    ok: bool
    note: str = ""


@dataclass
class ParseWarning:
    line: int
    text: str
    message: str = ""


@dataclass
class NoticeDoc:
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    inspection: InspectionInfo = field(default_factory=InspectionInfo)
    organising_work: str = ""  # section 一、 as free text
    stated: StatedFigures = field(default_factory=StatedFigures)
    findings: list[NoticeFinding] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    outstanding: list[OutstandingItem] = field(default_factory=list)
    clues: str = ""
    contact: Contact = field(default_factory=Contact)
    checks: list[Check] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    closing: str = ""  # the closing paragraphs after the findings (下一步…), kept for re-rendering
    # the 信息公开 block of a page saved from a government site: label → value (索引号, 发布机构, 成文日期…)
    metadata: dict[str, str] = field(default_factory=dict)
    # how measures without a status of their own got one from the notice as a whole (empty when none did)
    status_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        pending = list(data["findings"])
        while pending:
            node = pending.pop()
            pending.extend(node["children"])
            for measure in node["measures"]:
                if not measure["warning"]:
                    del measure["warning"]
        return data
