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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
