"""The exported 台账 printed by LibreOffice: readable body text, no cell text cut off, the header on every page.

"Cut off" is read from the PDF: LibreOffice still draws the text of a cell that is too low, clipped to the
cell, so its lines run into the row above or below and overlap the neighbour's text. Every row below has
text in 整改措施 and 进展情况 (left-aligned, so each column's lines share one left edge), and the merged
具体问题 blocks are followed by other blocks: any overflow shows as two overlapping lines in one column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory
from tests.pdf import Word, is_cjk_text, needs_calc, page_count, to_pdf, words
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel
from zhenggai.sheets.export import export_ledger

pytestmark = needs_calc

PHRASES = (
    "对照巡察反馈意见逐条梳理问题清单",
    "建立健全工作台账并明确责任人和完成时限",
    "召开专题会议研究部署整改工作",
    "修订完善相关制度规定共计五项",
    "开展专项检查二次并印发通报",
    "对相关责任人进行提醒谈话",
)


def _text(n: int, length: int) -> str:
    """A Chinese text of about `length` characters, different for each n."""
    parts: list[str] = []
    i = n
    while sum(len(p) + 1 for p in parts) < length:
        parts.append(PHRASES[i % len(PHRASES)])
        i += 1
    return "，".join(parts) + "。"


@pytest.fixture
def ledger_pdf(world: World, tmp_path: Path) -> Path:
    inspection = world.inspection_a
    n = 0
    for p in range(1, 7):
        problem = FindingFactory(
            inspection=inspection, title=f"关于{_text(p, 12 * p)[:-1]}的问题", position=p
        )
        for d in range(1, 3):
            detail = FindingFactory(
                inspection=inspection,
                parent=problem,
                level=FindingLevel.DETAIL,
                # A long detail title over short measures: its merged cell needs more than its rows.
                title=f"针对{_text(p + d, 90 if d == 1 else 20)[:-1]}的问题",
                position=d,
            )
            for _ in range(2 if d == 1 else 3):
                n += 1
                measure = MeasureFactory(
                    finding=detail,
                    text=_text(n, 8 if d == 1 else 20 + (n * 37) % 160),
                    lead_department=world.dept_a,
                    responsible_leader="赵某某",
                    responsible_person="王某某",
                    deadline=dt.date(2030, 12, 31),
                )
                services.report_progress(
                    by=world.staff_a, measure=measure, text=_text(n + 3, 6 + (n * 53) % 140), progress=40
                )
    path = tmp_path / "台账.xlsx"
    export_ledger(inspection, path)
    return to_pdf(path, tmp_path)


def _overlaps(column: list[Word], pitch: float) -> list[tuple[str, str]]:
    """Pairs of lines in one column (same page, same left edge) closer than the line pitch: the lines of
    one cell are exactly a pitch apart, those of the next cell further; overflow puts them closer."""
    found = []
    lines = sorted(column, key=lambda w: (w.page, w.y0))
    for above, below in pairwise(lines):
        if above.page == below.page and 0.5 < below.y0 - above.y0 < pitch - 0.5:
            found.append((above.text, below.text))
    return found


def _pitch(columns: list[list[Word]]) -> float:
    """The most common distance between successive lines of a column: the line pitch of wrapped text."""
    steps: dict[float, int] = defaultdict(int)
    for column in columns:
        ys = sorted({(w.page, round(w.y0, 1)) for w in column})
        for (page_a, a), (page_b, b) in pairwise(ys):
            if page_a == page_b:
                steps[round(b - a, 1)] += 1
    return max(steps.items(), key=lambda item: item[1])[0]


def test_printed_ledger_body_is_at_least_9_pt(ledger_pdf: Path) -> None:
    found = words(ledger_pdf)
    body = [w for w in found if is_cjk_text(w.text) and len(w.text) >= 4 and w.y0 > 90]
    assert body
    sizes = sorted((w.x1 - w.x0) / len(w.text) for w in body)  # a Chinese character is 1 em wide
    assert sizes[len(sizes) // 2] >= 9.0, sizes[:5]
    assert sizes[0] >= 9.0 - 0.3, sizes[:5]


def test_printed_ledger_repeats_the_header_on_every_page(ledger_pdf: Path) -> None:
    pages = page_count(ledger_pdf)
    assert pages >= 2
    headers = {w.page for w in words(ledger_pdf) if w.text == "整改措施"}
    assert headers == set(range(1, pages + 1))


def test_no_cell_text_runs_out_of_its_row(ledger_pdf: Path) -> None:
    columns: dict[tuple[int, float], list[Word]] = defaultdict(list)
    for word in words(ledger_pdf):
        if word.y0 > 90:  # below the title and the header row
            columns[(word.page, round(word.x0))].append(word)
    # Only the left-aligned columns: a shared left edge holding several lines.
    tall = {key: ws for key, ws in columns.items() if len(ws) >= 6}
    assert len(tall) >= 4
    pitch = _pitch(list(tall.values()))
    assert 10 <= pitch <= 16, pitch  # about 1.2 lines of 9.4 pt text
    overlaps = [pair for ws in tall.values() for pair in _overlaps(ws, pitch)]
    assert overlaps == []
