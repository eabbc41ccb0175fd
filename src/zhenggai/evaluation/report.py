"""The 整改评估 report as a .docx in the GB/T 9704 layout of the weekly summary (supervision.digest_docx)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from docx import Document
from docx.shared import Mm

from zhenggai.evaluation.models import Evaluation
from zhenggai.supervision.digest_docx import CHINESE_ORDINALS, MARGIN_MM, TITLE_FONT, _paragraph, _table

OVERVIEW = ("序号", "单位", "巡察组", "计算得分", "人工调整", "最终得分", "等次")


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def evaluation_report_docx(title: str, evaluations: Sequence[Evaluation], today: dt.date) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    _paragraph(doc, title, font=TITLE_FONT, size=22, center=True)
    if not evaluations:
        _paragraph(doc, "尚未开展整改评估。")
    else:
        grades: dict[str, int] = {}
        for e in evaluations:
            grades[e.get_grade_display()] = grades.get(e.get_grade_display(), 0) + 1
        summary = "，".join(f"“{label}”{n}个" for label, n in grades.items())
        _paragraph(
            doc,
            f"截至{_day(today)}，共对{len(evaluations)}个单位的巡察整改情况开展评估，其中{summary}。"
            "评估按整改评估细则逐项扣分，每处扣分均列明依据；纸面整改疑点为待核实事项，不作为认定结论。",
        )
        _paragraph(doc, "一、评估结果", font="黑体", size=16)
        _table(
            doc,
            OVERVIEW,
            [
                [
                    str(n + 1),
                    e.inspection.inspected_unit.display_name,
                    e.inspection.inspector,
                    str(e.computed_score),
                    f"{e.adjustment:+}" if e.adjustment else "",
                    str(e.score),
                    e.get_grade_display(),
                ]
                for n, e in enumerate(evaluations)
            ],
        )
        _paragraph(doc, "二、各单位扣分情况", font="黑体", size=16)
        for n, e in enumerate(evaluations):
            ordinal = CHINESE_ORDINALS[n] if n < len(CHINESE_ORDINALS) else str(n + 1)
            _paragraph(
                doc,
                f"（{ordinal}）{e.inspection.inspected_unit.display_name}：{e.score}分，{e.get_grade_display()}。",
                font="楷体_GB2312",
                size=16,
            )
            for d in e.deductions:
                if d["deducted"] in ("0", "0.0"):
                    continue
                _paragraph(doc, f"{d['title']}：扣{d['deducted']}分（本项{d['points']}分）。")
                for reason in d["reasons"]:
                    _paragraph(doc, reason, size=12)
            if e.adjustment:
                _paragraph(doc, f"人工调整{e.adjustment:+}分，理由：{e.adjustment_reason}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
