"""The .docx as LibreOffice lays it out: 22 lines of 28 characters a page, so a known number of pages.

Skipped when LibreOffice is not installed. The expected page count is worked out from the text on the
GB/T 9704 grid (28 characters a line at 3号, 20 at 2号, 22 lines a page); the samples are chosen so their
last page is half full, far from a page break, so font substitution cannot change the count.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.notices.notice_samples import linjiang_notice
from zhenggai.notices.document import InspectionInfo, NoticeDoc
from zhenggai.notices.render import BlockKind, build_blocks, render_docx
from zhenggai.notices.render.text import display_width

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice/libreoffice) is not installed; the PDF layout check needs it",
)

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
