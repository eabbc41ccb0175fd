"""The .docx as LibreOffice lays it out: 22 lines of 28 characters a page, so a known number of pages; title
lines broken at word boundaries, the 署名 and date on the page of the last paragraph, fonts and sizes.

Skipped when LibreOffice or poppler-utils are not installed (`./dev test` installs them when run as root). The expected page count is worked out from the text on the
GB/T 9704 grid (28 characters a line at 3号, 20 at 2号, 22 lines a page); the samples are chosen so their
last page is half full, far from a page break, so font substitution cannot change the count.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.notices.notice_samples import linjiang_notice
from tests.pdf import needs_office, page_texts, to_pdf, words
from zhenggai.notices.document import InspectionInfo, NoticeDoc
from zhenggai.notices.render import BlockKind, build_blocks, render_docx
from zhenggai.notices.render.text import display_width

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = needs_office

LINES_PER_PAGE = 22


def _grid_lines(doc: NoticeDoc) -> int:
    """Lines the notice takes on the 22 × 28 grid, blank lines included."""
    lines = 1  # 正文下空一行 before the signature
    for block in build_blocks(doc):
        if block.kind is BlockKind.TITLE:
            lines += math.ceil(display_width(block.plain) / 20) + 1  # 2号: 20 a line; 空一行 below
        elif block.kind in (BlockKind.SIGNATURE, BlockKind.DATE):
            lines += 1
        else:
            lines += math.ceil((2 + display_width(block.plain)) / 28)  # 左空二字
    return lines


def _pdf_pages(docx: bytes, tmp_path: Path) -> int:
    source = tmp_path / "notice.docx"
    source.write_bytes(docx)
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "notice.pdf").read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _long_notice() -> NoticeDoc:
    doc = linjiang_notice()
    doc.organising_work += "\n" + "\n".join(f"第{n}项工作已部署到位。" for n in range(1, 8))
    return doc


def _short_notice() -> NoticeDoc:
    return NoticeDoc(
        issuer="临江区文化旅游局",
        date="2024-09-20",
        inspection=InspectionInfo(inspector="区委巡察三组", start="2024-03-04", end="2024-04-26"),
    )


@pytest.mark.parametrize(("build", "pages"), [(_short_notice, 1), (_long_notice, 4)])
def test_pdf_has_the_pages_the_grid_predicts(
    build: Callable[[], NoticeDoc], pages: int, tmp_path: Path
) -> None:
    doc = build()
    lines = _grid_lines(doc)
    # The sample's last page must be about half full for the count to be a fair check.
    assert 6 <= lines - (pages - 1) * LINES_PER_PAGE <= 16, lines

    assert _pdf_pages(render_docx(doc), tmp_path) == pages


# --- acceptance: title lines, the closing block, fonts and sizes, read from the PDF -----------------------

SEED_TITLES = (
    "临江区文化和旅游局关于十一届区委第四轮巡察整改情况的通报",  # Word alone: "…第四轮巡/察整改…"
    "中共临江区文化和旅游局党组关于十一届区委第四轮巡察整改进展情况的通报",
    "鲤城区社会科学界联合会关于巡察整改情况的通报",
    "中共温州市委宣传部关于市委巡察整改情况的通报",
    "中共泉州市鲤城区社会科学界联合会党组关于十三届区委第五轮巡察“回头看”整改进展情况的通报",
)
# Words a title line must never end inside (the end of line n and the start of line n + 1 would split them).
WORDS = ("巡察", "巡视", "整改", "情况", "通报", "进展", "关于", "区委", "市委", "党组", "第四轮", "十一届")


def _convert(doc: NoticeDoc, tmp_path: Path) -> Path:
    source = tmp_path / "notice.docx"
    source.write_bytes(render_docx(doc))
    return to_pdf(source, tmp_path)


@pytest.mark.parametrize("title", SEED_TITLES)
def test_no_printed_title_line_ends_inside_a_word(title: str, tmp_path: Path) -> None:
    doc = _short_notice()
    doc.title = title
    pdf = _convert(doc, tmp_path)

    big = [w for w in words(pdf) if w.page == 1 and w.y1 - w.y0 > 22]  # 2号 text only
    lines: dict[float, str] = {}
    for word in sorted(big, key=lambda w: (round(w.y0), w.x0)):
        lines[round(word.y0)] = lines.get(round(word.y0), "") + word.text
    printed = list(lines.values())

    assert "".join(printed) == title
    assert all(display_width(line) <= 20 for line in printed), printed
    for above, below in itertools.pairwise(printed):
        for word in WORDS:
            joined = above + below
            at = len(above)
            assert not any(
                joined.startswith(word, i) and i < at < i + len(word) for i in range(at - len(word) + 1, at)
            ), (word, printed)


def _ending_on_a_page_break(extra: int) -> NoticeDoc:
    """The short notice with `extra` one-line paragraphs. By the grid the notice takes 16 + extra lines, so
    from extra = 7 on the 署名 or the date would fall on page 2 (at 7, without keep, the date alone; at 8 the
    署名 and date without the last paragraph)."""
    doc = _short_notice()
    doc.organising_work = "\n".join(f"第{n}项整改工作已全部部署到位。" for n in range(1, extra + 1))
    return doc


@pytest.mark.parametrize("extra", [6, 7, 8, 9])
def test_signature_and_date_print_on_the_page_of_the_last_paragraph(extra: int, tmp_path: Path) -> None:
    doc = _ending_on_a_page_break(extra)
    blocks = build_blocks(doc)
    last = next(b.plain for b in reversed(blocks) if b.kind not in (BlockKind.SIGNATURE, BlockKind.DATE))
    pdf = _convert(doc, tmp_path)

    pages = [page.replace(" ", "") for page in page_texts(pdf)]
    (signed,) = [
        n for n, page in enumerate(pages) if "临江区文化旅游局\n" in page or page.endswith("临江区文化旅游局")
    ]
    assert "2024年9月20日" in pages[signed]
    assert last[-12:] in pages[signed].replace("\n", "")  # the end of the last paragraph


def test_fonts_and_sizes_as_gbt9704(tmp_path: Path) -> None:
    pdf = _convert(linjiang_notice(), tmp_path)
    found = words(pdf)

    def em(text: str) -> float:
        """Width of a character in a word printed on a line of its own (no justification stretch)."""
        word = next(w for w in found if w.text == text)
        return (word.x1 - word.x0) / len(text)

    assert em("临江区文化旅游局关于") == pytest.approx(22, abs=0.6)  # 2号 title
    assert em("一、整改工作的组织开展情况") == pytest.approx(16 - 0.25, abs=0.4)  # 3号, condensed 0.25 pt
    assert em("临江区文化旅游局") == pytest.approx(16 - 0.25, abs=0.4)  # the 署名
