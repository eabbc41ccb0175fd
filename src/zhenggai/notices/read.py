"""Turn a notice file (plain text in any Chinese encoding, .html, .docx) into text lines.

Errors a user can act on raise `NoticeReadError` with a Chinese message; nothing else escapes.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024  # larger files are refused, whatever their type

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


class NoticeReadError(Exception):
    """The file cannot be read as a notice; the message is Chinese and meant for the user."""


def read_file(path: str | os.PathLike[str]) -> str:
    """The text of the notice at `path`, checking its size before reading it."""
    name = os.fspath(path)
    try:
        size = os.stat(name).st_size
        if Path(name).is_dir():
            raise NoticeReadError(f"“{name}”是一个目录，不是通报文件。")
        if size > MAX_BYTES:
            raise NoticeReadError(_too_large(size))
        with open(name, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise NoticeReadError(f"找不到文件“{name}”。") from None
    except PermissionError:
        raise NoticeReadError(f"没有权限读取文件“{name}”。") from None
    except OSError as exc:
        raise NoticeReadError(f"无法读取文件“{name}”：{exc.strerror or exc}。") from None
    return read_bytes(data, os.path.basename(name))


def read_bytes(data: bytes, filename: str = "") -> str:
    """The text of a notice given as bytes; `filename` only helps to tell the format."""
    if len(data) > MAX_BYTES:
        raise NoticeReadError(_too_large(len(data)))
    if not data.strip():
        raise NoticeReadError("文件是空的，没有可读取的通报内容。")
    lower = filename.lower()
    if data.startswith(b"PK\x03\x04") or lower.endswith(".docx"):
        from zhenggai.notices.docx_text import docx_text  # python-docx only when needed

        text = docx_text(data)
    elif data.startswith(b"%PDF"):
        raise NoticeReadError("暂不支持 PDF 文件，请提供文本、网页或 Word（.docx）格式的通报。")
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise NoticeReadError("不支持旧版 Word（.doc）文件，请在 Word 或 WPS 中另存为 .docx 后再导入。")
    else:
        text = decode(data)
        if lower.endswith(HTML_SUFFIXES) or _looks_like_html(text):
            text = html_text(text)
    if not text.strip():
        raise NoticeReadError("文件中没有可读取的文字。")
    return text


def _too_large(size: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB），通报文件不能超过 {MAX_BYTES // 1024 // 1024} MB。"


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# C0 controls other than tab, newline, vertical tab, form feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """Decode UTF-8, GBK/GB18030 (or a UTF-16/UTF-8 file with a byte-order mark); refuse binary data."""
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise NoticeReadError("文件的编码无法识别，请另存为 UTF-8 文本后再导入。") from None
            break
    if text is None:
        if b"\x00" in data:
            raise NoticeReadError("这是一个二进制文件，不是文本、网页或 Word（.docx）格式的通报。")
        text = _decode_plain(data)
    controls = len(_CONTROL.findall(text, 0, 65536))
    if controls > max(2, min(len(text), 65536) // 100):
        raise NoticeReadError("这是一个二进制文件，不是文本、网页或 Word（.docx）格式的通报。")
    return text


def _decode_plain(data: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise NoticeReadError("文件的编码无法识别，请另存为 UTF-8 或 GBK 文本后再导入。")
    return str(best)


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head and "</" in head)


_BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol"),
        *("p", "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul"),
    )
)
_SKIPPED_TAGS = frozenset(
    ("script", "style", "head", "title", "noscript", "template", "iframe", "button", "select")
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            # inside a block, source line breaks are only layout
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one block element per line (scripts, styles, <head> dropped)."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except (AssertionError, ValueError):  # html.parser gives up on a few malformed constructs
        pass
    lines = (line.strip() for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def is_zip_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
