"""Parse a published rectification notice (巡察整改情况通报) into a `NoticeDoc`.

Pure Python, no Django. The notice is read line by line: web-page debris is dropped, the title, the opening
sentence and the signature are recognised, the text is cut into its 一、二、三、 sections, and each section is
read by what it is about (organising work, findings, clues, unfinished items, closing), not by its number.
Whatever cannot be placed becomes a warning with its line number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from zhenggai.notices import patterns as P
from zhenggai.notices.document import (
    Contact,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    ParseWarning,
    StatedFigures,
)
from zhenggai.notices.figures import (
    checks,
    count,
    done_findings,
    inspection_info,
    read_contact,
    stated_figures,
)
from zhenggai.notices.findings import FindingsBuilder, Line, heading
from zhenggai.notices.normalise import (
    cn_to_int,
    fold,
    fold_chars,
    fold_quotes,
    fold_text,
    make_date,
    parse_date,
)
from zhenggai.notices.outstanding import OutstandingBuilder, attach
from zhenggai.notices.read import MAX_BYTES, NoticeReadError, read_bytes, read_file

__all__ = ["MAX_BYTES", "NoticeReadError", "parse_bytes", "parse_file", "parse_text"]

_META_MAX_LINES = 80  # the metadata block is at the head of a page
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
WHOLE_ROUND = (
    "这是一轮巡察的汇总通报，涉及多个被巡察单位，没有逐项列出问题和整改措施；未填写单一的巡察组和被巡察单位。"
)
NO_STRUCTURE = "未识别出整改问题（方面、问题或具体问题），问题清单为空；请确认这是一份按“关于“…”的问题”“针对“…”的问题”等格式书写的整改通报。"


def parse_file(path: str | os.PathLike[str]) -> NoticeDoc:
    """Parse the notice at `path` (.txt in UTF-8/GBK/GB18030, .html, .docx); `NoticeReadError` if unreadable."""
    return parse_text(read_file(path))


def parse_bytes(data: bytes, filename: str = "") -> NoticeDoc:
    """Parse a notice given as bytes; `filename` helps to tell .docx and .html from text."""
    return parse_text(read_bytes(data, filename))


# A text copied from a PDF or a web page is broken at a fixed width: many lines have exactly that many characters
# (a Chinese paragraph breaks anywhere). A line of that width which does not end a sentence runs on into the next.
_WRAP_MIN_WIDTH = 16
_WRAP_MIN_LINES = 2
_SENTENCE_END = "。!?！？;；:："


def _wrap_width(raw: list[str]) -> int | None:
    """The width the text was hard-wrapped at, or None when it was not."""
    sizes = [size for size in map(len, map(str.rstrip, raw)) if size >= _WRAP_MIN_WIDTH]
    if not sizes:
        return None
    # wrapped text: no line is longer than the width, and a good share of the long lines are that long
    width = max(sizes)
    times = sizes.count(width)
    if times < _WRAP_MIN_LINES or times * 8 < len(sizes):
        return None
    # a broken line runs on into a line that continues it, not into a heading or a label (a list of headings
    # of one length is not wrapped text)
    followers = blocks = 0
    for line, following in pairwise(raw):
        if len(line.rstrip()) == width and following.strip():
            followers += 1
            blocks += _starts_block(fold_chars(following.strip()))
    return width if blocks * 4 <= followers else None


def _starts_block(folded: str) -> bool:
    """A line that opens a heading, a label or an enumerated clause (not the rest of a broken sentence)."""
    return bool(P.NUMBERED.match(folded) or P.BLOCK_START.match(folded))


def _unwrap(raw: list[str], folded: list[str], width: int) -> tuple[list[str], list[str], list[int]]:
    """Join the lines broken at `width`; each kept line with the number of its first source line.

    A full-width line runs on into the next one; after a sentence end (。) only when the next line does not
    open a heading or a clause, because a quoted heading title may itself hold a 。."""
    out_raw: list[str] = []
    out_folded: list[str] = []
    numbers: list[int] = []
    full = ended = False
    for index, (line, line_folded) in enumerate(zip(raw, folded, strict=True)):
        stripped_folded = line_folded.strip()
        if full and stripped_folded and not (ended and _starts_block(stripped_folded)):
            out_raw[-1] += line.strip()
            out_folded[-1] += stripped_folded
        else:
            out_raw.append(line)
            out_folded.append(line_folded)
            numbers.append(index + 1)
        kept = line.rstrip()
        full = len(kept) >= width
        ended = bool(kept) and kept[-1] in _SENTENCE_END
    return out_raw, out_folded, numbers


_new_line = tuple.__new__


def _lines(text: str) -> tuple[list[Line], bool]:
    """The stripped, non-empty lines with their folded form; and whether the text holds a circled ①…⑳."""
    # Folded once for the whole text (cheaper than line by line); folding keeps every index and what is
    # whitespace or a line break, so the folded lines and their stripping line up with the original ones.
    raw_lines = text.splitlines()
    folded_text, circled = fold_text(text)
    folded_lines = folded_text.splitlines()
    numbers: list[int] | None = None
    width = _wrap_width(raw_lines)
    if width is not None:
        raw_lines, folded_lines, numbers = _unwrap(raw_lines, folded_lines, width)
    lines = []
    for index, (raw, raw_folded) in enumerate(zip(raw_lines, folded_lines, strict=True)):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped[0] in _INVISIBLE or stripped[-1] in _INVISIBLE:
            stripped = stripped.strip(_INVISIBLE).strip()
            if not stripped:
                continue
            folded = raw_folded.strip().strip(_INVISIBLE).strip()
        else:
            folded = raw_folded.strip()
        number = numbers[index] if numbers is not None else index + 1
        # tuple.__new__ builds the named tuple without the Python-level __new__ (twice as fast per line)
        lines.append(_new_line(Line, (number, stripped, fold_quotes(folded) if '"' in folded else folded)))
    return lines, circled


@dataclass
class _Section:
    kind: str  # organising | findings | clues | outstanding | closing
    heading: Line | None
    lines: list[Line] = field(default_factory=list)


def _kind(head: Line | None, body: list[Line], seen_findings: bool) -> str:
    title = head.folded if head else ""
    if head is not None and P.CLUES_HEADING.search(title):
        return "clues"
    if head is not None and P.OUTSTANDING_HEADING.search(title):
        return "outstanding"
    if head is not None and heading(head, False) is not None:
        return "findings"
    if any(heading(line, False) is not None for line in body):
        return "findings"
    if head is not None and P.CLOSING_HEADING.search(title):
        return "closing"
    return "closing" if seen_findings else "organising"


def _sections(lines: list[Line]) -> list[_Section]:
    """Cut the body at its 一、二、三、 headings and say what each part is."""
    parts: list[tuple[Line | None, list[Line]]] = [(None, [])]
    for line in lines:
        if line.folded[:1] in P.TOP_HEADING_FIRST and P.TOP_HEADING.match(line.folded):
            parts.append((line, []))
        else:
            parts[-1][1].append(line)
    sections = []
    seen_findings = False
    for head, body in parts:
        if head is None and not body:
            continue
        kind = _kind(head, body, seen_findings)
        seen_findings = seen_findings or kind == "findings"
        sections.append(_Section(kind, head, body))
    return sections


def _signature_date(line: Line) -> str | None:
    if m := P.SIGNATURE_DATE.match(line.folded):
        return make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    if m := P.SIGNATURE_DATE_CN.match(line.folded):
        year = int("".join(str(cn_to_int(ch)) for ch in m.group("y")))
        return make_date(year, cn_to_int(m.group("m")), cn_to_int(m.group("d")))
    return None


def _statuses(nodes: list[NoticeFinding]) -> Iterator[str]:
    """Statuses the text gave its measures (unknown left out)."""
    for node in nodes:
        yield from (m.status for m in node.measures if m.status != "unknown")
        yield from _statuses(node.children)


def _states_all_done(stated: StatedFigures) -> str | None:
    """The words by which a notice says every measure is complete, or None."""
    if stated.all_completed:
        return "已全部完成"
    if (
        stated.completed is not None
        and stated.measures is not None
        and stated.completed_of != "problems"
        and stated.completed >= stated.measures > 0
    ):
        return f"已完成{stated.completed}条，共{stated.measures}条"
    if stated.completion_rate is not None and stated.completion_rate >= 100:
        return "整改完成率100%"
    return None


def _measures_by_finding(nodes: list[NoticeFinding]) -> Iterator[list[NoticeMeasure]]:
    pending = list(nodes)
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        yield node.measures


def _all_done_from_statement(doc: NoticeDoc) -> None:
    """A notice that says all its measures are complete marks done those it lists without a status of their
    own; a measure that says otherwise (持续推进, an unfinished item) keeps its word. An ongoing phrase about
    part of the work or another body's procedure (wording.py) is not the measure's word: it is marked done too,
    and keeps its warning for the user to check. Without such a statement, no measure keeps a warning."""
    said = _states_all_done(doc.stated)
    marked = worded = 0
    for measures in _measures_by_finding(doc.findings):
        unfinished = said is None or any(measure.status == "open" for measure in measures)
        for measure in measures:
            if measure.warning and (unfinished or measure.status != "ongoing"):
                measure.warning = ""
            elif measure.warning:
                measure.status = "done"
                worded += 1
            elif said is not None and measure.status == "unknown":
                measure.status = "done"
                marked += 1
    notes = []
    if marked:
        notes.append(f"未逐条标注完成情况的{marked}条措施按已完成计")
    if worded:
        notes.append(
            f"{worded}条措施的表述中有“正在……”等字样（涉及部分工作或其他单位的程序），也按已完成计，请在预览中核对"
        )
    if notes:
        doc.status_note = f"通报称整改措施{said}，" + "；".join(notes) + "。"


def _is_signature(line: Line) -> bool:
    return (
        len(line.folded) <= 40
        and not P.SENTENCE_PUNCT.search(line.folded)
        and not P.NUMBERED.match(line.folded)
    )


def _is_title_part(line: Line) -> bool:
    """A line that may be part of a title broken over lines: short, no sentence punctuation, no number."""
    return len(line.folded) <= 30 and _is_signature(line)


class _Reader:
    def __init__(self, lines: list[Line], circled: bool = True) -> None:
        self.doc = NoticeDoc()
        self.lines = lines
        self.warnings: list[ParseWarning] = []
        # lines, not texts: their folded form (made once in _lines) serves for the stated figures
        self.organising: list[Line] = []
        self.closing: list[Line] = []
        self.clues: list[Line] = []
        self.stated_texts: list[Line] = []
        first, label = P.PROGRESS_LABEL_FIRST, P.PROGRESS_LABEL
        uses_labels = any(line.folded[:1] in first and label.match(line.folded) for line in lines)
        self.findings = FindingsBuilder(uses_labels, circled)
        self.outstanding = OutstandingBuilder()
        self.tail = "body"  # body | closing | contact
        self.any_findings = False

    def read(self) -> NoticeDoc:
        body = self._head(self._drop_debris(self._metadata(self.lines)))
        body = self._signature(body)
        self._from_metadata()
        sections = _sections(body)
        self.any_findings = any(section.kind == "findings" for section in sections)
        for section in sections:
            self._section(section)
        doc = self.doc
        doc.findings = self.findings.finish()
        doc.outstanding, outstanding_warnings = attach(doc.findings, self.outstanding)
        doc.organising_work = "\n".join([line.text for line in self.organising])
        doc.closing = "\n".join([line.text for line in self.closing])
        doc.clues = "\n".join([line.text for line in self.clues])
        doc.stated = stated_figures(
            [line.folded for line in (*self.stated_texts, *self.organising, *self.closing)], folded=True
        )
        unmarked = not any(_statuses(doc.findings))
        _all_done_from_statement(doc)
        doc.counts = count(doc.findings)
        doc.checks = (
            []  # a round's summary lists no findings to check its figures against
            if doc.inspection.whole_round and not doc.findings
            else checks(
                doc.stated,
                doc.counts,
                unmarked=unmarked,
                findings_done=done_findings(doc.findings),
            )
        )
        warnings = self.warnings + self.findings.warnings + outstanding_warnings
        if not doc.findings:
            warnings.insert(
                0, ParseWarning(0, "", WHOLE_ROUND if doc.inspection.whole_round else NO_STRUCTURE)
            )
        doc.warnings = sorted(warnings, key=lambda w: w.line)
        return doc

    def _metadata(self, lines: list[Line]) -> list[Line]:
        """Take the 信息公开 block (索引号, 文件名称, 发布机构, 成文日期…) out of the head of a saved page."""
        kept: list[Line] = []
        taking: str | None = None  # a label whose value is on the next line
        for index, line in enumerate(lines):
            if index >= _META_MAX_LINES or P.OPENING.match(line.folded) or P.TOP_HEADING.match(line.folded):
                kept.extend(lines[index:])
                break
            bare = line.folded.lstrip(P.META_BULLETS)
            label = P.META_LABEL.match(bare) if ":" in bare else None
            if label is not None:
                value = label.group("value").strip()
                name = label.group("label")
                if value:
                    start = len(line.text) - len(bare) + label.start("value")
                    self.doc.metadata.setdefault(name, line.text[start:].strip())
                    taking = None
                else:
                    taking = name
                continue
            if taking is not None:
                self.doc.metadata.setdefault(taking, line.text.lstrip(P.META_BULLETS).strip())
                taking = None
                continue
            kept.append(line)
        return kept

    def _from_metadata(self) -> None:
        """Fill what the text itself did not say from the metadata block (a 来源 line is never the issuer)."""
        meta = self.doc.metadata
        if not meta:
            return
        title = next((meta[k] for k in ("文件名称", "信息名称", "标题", "名称") if meta.get(k)), None)
        if self.doc.title is None and title:
            self.doc.title = title
        if self.doc.issuer is None and title and (m := re.match(r"^(.{2,60}?)关于", fold(title))):
            self.doc.issuer = title[: m.end(1)]
        if self.doc.issuer is None:
            self.doc.issuer = next(
                (meta[k] for k in ("发布机构", "发文机关", "发文机构", "发布单位") if meta.get(k)), None
            )
        if self.doc.date is None:
            written = next(
                (meta[k] for k in ("成文日期", "发文日期", "生成日期", "公开日期") if meta.get(k)), None
            )
            self.doc.date = parse_date(written) if written else None

    def _drop_debris(self, lines: list[Line]) -> list[Line]:
        kept = []
        for line in lines:
            if P.is_debris(line.folded):
                if self.doc.date is None and (m := P.PUBLISHED.search(line.folded)):
                    self.doc.date = parse_date(m.group("d"))
            else:
                kept.append(line)
        return kept

    def _title(self, lines: list[Line]) -> int:
        """Take the title among the first lines: one line, or broken over two or three short lines
        (中共××党组 / 关于……的通报, or where a 2号 line is full); return the index of the line after it.
        Lines before it (a site name above the article) become warnings."""
        for start in range(min(3, len(lines))):
            if P.TOP_HEADING.match(lines[start].folded) or P.OPENING.match(lines[start].folded):
                return 0
            for size in range(1, 4):
                title_lines = lines[start : start + size]
                if len(title_lines) < size or (
                    size > 1 and not all(_is_title_part(line) for line in title_lines)
                ):
                    break
                title = "".join(line.text for line in title_lines)
                folded = title_lines[0].folded if size == 1 else fold(title)  # a line's folded is fold(text)
                # A title broken over lines names its issuer: 关于 is on the first line or opens the second
                # (a site name above a one-line title is not the title's first line).
                joined = (
                    size == 1 or "关于" in title_lines[0].folded or title_lines[1].folded.startswith("关于")
                )
                if not (P.TITLE.match(folded) and joined and (start == 0 or P.NOTICE_TITLE.search(folded))):
                    continue
                self.doc.title = title
                if m := re.match(r"^(.{2,60}?)关于", folded):
                    self.doc.issuer = title[: m.end(1)]
                for skipped in lines[:start]:
                    self._warn(skipped, "标题前的文字未能归类。")
                return start + size
        return 0

    def _head(self, lines: list[Line]) -> list[Line]:
        """Title and the opening sentence."""
        index = self._title(lines)
        if self.doc.title is not None:
            # the title repeated (the page's title above the article's): one is enough
            title = fold(self.doc.title)
            while index < len(lines) and lines[index].folded == title:
                index += 1
        for offset, line in enumerate(lines[index : index + 3]):
            if P.TOP_HEADING.match(line.folded):
                break
            if P.OPENING.match(line.folded):
                self.doc.inspection = inspection_info(line.text)
                self.stated_texts.append(line)
                for skipped in lines[index : index + offset]:
                    self._warn(skipped, "标题与开头之间的文字未能归类。")
                return lines[index + offset + 1 :]
        return lines[index:]

    def _signature(self, lines: list[Line]) -> list[Line]:
        """Signature date (and the signing unit above it) at the very end."""
        if not lines:
            return lines
        date = _signature_date(lines[-1])
        if date is None:
            return lines
        self.doc.date = date
        end = len(lines) - 1
        if end > 0 and _is_signature(lines[end - 1]):
            if self.doc.issuer is None:
                self.doc.issuer = lines[end - 1].text
            end -= 1
        return lines[:end]

    def _section(self, section: _Section) -> None:
        head, kind = section.heading, section.kind
        if kind == "findings":
            if head is not None:
                self._findings_line(head, is_heading=True)
            elif section.lines:
                # no 一、 heading: text before the first finding is organising work
                first = next(i for i, line in enumerate(section.lines) if heading(line, False) is not None)
                for line in section.lines[:first]:
                    self._plain(line, self.organising)
                section.lines = section.lines[first:]
            for line in section.lines:
                self._findings_line(line)
            return
        if kind == "outstanding" and self.tail == "body":
            for line in section.lines:
                self._outstanding_line(line)
            return
        target = {"organising": self.organising, "clues": self.clues}.get(kind, self.closing)
        if kind == "organising" and head is None and not self.any_findings:
            for line in section.lines:
                if not self._tail_line(line):
                    self.stated_texts.append(line)  # a summary without findings still states figures
                    if self.doc.inspection.whole_round:
                        self.organising.append(line)
                    else:
                        self.warnings.append(
                            ParseWarning(line.no, line.text, "这段文字不属于通报的任何部分，未能归类。")
                        )
            return
        for line in section.lines:
            self._plain(line, target)

    def _warn(self, line: Line, message: str) -> None:
        self.warnings.append(ParseWarning(line.no, line.text, message))

    def _plain(self, line: Line, target: list[Line]) -> None:
        if not self._tail_line(line):
            target.append(line)

    def _tail_line(self, line: Line) -> bool:
        """Contact block and the closing after it; True when the line was taken."""
        if self.tail == "contact" or (
            line.folded[:1] in P.CONTACT_START_FIRST and P.CONTACT_START.match(line.folded)
        ):
            self.tail = "contact"
            read_contact(self.doc.contact, line.text, line.folded)
            return True
        if self.tail == "closing":
            self.closing.append(line)
            return True
        return False

    def _findings_line(self, line: Line, is_heading: bool = False) -> None:
        if self._tail_line(line):
            return
        if line.folded[:1] in P.CLOSING_START_FIRST and P.CLOSING_START.match(line.folded):
            self.tail = "closing"
            self.closing.append(line)
            return
        if is_heading and heading(line, False) is None:
            return  # a section title such as 二、巡察反馈问题的整改进展情况
        self.findings.feed(line)

    def _outstanding_line(self, line: Line) -> None:
        if self._tail_line(line):
            return
        if line.folded[:1] in P.CLOSING_START_FIRST and P.CLOSING_START.match(line.folded):
            self.tail = "closing"
            self.closing.append(line)
            return
        self.outstanding.feed(line)


def parse_text(text: str) -> NoticeDoc:
    """Parse the text of a notice. Never raises: what cannot be placed is reported in `warnings`."""
    lines, circled = _lines(text)
    if not lines:
        doc = NoticeDoc(contact=Contact())
        doc.warnings = [ParseWarning(0, "", "文本为空，没有可解析的通报内容。")]
        return doc
    return _Reader(lines, circled).read()
