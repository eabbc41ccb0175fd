"""NoticeDoc → an ordered list of typed blocks: the one structure the .docx, HTML and Markdown share.

The wording follows the published notices (DESIGN.md §4) and is written so that a parser can read it back:
fixed section headings, one heading per finding with its quoted title, one paragraph per measure with an
explicit status marker, labelled paragraphs for unfinished items.

    title       {单位}关于{区委}巡察整改情况的通报 (broken into lines of ≤ 20 characters at word boundaries)
    opening     根据{区委}巡察工作统一部署，{start}至{end}，{巡察组}对{单位}开展了巡察，
                并于{date}反馈了巡察意见。…现将巡察整改情况予以公布。
    heading1    一、整改工作的组织开展情况 (free text, then the figures sentence)
    heading1    二、巡察反馈问题的整改情况
      heading2    （一）…方面
        heading3    1.关于“…”的问题
          heading4    （1）针对“…”的问题
            paragraph   整改情况：
            measure     一是…（已完成）；
            measure     二是…（持续推进）。
    heading1    三、巡察反馈问题线索的处理情况
    heading1    四、需要进一步整改的事项
      heading2    （一）关于“…”的问题
        paragraph   未完成整改原因：… / 下一步整改措施：… / 整改时限：…
    paragraph   closing, supervision channels
    signature, date

Levels that are absent shift up: without 方面, problems are （一） and details 1.; an empty section is left
out and the following ones are renumbered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from zhenggai.notices.document import (
    MeasureStatus,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    OutstandingItem,
    StatedFigures,
)
from zhenggai.notices.render.options import RenderOptions
from zhenggai.notices.render.text import (
    STATUS_MARKERS,
    chinese_date,
    chinese_numeral,
    format_rate,
    fullwidth,
    paragraphs,
    sentence,
    strip_end,
    strip_status_marker,
)
from zhenggai.notices.render.title import break_title

SECTION_ORGANISING = "整改工作的组织开展情况"
SECTION_FINDINGS = "巡察反馈问题的整改情况"
SECTION_CLUES = "巡察反馈问题线索的处理情况"
SECTION_OUTSTANDING = "需要进一步整改的事项"

LABEL_MEASURES = "整改情况："
LABEL_REASON = "未完成整改原因："
LABEL_NEXT_STEPS = "下一步整改措施："
LABEL_DEADLINE = "整改时限："

SUPERVISION_INVITATION = "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。"


class BlockKind(StrEnum):
    TITLE = "title"
    OPENING = "opening"
    HEADING1 = "heading1"  # 一、
    HEADING2 = "heading2"  # （一）
    HEADING3 = "heading3"  # 1.
    HEADING4 = "heading4"  # （1）
    PARAGRAPH = "paragraph"
    MEASURE = "measure"  # 一是…（已完成）；
    SIGNATURE = "signature"
    DATE = "date"


HEADINGS = (BlockKind.HEADING1, BlockKind.HEADING2, BlockKind.HEADING3, BlockKind.HEADING4)


@dataclass(frozen=True)
class Block:
    """One paragraph of the notice. `plain` is its full text as printed in every format."""

    kind: BlockKind
    text: str
    number: str = ""  # 一、 / （一） / 1. / （1） / 一是
    label: str = ""  # run-in label, e.g. 整改情况：
    status: MeasureStatus | None = None  # measures only
    end: str = ""  # punctuation printed after the status marker
    role: str = ""  # what the paragraph is for: figures, clues, reason, supervision, closing, ...
    iso_date: str = ""  # DATE blocks: the ISO date behind the text
    lines: tuple[str, ...] = ()  # TITLE: the title broken into lines at word boundaries (render/title.py)

    @property
    def level(self) -> int:
        """1–4 for headings, 0 otherwise."""
        return HEADINGS.index(self.kind) + 1 if self.kind in HEADINGS else 0

    @property
    def marker(self) -> str:
        word = STATUS_MARKERS[self.status] if self.status else ""
        return f"（{word}）" if word else ""

    @property
    def plain(self) -> str:
        return f"{self.number}{self.label}{self.text}{self.marker}{self.end}"


def build_blocks(doc: NoticeDoc, options: RenderOptions | None = None) -> list[Block]:
    """The notice as an ordered list of blocks, ready for any of the output formats."""
    opts = options or RenderOptions()
    unit = fullwidth(opts.signature or doc.issuer or doc.inspection.inspected or "")
    figures = opts.figures if opts.figures is not None else doc.stated

    title = title_text(doc)
    blocks = [
        Block(BlockKind.TITLE, title, lines=tuple(break_title(title))),
        Block(BlockKind.OPENING, opening_text(doc)),
    ]

    sections: list[tuple[str, list[Block]]] = []
    organising = [_para(p) for p in paragraphs(doc.organising_work)]
    figures_text = figures_sentence(figures)
    if figures_text:
        organising.append(Block(BlockKind.PARAGRAPH, figures_text, role="figures"))
    if organising:
        sections.append((SECTION_ORGANISING, organising))
    if doc.findings:
        sections.append((SECTION_FINDINGS, list(_finding_blocks(doc.findings, depth=0))))
    clues = [_para(p, role="clues") for p in paragraphs(doc.clues)]
    if clues:
        sections.append((SECTION_CLUES, clues))
    if doc.outstanding:
        sections.append((SECTION_OUTSTANDING, list(_outstanding_blocks(doc.outstanding, doc.findings))))
    for i, (heading, body) in enumerate(sections, start=1):
        blocks.append(Block(BlockKind.HEADING1, heading, number=f"{chinese_numeral(i)}、"))
        blocks.extend(body)

    closing = opts.closing if opts.closing is not None else _default_closing(unit)
    blocks.extend(_para(p, role="closing") for p in paragraphs(closing))
    supervision = opts.supervision if opts.supervision is not None else supervision_text(doc)
    blocks.extend(_para(p, role="supervision") for p in paragraphs(supervision))

    if unit:
        blocks.append(Block(BlockKind.SIGNATURE, unit))
    iso = opts.date or doc.date
    if iso:
        blocks.append(Block(BlockKind.DATE, chinese_date(iso), iso_date=iso))
    return blocks


def title_text(doc: NoticeDoc) -> str:
    if doc.title:
        return fullwidth(doc.title)
    unit = fullwidth(doc.issuer or doc.inspection.inspected or "")
    return f"{unit}关于{_deployer(doc.inspection.inspector)}巡察整改情况的通报"


def opening_text(doc: NoticeDoc) -> str:
    info = doc.inspection
    inspected = fullwidth(info.inspected or doc.issuer or "我单位")
    inspector = fullwidth(info.inspector or "巡察组")
    parts = [f"根据{_deployer(info.inspector)}巡察工作统一部署"]
    if info.start and info.end:
        parts.append(f"{chinese_date(info.start)}至{chinese_date(info.end)}")
    elif info.start:
        parts.append(f"自{chinese_date(info.start)}起")
    parts.append(f"{inspector}对{inspected}开展了巡察")
    if info.feedback_date:
        parts.append(f"并于{chinese_date(info.feedback_date)}反馈了巡察意见")
    else:
        parts.append("并反馈了巡察意见")
    return "，".join(parts) + "。按照党务公开原则和巡察工作有关要求，现将巡察整改情况予以公布。"


def figures_sentence(figures: StatedFigures) -> str:
    """反馈问题X个，制定整改措施Y条，已完成Z条，整改完成率P%。建章立制N项，其中新制定a项、修订完善b项。

    Only the clauses whose values are given are printed, with exactly those values. When aspects and
    details are also given, the problem clause takes the form "巡察反馈3个方面6项共11个问题".
    """
    f = figures
    clauses: list[str] = []
    if f.problems is not None:
        if f.aspects is not None and f.details is not None:
            clauses.append(f"巡察反馈{f.aspects}个方面{f.problems}项共{f.details}个问题")
        else:
            clauses.append(f"巡察反馈问题{f.problems}个")
    if f.measures is not None:
        clauses.append(f"制定整改措施{f.measures}条")
    if f.completed is not None:
        clauses.append(f"已完成{f.completed}条")
    if f.completion_rate is not None:
        clauses.append(f"整改完成率{format_rate(f.completion_rate)}")
    text = "，".join(clauses) + "。" if clauses else ""
    if f.regulations is not None:
        text += f"建章立制{f.regulations}项"
        parts = []
        if f.regulations_new is not None:
            parts.append(f"新制定{f.regulations_new}项")
        if f.regulations_revised is not None:
            parts.append(f"修订完善{f.regulations_revised}项")
        text += ("，其中" + "、".join(parts) if parts else "") + "。"
    return text


def supervision_text(doc: NoticeDoc) -> str:
    c = doc.contact
    channels = [
        f"{label}{fullwidth(value)}"
        for label, value in (
            ("联系电话：", c.phone),
            ("通信地址：", c.address),
            ("邮政编码：", c.postcode),
            ("电子邮箱：", c.email),
        )
        if value
    ]
    return SUPERVISION_INVITATION + ("；".join(channels) + "。" if channels else "")


def _default_closing(unit: str) -> str:
    who = unit or "我们"
    return (
        f"下一步，{who}将坚持问题导向，持续巩固深化巡察整改成果，对尚未完成的事项紧盯不放、一抓到底，"
        "建立健全长效机制，推动整改工作落实落地、见底见效。"
    )


def _deployer(inspector: str | None) -> str:
    """区委巡察二组 → 区委; 市委第四巡察组 → 市委; unknown → ''."""
    if not inspector:
        return ""
    m = re.match(r"^(.*?委)", inspector)
    return m.group(1) if m else ""


def _para(text: str, role: str = "") -> Block:
    return Block(BlockKind.PARAGRAPH, fullwidth(text), role=role)


# --- 二、 the findings tree -------------------------------------------------------------------------


def _heading(depth: int, index: int, text: str) -> Block:
    """Heading for a finding at `depth` (0 = top level of section 二、)."""
    if depth == 0:
        return Block(BlockKind.HEADING2, text, number=f"（{chinese_numeral(index)}）")
    if depth == 1:
        return Block(BlockKind.HEADING3, text, number=f"{index}.")
    return Block(BlockKind.HEADING4, text, number=f"（{index}）")


def finding_heading_text(finding: NoticeFinding) -> str:
    title = strip_end(_unquote(fullwidth(finding.title)))
    if finding.level == "aspect":
        return title if title.endswith("方面") else f"{title}方面"
    if finding.level == "problem":
        return _quoted("关于", title)
    return _quoted("针对", title)


def _finding_blocks(findings: Iterable[NoticeFinding], depth: int) -> Iterator[Block]:
    for index, finding in enumerate(findings, start=1):
        yield _heading(depth, index, finding_heading_text(finding))
        for p in paragraphs(finding.text):
            yield _para(p)
        yield from measure_blocks(finding.measures)
        yield from _finding_blocks(finding.children, depth + 1)


def measure_blocks(measures: list[NoticeMeasure]) -> list[Block]:
    """整改情况：… for one measure; 整改情况： then 一是…；二是…。 for several."""
    bodies = [strip_end(strip_status_marker(fullwidth(m.text))) for m in measures]
    if len(measures) == 1:
        return [
            Block(BlockKind.MEASURE, bodies[0], label=LABEL_MEASURES, status=measures[0].status, end="。")
        ]
    blocks = [Block(BlockKind.PARAGRAPH, "", label=LABEL_MEASURES)] if measures else []
    last = len(measures)
    for i, (measure, body) in enumerate(zip(measures, bodies, strict=True), start=1):
        blocks.append(
            Block(
                BlockKind.MEASURE,
                body,
                number=f"{chinese_numeral(i)}是",
                status=measure.status,
                end="。" if i == last else "；",
            )
        )
    return blocks


# --- 四、 unfinished items --------------------------------------------------------------------------


def _outstanding_blocks(items: list[OutstandingItem], findings: list[NoticeFinding]) -> Iterator[Block]:
    levels = {_unquote(fullwidth(f.title)): f.level for f in _walk(findings)}
    for index, item in enumerate(items, start=1):
        title = _unquote(fullwidth(item.finding))
        prefix = "针对" if levels.get(title) == "detail" else "关于"
        yield _heading(0, index, _quoted(prefix, title))
        if item.reason:
            yield Block(
                BlockKind.PARAGRAPH, sentence(fullwidth(item.reason)), label=LABEL_REASON, role="reason"
            )
        if item.next_steps:
            yield Block(
                BlockKind.PARAGRAPH, sentence(fullwidth(item.next_steps)), label=LABEL_NEXT_STEPS, role="next"
            )
        if item.deadline:
            yield Block(
                BlockKind.PARAGRAPH,
                sentence(chinese_date(item.deadline)),
                label=LABEL_DEADLINE,
                role="deadline",
            )


def _walk(findings: Iterable[NoticeFinding]) -> Iterator[NoticeFinding]:
    for f in findings:
        yield f
        yield from _walk(f.children)


_WRAPPED = re.compile(r"^(?:关于|针对)“(?P<title>.*)”的?问题$")


def _unquote(title: str) -> str:
    """Accept titles that already carry their wrapper: '关于“X”的问题' or '“X”' → 'X'."""
    title = title.strip()
    m = _WRAPPED.match(title)
    if m:
        return m.group("title")
    if title.startswith("“") and title.endswith("”") and title.count("“") == 1:
        return title[1:-1]
    return title


def _quoted(prefix: str, title: str) -> str:
    return f"{prefix}“{title}”的问题"
