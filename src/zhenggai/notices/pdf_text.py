"""The text layer of a .pdf notice, and legacy Word/WPS files converted by LibreOffice headless.

PDFs are read with pdfminer.six: pure Python (its one compiled dependency, cryptography, only decrypts),
maintained, and it gives every
character with its position, font size and Unicode text (from the fonts' ToUnicode maps, which Chinese PDFs
from Word, WPS and LibreOffice carry). We build the lines ourselves from those positions: Chinese quotes are
often set in another font on a slightly different baseline, and both pypdf's extract_text and pdfminer's own
layout analysis then print them out of place (“ ” after the line, or on a line of their own), which breaks
every 关于“…”问题 heading. pdfplumber would add pdfminer.six plus a compiled renderer for nothing we need.
With positions we also join a paragraph's lines (a line that reaches the right margin runs on) and drop the
page numbers. Both callers run inside the sandbox of `zhenggai.untrusted` (see notices/sandboxed.py): a
hostile PDF can only end a child process.

A PDF without a text layer (a scan) is refused with a clear message: OCR is not supported.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

MAX_PAGES = 500
# Fewer visible characters than this per page on average: the pages are images (a scan), not text.
MIN_CHARS_PER_PAGE = 20
SOFFICE_TIMEOUT = 120  # seconds for one conversion
_PAGE_NUMBER = re.compile(r"^[-—－\s]*\d{1,4}[-—－\s]*$|^第\s*\d{1,4}\s*页")

NO_TEXT_LAYER = (
    "这份 PDF 没有可读取的文字层（可能是扫描件或图片），本系统不支持 OCR 文字识别；"
    "请提供原始的 Word（.docx）、文本或网页文件，或先用 OCR 软件识别为文字。"
)


class PdfReadError(Exception):
    """A Chinese message for the user."""


def _chars(page: Any) -> Iterator[Any]:
    from pdfminer.layout import LTChar, LTContainer

    stack = [page]
    while stack:
        item = stack.pop()
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTContainer):
            stack.extend(item)


# A line: its text, left and right edges, and its font size
_PdfLine = tuple[str, float, float, float]


def _page_lines(page: Any) -> list[_PdfLine]:
    """The page's characters grouped into lines by baseline (top to bottom), each read left to right."""
    chars = sorted(_chars(page), key=lambda c: (-(c.y0 + c.y1) / 2, c.x0))
    rows: list[tuple[float, list[Any]]] = []
    for char in chars:
        middle = (char.y0 + char.y1) / 2
        if rows and abs(rows[-1][0] - middle) < max(char.size, 1.0) * 0.5:
            rows[-1][1].append(char)
        else:
            rows.append((middle, [char]))
    lines: list[_PdfLine] = []
    for _middle, row in rows:
        row.sort(key=lambda c: c.x0)
        pieces: list[str] = []
        previous = None
        for char in row:
            text = char.get_text()
            # a visible gap between two Latin letters or digits is a space; between Chinese characters, none
            if (
                previous is not None
                and char.x0 - previous.x1 > char.size * 0.8
                and pieces
                and pieces[-1][-1:].isascii()
                and text.isascii()
            ):
                pieces.append(" ")
            pieces.append(text)
            previous = char
        text = "".join(pieces).strip()
        if text and not _PAGE_NUMBER.match(text):
            sizes = sorted(c.size for c in row)
            lines.append((text, row[0].x0, row[-1].x1, sizes[len(sizes) // 2]))
    return lines


def _paragraphs(lines: list[_PdfLine]) -> list[str]:
    """Join the lines of each paragraph: a line that reaches the right margin runs on into the next."""
    if not lines:
        return []
    from zhenggai.notices import patterns as P
    from zhenggai.notices.normalise import fold

    right = max(line[2] for line in lines)
    out: list[str] = []
    runs_on = False
    for text, _left, end, size in lines:
        # a line pushed short by line-breaking rules (no ）or ，at a line start) still runs on; a new heading
        # or clause never continues the line before it
        if runs_on and out and not (P.NUMBERED.match(fold(text)) or P.BLOCK_START.match(fold(text))):
            out[-1] += text
        else:
            out.append(text)
        runs_on = end >= right - 2.5 * size and not text.endswith(("。", "：", ":"))
    return out


def pdf_text(data: bytes) -> str:
    """The text of every page, one paragraph a line; PdfReadError when there is none."""
    from pdfminer.high_level import extract_pages  # only when a PDF comes
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    lines: list[_PdfLine] = []
    pages = 0
    try:
        for page in extract_pages(BytesIO(data), laparams=None, maxpages=MAX_PAGES + 1):
            pages += 1
            if pages > MAX_PAGES:
                raise PdfReadError(f"PDF 文件超过 {MAX_PAGES} 页，不像是一份整改情况通报。")
            lines.extend(_page_lines(page))
    except PdfReadError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise PdfReadError("PDF 文件已加密，请先解除密码保护后再导入。") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise PdfReadError("PDF 文件已损坏或格式无法识别，请另存为 Word（.docx）或文本后再导入。") from None
    except (OSError, RecursionError, AssertionError, ZeroDivisionError, OverflowError):
        raise PdfReadError("PDF 文件已损坏或格式无法识别，请另存为 Word（.docx）或文本后再导入。") from None
    visible = sum(len("".join(line[0].split())) for line in lines)
    if visible < MIN_CHARS_PER_PAGE * max(1, pages):
        raise PdfReadError(NO_TEXT_LAYER)
    return "\n".join(_paragraphs(lines))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def legacy_word_text(data: bytes, suffix: str) -> bytes:
    """A legacy .doc/.wps converted to .docx by LibreOffice headless; the .docx bytes."""
    office = soffice()
    if office is None:
        raise PdfReadError(
            "这是旧版 Word 或 WPS 文件（.doc/.wps）。服务器未安装 LibreOffice，无法转换；"
            "请在 Word 或 WPS 中另存为 .docx 后再导入。"
        )
    with tempfile.TemporaryDirectory(prefix="zg-doc-") as work:
        source = Path(work) / f"notice{suffix}"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        try:
            subprocess.run(
                [
                    office,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "docx:MS Word 2007 XML",
                    "--outdir",
                    work,
                    str(source),
                ],
                capture_output=True,
                timeout=SOFFICE_TIMEOUT,
                check=False,
                env={**os.environ, "HOME": work},
            )
        except (OSError, subprocess.TimeoutExpired):
            raise PdfReadError("旧版 Word/WPS 文件转换失败或超时，请另存为 .docx 后再导入。") from None
        converted = Path(work) / "notice.docx"
        if not converted.exists():
            raise PdfReadError("旧版 Word/WPS 文件无法转换（文件可能已损坏），请另存为 .docx 后再导入。")
        return converted.read_bytes()
