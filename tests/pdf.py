"""Printing our documents as LibreOffice does (headless), and reading the PDF back with poppler.

The print checks skip when LibreOffice or poppler-utils are missing; `./dev test` installs them when it runs
as root.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

needs_office = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed to check the printed layout",
)


def _has_carlito() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list], capture_output=True, text=True, timeout=60, check=False).stdout
    return "carlito" in out.lower()


# A spreadsheet's column widths are counted in characters of its default font (Calibri): LibreOffice sizes
# them as Excel does only with Carlito, Calibri's metric twin; with another substitute the columns come
# out a third wider and the print scale smaller than in Excel.
needs_calc = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None or not _has_carlito(),
    reason="LibreOffice, poppler-utils and fonts-crosextra-carlito are needed to check the printed ledger",
)


def to_pdf(source: Path, workdir: Path) -> Path:
    """Convert a .docx or .xlsx to PDF in `workdir` with a throwaway LibreOffice profile."""
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={(workdir / 'lo-profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return workdir / f"{source.stem}.pdf"


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, page breaks as form feeds)."""
    assert PDFTOTEXT is not None
    out = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words(pdf: Path) -> list[Word]:
    """Every word with its box in points (pdftotext -bbox), page numbers from 1."""
    assert PDFTOTEXT is not None
    out = subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    found: list[Word] = []
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        for m in _WORD.finditer(page):
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            found.append(Word(number, unescape(m.group(5)), x0, y0, x1, y1))
    return found


def is_cjk_text(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)
