"""The weekly summary as a .docx (python-docx): an overview table, then each unit's figures and lists.

Table columns are fitted to their content (fixed layout, widths in the grid and on every cell): a unit
name, a code, a date or a figure is never wrapped; only the free-text column (整改措施) and long headers
wrap when the page is too narrow for everything on one line.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from zhenggai.supervision.digest import Digest, Item, UnitFigures, _day

BODY_FONT, TITLE_FONT, TABLE_FONT = "仿宋_GB2312", "方正小标宋简体", "宋体"
OVERVIEW = (
    "单位",
    "整改措施",
    "已完成",
    "完成率",
    "本周新报送进展",
    "本周销号",
    "本周预警",
    "已逾期",
    "下周到期",
)
CHINESE_ORDINALS = "一二三四五六七八九十"
ITEMS = ("编号", "整改措施", "责任部门", "整改时限", "进度")
TABLE_SIZE = 10.5  # 五号
PAGE_WIDTH_MM, MARGIN_MM = 210, 26
TEXT_WIDTH_PT = (PAGE_WIDTH_MM - 2 * MARGIN_MM) / 25.4 * 72
CELL_PADDING_PT = 3.0  # left and right margin of a cell, set on each table (Word: 5.4)
HEADER_MIN_CHARS = 2  # a long header may wrap down to this many characters a line


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(
    doc: Any, text: str, *, font: str = BODY_FONT, size: float = 14, bold: bool = False, center: bool = False
) -> Any:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def text_width(text: str) -> float:
    """Width in 字 at the table's size: Chinese characters, full-width marks and % 1; digits and other ASCII
    about 0.64 (as CJK fonts print them, wider than half a 字); plus a quarter 字 where Chinese meets a digit
    or a letter (the space Word and LibreOffice add there: 2025 年 4 月)."""
    wide = [ord(ch) > 0x2E7F or ch == "%" for ch in text]
    changes = sum(1 for a, b in itertools.pairwise(wide) if a != b)
    return sum(1.0 if w else 0.64 for w in wide) + 0.25 * changes


def fit_widths(
    header: tuple[str, ...], rows: list[list[str]], wrap: frozenset[int], available: float = TEXT_WIDTH_PT
) -> list[float]:
    """Column widths in points: each column as wide as its longest text on one line; when that is wider
    than the page, the columns in `wrap` and the headers give way first (down to a minimum), the others
    keep their one-line width."""
    char = TABLE_SIZE
    pad = 2 * CELL_PADDING_PT + 2  # cell margins, the border and a little air
    natural, least = [], []
    for i, head in enumerate(header):
        body = max((text_width(row[i]) for row in rows), default=0.0)
        natural.append(max(body, text_width(head)) * char + pad)
        floor = HEADER_MIN_CHARS if i in wrap else max(body, min(text_width(head), HEADER_MIN_CHARS))
        least.append(floor * char + pad)
    total, slack = sum(natural), sum(n - m for n, m in zip(natural, least, strict=True))
    if total <= available:
        # Room to spare: the wrapping column takes it (its text then needs fewer lines), else all share it.
        grow = [i for i in range(len(header)) if i in wrap] or list(range(len(header)))
        extra = (available - total) / len(grow)
        return [n + extra if i in grow else n for i, n in enumerate(natural)]
    if sum(least) <= available and slack > 0:
        k = (total - available) / slack
        return [n - (n - m) * k for n, m in zip(natural, least, strict=True)]
    return [n * available / total for n in natural]  # nothing else helps: everything shrinks alike


def _table(
    doc: Any, header: tuple[str, ...], rows: list[list[str]], wrap: frozenset[int] = frozenset()
) -> None:
    widths = fit_widths(header, rows, wrap)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_margins(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(round(width * 20))
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.width = Twips(round(width * 20))
        _font(cell.paragraphs[0].add_run(text), TABLE_FONT, TABLE_SIZE, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, widths, strict=True):
            cell.width = Twips(round(width * 20))
            _font(cell.paragraphs[0].add_run(text), TABLE_FONT, TABLE_SIZE)


def _narrow_margins(table: Any) -> None:
    """Narrow cell margins (w:tblCellMar, before w:tblLook in schema order); `autofit = False` already
    made the layout fixed, so Word, WPS and LibreOffice keep the widths we set."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(CELL_PADDING_PT * 20)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _overview_row(unit: UnitFigures) -> list[str]:
    return [
        unit.name,
        str(unit.measures),
        str(unit.done),
        f"{unit.completion_rate:g}%",
        str(unit.new_reports),
        str(unit.signoffs),
        str(unit.warnings),
        str(unit.overdue),
        str(unit.due_next_week),
    ]


def _item_rows(items: list[Item]) -> list[list[str]]:
    return [
        [i.code, i.text, i.department, _day(i.deadline) if i.deadline else "", f"{i.progress}%"]
        for i in items
    ]


def digest_docx(digest: Digest) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin, section.bottom_margin = Mm(30), Mm(28)

    _paragraph(doc, digest.title, font=TITLE_FONT, size=18, center=True)
    _paragraph(
        doc,
        f"统计期间：{_day(digest.since)}至{_day(digest.until)}；下周到期指{_day(digest.today)}至"
        f"{_day(digest.next_week_end)}。",
    )
    if not digest.units:
        _paragraph(doc, "本期没有需要汇总的整改工作。")
    else:
        totals = digest.totals
        _paragraph(
            doc,
            f"共{len(digest.units)}个单位，整改措施{totals.measures}条，已完成{totals.done}条"
            f"（完成率{totals.completion_rate:g}%）；本周新报送进展{totals.new_reports}次，销号{totals.signoffs}条，"
            f"发出预警{totals.warnings}次；已逾期{totals.overdue}条，下周到期{totals.due_next_week}条。",
        )
        _table(doc, OVERVIEW, [_overview_row(u) for u in digest.units] + [_overview_row(totals)])
    for number, unit in enumerate(digest.units):
        ordinal = CHINESE_ORDINALS[number] if number < len(CHINESE_ORDINALS) else str(number + 1)
        _paragraph(doc, f"{ordinal}、{unit.name}", font="黑体", size=15, bold=True)
        changes = "、".join(f"{label}{n}次" for label, n in unit.change_rows()) or "无"
        lights = "、".join(f"{label}{n}条" for _, label, n in unit.light_rows() if n) or "无"
        _paragraph(
            doc,
            f"整改措施{unit.measures}条，已完成{unit.done}条（完成率{unit.completion_rate:g}%）。"
            f"本周新报送进展{unit.new_reports}次，销号{unit.signoffs}条；颜色变化：{changes}；当前：{lights}。"
            f"已逾期{unit.overdue}条，下周到期{unit.due_next_week}条。",
        )
        for label, items, total in (
            ("已逾期", unit.overdue_items, unit.overdue),
            ("下周到期", unit.due_items, unit.due_next_week),
        ):
            if not items:
                continue
            more = f"（列出前{len(items)}条）" if total > len(items) else ""
            _paragraph(doc, f"{label}的整改措施{more}：", bold=True)
            _table(doc, ITEMS, _item_rows(items), wrap=frozenset({ITEMS.index("整改措施")}))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
