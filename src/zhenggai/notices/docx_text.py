"""Text of a .docx notice, one paragraph per line, with Word's automatic numbering written out.

Word keeps list numbers (一、 （一） 1. （1） ①) out of the text when a paragraph uses `w:numPr`. We rebuild
them from numbering.xml (format, level text, start value) and per-list counters, so the parser sees the same
headings as in a typed document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from zhenggai.notices.read import NoticeReadError, is_zip_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"

_CN = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def _chinese(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _roman(n: int) -> str:
    out = []
    for value, symbol in _ROMAN:
        while n >= value:
            out.append(symbol)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter value in a Word number format (w:numFmt)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "ideographDigital"):
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 0 < n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n)
    if fmt == "lowerLetter":
        return _letter(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """numId → its nine levels, and the running counters per list."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels or not 0 <= ilvl < 9:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        for lower in range(9):  # levels not yet used start at their start value
            if counters[lower] == 0 and lower < ilvl:
                counters[lower] = levels.get(lower, _Level()).start
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl].start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""
        label = level.text
        for index in range(ilvl, -1, -1):  # %1 … %9 stand for the counters of levels 0 … 8
            fmt = levels.get(index, _Level()).fmt
            label = label.replace(f"%{index + 1}", format_number(counters[index], fmt))
        return label


def _attr(element: Any, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(_W + name)
    return str(value) if value is not None else None


def _int(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() else 0


def _load_numbering(document: Any) -> _Numbering:
    numbering = _Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return numbering
    abstract: dict[str, dict[int, _Level]] = {}
    for node in root.findall(_W + "abstractNum"):
        levels: dict[int, _Level] = {}
        for lvl in node.findall(_W + "lvl"):
            ilvl = _int(_attr(lvl, "ilvl"))
            start = _attr(lvl.find(_W + "start"), "val")
            levels[ilvl] = _Level(
                fmt=_attr(lvl.find(_W + "numFmt"), "val") or "decimal",
                text=_attr(lvl.find(_W + "lvlText"), "val") or "",
                start=_int(start) if start else 1,
            )
        abstract[_attr(node, "abstractNumId") or ""] = levels
    for num in root.findall(_W + "num"):
        num_id = _attr(num, "numId") or ""
        levels = {
            k: _Level(v.fmt, v.text, v.start)
            for k, v in abstract.get(_attr(num.find(_W + "abstractNumId"), "val") or "", {}).items()
        }
        for override in num.findall(_W + "lvlOverride"):
            ilvl = _int(_attr(override, "ilvl"))
            start = _attr(override.find(_W + "startOverride"), "val")
            if start and ilvl in levels:
                levels[ilvl].start = _int(start)
        numbering.levels[num_id] = levels
    return numbering


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph or, failing that, from its style chain."""
    sources = [paragraph._p.pPr]
    style = paragraph.style
    depth = 0
    while style is not None and depth < 10:
        sources.append(style.element.pPr)
        style = style.base_style
        depth += 1
    num_id: str | None = None
    ilvl: int | None = None
    for ppr in sources:
        if ppr is None:
            continue
        num_pr = ppr.find(_W + "numPr")
        if num_pr is None:
            continue
        if num_id is None:
            num_id = _attr(num_pr.find(_W + "numId"), "val")
        if ilvl is None:
            value = _attr(num_pr.find(_W + "ilvl"), "val")
            ilvl = _int(value) if value else None
    if num_id is None or num_id == "0":
        return None
    return num_id, ilvl or 0


def _paragraphs(document: Any) -> Iterator[Any]:
    """Body paragraphs in order, including those inside table cells."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.element.body.iterchildren():
        if block.tag == _W + "p":
            yield Paragraph(block, document)
        elif block.tag == _W + "tbl":
            for row in Table(block, document).rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def docx_text(data: bytes) -> str:
    """The text of a .docx file, one paragraph per line, numbering included."""
    if not is_zip_docx(data):
        raise NoticeReadError("文件不是有效的 Word（.docx）文档，可能已损坏，或是其他格式改了扩展名。")
    import docx

    try:
        document = docx.Document(BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise NoticeReadError(f"无法打开 Word（.docx）文档：{exc.__class__.__name__}。") from None
    numbering = _load_numbering(document)
    lines = []
    for paragraph in _paragraphs(document):
        text = paragraph.text
        num = _num_pr(paragraph)
        if num is not None:
            text = numbering.label(*num) + text
        lines.append(text)
    return "\n".join(lines)
