"""The finding tree of section 二、: 方面 → 问题 → 具体问题, and the measures under each leaf.

Headings are recognised by what they say (…方面 / 关于“…”问题 / 针对“…”问题), not by their numbers alone,
because numbering differs from one notice to the next. Progress text is split into measures by its
enumerations (一是…二是…, ①②③, (一)(二), (1)(2), 1. 2.); the finest enumeration wins.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from zhenggai.notices import patterns as P
from zhenggai.notices.document import Level, MeasureStatus, NoticeFinding, NoticeMeasure, ParseWarning
from zhenggai.notices.normalise import CIRCLED, cn_to_int
from zhenggai.notices.wording import part_or_procedure_warning

# A numbered problem heading ends like this in real notices, half-width colon included.
PROBLEM_ENDINGS = ("问题", "问题。", "问题.", "问题:")  # half-width: marks real documents contain

# Headings opened one after another within one line (关于“甲”的问题针对“乙”的问题…) before the rest of the
# line counts as plain text: each costs a pass over the line.
MAX_CHAINED_HEADINGS = 16


class Line(NamedTuple):  # a named tuple: a notice may have a million lines, and it is the cheapest to build
    no: int  # 1-based line number in the decoded text
    text: str  # original, stripped
    folded: str  # same length as text


_new_line = tuple.__new__  # builds a Line without the Python-level __new__ of named tuples (twice as fast)


class Heading(NamedTuple):
    level: Level
    title: str
    rest: Line | None  # text that runs on after the heading in the same paragraph


def _slice(line: Line, match: re.Match[str], group: str) -> str:
    start, end = match.span(group)
    return line.text[start:end].strip()


def _rest(line: Line, match: re.Match[str]) -> Line | None:
    start = match.start("rest")
    if not line.folded[start:].strip():
        return None
    return _new_line(Line, (line.no, line.text[start:].strip(), line.folded[start:].strip()))


# What a heading number (patterns.ANY_NUM) can start with, besides digits and whitespace.
_NUMBER_FIRST = frozenset(
    "一二三四五六七八九十第("  # half-width: folded text, as the patterns match it
    + "".join(map(chr, range(ord("㈠"), ord("㈩") + 1)))
    + "".join(map(chr, range(ord("⒈"), ord("⒛") + 1)))
    + "".join(map(chr, range(ord("⑴"), ord("⒇") + 1)))
)
_DETAIL_PLAIN_FIRST = frozenset("(" + "".join(map(chr, range(ord("⑴"), ord("⒇") + 1))))


def heading(line: Line, in_problem: bool) -> Heading | None:
    """The finding this line opens, if it is a heading; `in_problem` allows bare “…”问题 details.

    Each pattern is tried only when the words it needs are in the line and the line starts as it must (a heading
    number, or the pattern's first word): most lines of a notice are text and are turned down without a regex."""
    folded = line.folded
    first = folded[:1]
    numbered = first in _NUMBER_FIRST or first.isdecimal() or first.isspace()
    if (
        (numbered or first == "“")
        and len(folded) <= P.ASPECT_MAX_LEN
        and "方面" in folded
        and (m := P.ASPECT.match(folded))
    ):
        group = next(name for name in ("q1", "q2", "plain") if m.group(name) is not None)
        return Heading("aspect", _slice(line, m, group), None)
    if (numbered or first == "关") and "关于" in folded:
        if m := P.PROBLEM_QUOTED.match(folded):
            return Heading("problem", _slice(line, m, "title"), _rest(line, m))
        if m := P.PROBLEM_PLAIN.match(folded):
            return Heading("problem", _slice(line, m, "title"), None)
    if (numbered or first == "针") and "针对" in folded:
        if m := P.DETAIL_QUOTED.match(folded):
            return Heading("detail", _slice(line, m, "title"), _rest(line, m))
        if m := P.DETAIL_QUOTE_ONLY.match(folded):
            return Heading("detail", _slice(line, m, "title"), None)
    if in_problem:
        if first == "“" and (m := P.DETAIL_BARE.match(folded)):
            return Heading("detail", _slice(line, m, "title"), None)
        if (first in _DETAIL_PLAIN_FIRST or first.isdecimal()) and (m := P.DETAIL_PLAIN.match(folded)):
            return Heading("detail", _slice(line, m, "title"), None)
    if numbered and folded.endswith(PROBLEM_ENDINGS) and (m := P.PROBLEM_NUMBERED.match(folded)):
        return Heading("problem", _slice(line, m, "title"), None)
    return None


_RANKS = (
    re.compile(rf"^{P.L1}"),
    re.compile(rf"^{P.L2}"),
    re.compile(rf"^{P.L3}"),
    re.compile(rf"^{P.L4}"),
    re.compile(r"^[①-⑳]"),
)


# What a number of each level can start with (levels 3 and 4: a decimal digit besides): a level whose number
# cannot start with the line's first character is not tried.
_L1_FIRST = frozenset("一二三四五六七八九十第")
_L2_FIRST = frozenset("(" + "".join(map(chr, range(ord("㈠"), ord("㈩") + 1))))  # half-width: folded text
_L3_FIRST = frozenset("".join(map(chr, range(ord("⒈"), ord("⒛") + 1))))
_L4_FIRST = frozenset("(" + "".join(map(chr, range(ord("⑴"), ord("⒇") + 1))))  # half-width: folded text
_L5_FIRST = frozenset(CIRCLED)


def number_rank(folded: str) -> int:
    """The GB/T 9704 level of a heading's number: 1 for 一、, 2 for (一), 3 for 1., 4 for (1), 5 for ①; 0 if none."""
    first = folded[:1]
    if first in _L1_FIRST and _RANKS[0].match(folded):
        return 1
    if first in _L2_FIRST and _RANKS[1].match(folded):
        return 2
    decimal = first.isdecimal()
    if (decimal or first in _L3_FIRST) and _RANKS[2].match(folded):
        return 3
    if (decimal or first in _L4_FIRST) and _RANKS[3].match(folded):
        return 4
    return 5 if first in _L5_FIRST and _RANKS[4].match(folded) else 0


# An enumeration marker: (start, end, family, n). A plain tuple: a progress text may hold hundreds of thousands.
_Marker = tuple[int, int, str, int]


# Each family: a character it cannot match without (a block without it is not searched), a pattern, and where a
# marker must stand. The patterns in `patterns.py` (ENUM_*) say the same in one expression each, but searched
# through a block they are tried at every character; here a line-start family is matched at the line starts
# only (its markers hold no line break, so no match elsewhere can overlap one), and 一是 is found from its 是.
_Families = tuple[tuple[int, str, re.Pattern[str]], ...]  # (index of its counter, family, pattern)
_PAREN_FAMILIES: _Families = (
    (0, "paren_cn", re.compile(rf"\((?P<n>{P.CN})\)[、.]?")),
    (1, "paren_digit", re.compile(r"\((?P<n>\d{1,2})\)[、.]?")),
)
_DIGIT_FAMILIES: _Families = ((2, "dot_digit", re.compile(r"(?P<n>\d{1,2})[.、](?!\d)")),)
_CN_DIGITS = frozenset("一二三四五六七八九十")  # patterns.CN
_CLAUSE_END = frozenset("\n。.,;:!?)”")


def _clause_starts(folded: str, at: int) -> bool:
    """A clause's first character after its punctuation and spaces (or the text's first)."""
    before = at - 1
    while before >= 0 and folded[before].isspace():
        before -= 1
    return before < 0 or folded[before] in _CLAUSE_END


def _shi(folded: str, start: int) -> list[tuple[int, int, str]]:
    """Every 一是/二是… from `start`, as a search for 一是 (numerals then 是) finds them: (start, end, numeral).

    Each 是 is found by a fast scan; the numerals before it are walked back over (each run once: linear)."""
    found = []
    at = folded.find("是", start + 1)
    while at != -1:
        if folded[at - 1] in _CN_DIGITS:
            begin = at - 1
            while begin > start and folded[begin - 1] in _CN_DIGITS:
                begin -= 1
            found.append((begin, at + 1, folded[begin:at]))
        at = folded.find("是", at + 1)
    return found


_CIRCLED_NUMBER = {ch: index + 1 for index, ch in enumerate(CIRCLED)}


def _markers(folded: str, start: int, circled: bool = True) -> list[_Marker]:
    """Enumeration markers in order; a family's numbers must run 1, 2, 3… (a new 1 restarts it).
    `circled`: the text may hold ①②③ (False when the whole notice holds none)."""
    found: list[_Marker] = []
    append = found.append
    if "是" in folded:
        last = 0
        for begin, end, numeral in _shi(folded, start):
            if _clause_starts(folded, begin):
                n = cn_to_int(numeral) or 0
                if n == 1 or n == last + 1:
                    append((begin, end, "shi", n))
                    last = n
    line_starts = [0] if start == 0 else []
    at = folded.find("\n", max(start - 1, 0))
    while at != -1:
        line_starts.append(at + 1)
        at = folded.find("\n", at + 1)
    last_of = [0, 0, 0]  # per line family
    for line_start in line_starts:
        first = folded[line_start : line_start + 1]
        # a line family's marker starts with its cue, "(" or a digit: other lines are not matched at all
        families: _Families = (
            _PAREN_FAMILIES if first == "(" else _DIGIT_FAMILIES if first.isdecimal() else ()
        )
        for index, family, pattern in families:
            if (m := pattern.match(folded, line_start)) is None:
                continue
            n = cn_to_int(m.group("n")) or 0
            if n == 1 or n == last_of[index] + 1:
                append((*m.span(), family, n))
                last_of[index] = n
    if circled and P.ENUM_CIRCLED.search(folded, start):
        last = 0
        number = _CIRCLED_NUMBER
        for m in P.ENUM_CIRCLED.finditer(folded, start):
            n = number[m.group()]
            if n == 1 or n == last + 1:
                append((*m.span(), "circled", n))
                last = n
    found.sort()
    return found


def _status_word(word: str) -> MeasureStatus:
    status = P.STATUS_WORDS[word]
    return "done" if status == "done" else "ongoing" if status == "ongoing" else "open"


def _clean(text: str, folded: str) -> tuple[str, MeasureStatus | None]:
    """Text without its status markers "(已完成)", and the last marker's status."""
    if "(" not in folded:
        return text.strip(), None
    status: MeasureStatus | None = None
    pieces = []
    pos = 0
    for m in P.STATUS_PAREN.finditer(folded):
        begin = m.start()  # the marker takes the spaces before it
        while begin > pos and folded[begin - 1].isspace():
            begin -= 1
        pieces.append(text[pos:begin])
        pos = m.end()
        status = _status_word(m.group("word"))
    pieces.append(text[pos:])
    return "".join(pieces).strip(), status


def _keyword_status(folded: str) -> MeasureStatus | None:
    """Ongoing words anywhere win over done words."""
    if P.ONGOING_TEXT.search(folded):
        return "ongoing"
    return "done" if P.DONE_TEXT.search(folded) else None


def split_measures(lines: list[Line], circled: bool = True) -> list[NoticeMeasure]:
    """The measures of one progress block. Un-enumerated paragraphs form one measure together.
    `circled`: the block may hold ①②③ (False when the whole notice holds none)."""
    if not lines:
        return []
    text = "\n".join([line.text for line in lines])
    folded = "\n".join([line.folded for line in lines])
    block_status: MeasureStatus | None = None
    begin = 0
    if lead := P.STATUS_LEAD.match(folded):
        block_status = _status_word(lead.group("word"))
        begin = lead.end()
    if block_status is None and (closing := P.STATUS_CLOSING.search(folded)):
        # a marker that ends the whole progress covers the clauses that have none of their own
        block_status = _status_word(closing.group("word"))
    markers = _markers(folded, begin, circled)
    spans: list[tuple[int, int, str, int]] = []  # (start, end, family, n) of each piece's content
    if not markers:
        spans.append((begin, len(folded), "", 0))
    else:
        spans.append((begin, markers[0][0], "lead", 0))
        ends = [marker[0] for marker in markers[1:]]
        ends.append(len(folded))
        spans.extend(
            (marker_end, end, family, n)
            for (_, marker_end, family, n), end in zip(markers, ends, strict=True)
        )
    measures: list[NoticeMeasure] = []
    carry: list[tuple[int, int]] = []
    for index, (start, end, family, _n) in enumerate(spans):
        if not carry and (start >= end or folded[start:end].isspace()):
            continue  # an empty piece with nothing carried makes no measure (①①①… costs no more than text)
        following = spans[index + 1] if index + 1 < len(spans) else None
        # a piece followed by the first item of another enumeration only introduces it
        if following is not None and (family == "lead" or (following[2] != family and following[3] == 1)):
            if folded[start:end].strip():
                carry.append((start, end))
            continue
        if not carry:  # the usual case, one piece: the loop below, without its bookkeeping
            piece_folded = folded[start:end]
            only, only_status = _clean(text[start:end], piece_folded)
            if only:
                said = only_status or block_status
                warning = ""
                if said is None and (said := _keyword_status(piece_folded)) == "ongoing":
                    warning = part_or_procedure_warning(piece_folded, text[start:end])
                measures.append(NoticeMeasure(only, said or "unknown", warning))
            continue
        parts = [*carry, (start, end)]
        carry = []
        joined: list[str] = []
        status: MeasureStatus | None = None
        keywords: MeasureStatus | None = None
        previous_end: int | None = None
        for part_start, part_end in parts:
            piece, marker_status = _clean(text[part_start:part_end], folded[part_start:part_end])
            status = marker_status or status
            keywords = keywords or _keyword_status(folded[part_start:part_end])
            if not piece:
                continue
            if joined and previous_end is not None:
                joined.append("\n" if "\n" in folded[previous_end:part_start] else "")
            joined.append(piece)
            previous_end = part_end
        body = "".join(joined).strip()
        if not body:
            continue
        said = status or block_status
        warning = ""
        if said is None and (said := keywords) == "ongoing":
            first, last = parts[0][0], parts[-1][1]
            warning = part_or_procedure_warning(folded[first:last], text[first:last])
        measures.append(NoticeMeasure(body, said or "unknown", warning))
    if not measures and text.strip():  # the progress is only a status: "整改情况：已整改到位。"
        measures.append(NoticeMeasure(text.strip(), block_status or "unknown"))
    return measures


class FindingsBuilder:
    """Feeds the lines of the finding sections one by one and builds the tree."""

    def __init__(self, uses_labels: bool, circled: bool = True) -> None:
        self.roots: list[NoticeFinding] = []
        self.warnings: list[ParseWarning] = []
        self.uses_labels = uses_labels  # the notice writes 整改情况: before its measures
        self.circled = circled  # the notice may hold ①②③ (False: it holds none)
        self._aspect: NoticeFinding | None = None
        self._problem: NoticeFinding | None = None
        self._leaf: NoticeFinding | None = None
        self._block: list[Line] = []
        self._description: list[str] = []  # text under the current finding before its progress label
        self._in_progress = False
        self._problem_rank = 0  # numbering level of the current problem's heading (0: not numbered)

    def try_heading(self, line: Line) -> bool:
        """Open the finding `line` names, if it names one; text after the heading is fed in turn."""
        found = heading(line, self._problem is not None)
        if found is None:
            return False
        rank = number_rank(line.folded)
        if found.level == "problem" and self._problem is not None and 0 < self._problem_rank < rank:
            # 1.关于“…”问题 → (1)关于“…”的问题: a 关于 heading numbered one level deeper is a detail of it
            found = found._replace(level="detail")
        elif found.level == "problem":
            self._problem_rank = rank
        self._open(found)
        # A loop, not recursion: a line may chain headings (关于“甲”的问题关于“乙”的问题…). After a few, the
        # rest is plain text, so that a hostile line costs a bounded number of passes over it.
        rest = found.rest
        for _ in range(MAX_CHAINED_HEADINGS):
            if rest is None:
                return True
            found = heading(rest, self._problem is not None)
            if found is None:
                break
            self._open(found)
            rest = found.rest
        if rest is not None:
            self._body(rest)
        return True

    def _open(self, found: Heading) -> None:
        self._flush()
        node = NoticeFinding(level=found.level, title=found.title)
        if found.level == "aspect":
            self.roots.append(node)
            self._aspect, self._problem = node, None
        elif found.level == "problem":
            (self._aspect.children if self._aspect else self.roots).append(node)
            self._problem = node
        else:
            parent = self._problem or self._aspect
            (parent.children if parent else self.roots).append(node)
        self._leaf = node if found.level != "aspect" else None

    def feed(self, line: Line) -> None:
        if not self.try_heading(line):
            self._body(line)

    def _body(self, line: Line) -> None:
        """A line that opens no finding: a progress label, progress text or a finding's description."""
        folded = line.folded
        label = P.PROGRESS_LABEL.match(folded) if folded[:1] in P.PROGRESS_LABEL_FIRST else None
        if label is not None and self._leaf is not None:
            if self._in_progress:  # a second label under the same finding: keep the blocks apart
                self._flush(keep_leaf=True)
            self._in_progress = True
            rest = label.group("rest")
            if rest and rest.strip():
                start = label.start("rest")
                self._block.append(
                    _new_line(Line, (line.no, line.text[start:].strip(), line.folded[start:].strip()))
                )
            return
        if self._leaf is None:
            self.warnings.append(ParseWarning(line.no, line.text, "这段文字不属于任何问题，未能归类。"))
            return
        if self._in_progress or not self.uses_labels:
            self._block.append(line)
        else:
            self._description.append(line.text)

    def _flush(self, keep_leaf: bool = False) -> None:
        if self._leaf is not None and self._block:
            self._leaf.measures.extend(split_measures(self._block, self.circled))
        if self._leaf is not None and self._description:
            self._leaf.text = "\n".join(filter(None, [self._leaf.text, *self._description]))
        self._block = []
        self._description = []
        self._in_progress = False
        if not keep_leaf:
            self._leaf = None

    def finish(self) -> list[NoticeFinding]:
        self._flush()
        return self.roots
