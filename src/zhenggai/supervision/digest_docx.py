"""The weekly summary as a .docx (python-docx): an overview table, then each unit's figures and lists."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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


def _table(doc: Any, header: tuple[str, ...], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _font(cell.paragraphs[0].add_run(text), TABLE_FONT, 10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run(text), TABLE_FONT, 10.5)


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
    section.left_margin = section.right_margin = Mm(26)
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
            _table(doc, ("编号", "整改措施", "责任部门", "整改时限", "进度"), _item_rows(items))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
