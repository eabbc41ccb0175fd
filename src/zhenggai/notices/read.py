"""Turn a notice file (plain text in any Chinese encoding, .html, .docx) into text lines.

Errors a user can act on raise `NoticeReadError` with a Chinese message; nothing else escapes.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import zipfile
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
    elif data[:1024].lstrip().startswith(b"%PDF"):
        from zhenggai.notices.pdf_text import PdfReadError, pdf_text

        try:
            text = pdf_text(data)
        except PdfReadError as error:
            raise NoticeReadError(str(error)) from None
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        # legacy Word / WPS (OLE compound file): converted to .docx by LibreOffice headless when installed
        from zhenggai.notices.docx_text import docx_text
        from zhenggai.notices.pdf_text import PdfReadError, legacy_word_text

        try:
            converted = legacy_word_text(data, ".wps" if lower.endswith(".wps") else ".doc")
        except PdfReadError as error:
            raise NoticeReadError(str(error)) from None
        text = docx_text(converted)
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
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


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
    byte_for_char = False
    if text is None:
        if b"\x00" in data:
            raise NoticeReadError("这是一个二进制文件，不是文本、网页或 Word（.docx）格式的通报。")
        text, byte_for_char = _decode_plain(data)
    if byte_for_char and len(text) <= 65536:
        # UTF-8, GBK and GB18030 never use a control byte inside a multi-byte character, so the controls of the text
        # are its control bytes, which bytes.translate counts many times faster than a regex over the text.
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    else:
        controls = len(_CONTROL.findall(text, 0, 65536))
    if controls > max(2, min(len(text), 65536) // 100):
        raise NoticeReadError("这是一个二进制文件，不是文本、网页或 Word（.docx）格式的通报。")
    return text


def _decode_plain(data: bytes) -> tuple[str, bool]:
    """The text, and whether it was UTF-8 or GBK/GB18030 (encodings where a byte below 0x30 is always a
    character)."""
    # GBK first: its codec is ten times faster than GB18030's and gives the same text for every GBK byte pair
    # (GB18030 extends it); a file using GB18030's four-byte characters fails GBK and is decoded as GB18030.
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return data.decode(encoding), True
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise NoticeReadError("文件的编码无法识别，请另存为 UTF-8 或 GBK 文本后再导入。")
    return str(best), False


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


# A tag (its attributes up to the first ">" outside quotes; possessive, so a tag left open costs one scan and
# `close` is then empty), a comment, a CDATA section, or a declaration / processing instruction / bogus end tag.
_MARKUP = re.compile(
    r"<(?:(?P<end>/)?(?P<name>[a-zA-Z][^\t\n\r\f />\x00]*+)(?P<attrs>(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)(?P<close>>)?"
    r"|(?P<comment>!--)|(?P<cdata>!\[CDATA\[)|[!?/])"
)
_RAW_END = {tag: re.compile(rf"</{tag}(?=[\t\n\r\f />])", re.IGNORECASE) for tag in ("script", "style")}


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one block element per line (scripts, styles, <head> dropped).

    A small tokenizer rather than html.parser, whose handling of broken markup ("<a<a<a…", "</</…") is quadratic:
    every step moves forward, and a construct left open at the end of the page takes the rest of it, as in a
    browser. Character references are decoded as html.parser does.
    """
    parts: list[str] = []
    skip_depth = 0
    pos = 0
    while True:
        m = _MARKUP.search(markup, pos)
        text = markup[pos:] if m is None else markup[pos : m.start()]
        if text and not skip_depth:
            # inside a block, source line breaks are only layout
            parts.append(html.unescape(text).replace("\r", " ").replace("\n", " "))
        if m is None:
            break
        name = m.group("name")
        if name is None:  # a comment, <![CDATA[…]]>, <!DOCTYPE …>, <?xml …?>, </ …>
            closing = "-->" if m.group("comment") else "]]>" if m.group("cdata") else ">"
            close = markup.find(closing, m.end())
            if close < 0:
                break
            pos = close + len(closing)
            continue
        if m.group("close") is None:  # a tag still open at the end of the page
            break
        pos = m.end()
        tag = name.lower()
        if m.group("end"):
            if tag in _SKIPPED_TAGS:
                skip_depth = max(0, skip_depth - 1)
            elif tag in _BLOCK_TAGS:
                parts.append("\n")
            continue
        if m.group("attrs").endswith("/"):  # <br/>, <p/>
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            continue
        if tag in _SKIPPED_TAGS:
            skip_depth += 1
        elif tag in _BLOCK_TAGS:
            parts.append("\n")
        if tag in _RAW_END:  # script and style: raw text up to their end tag
            close_tag = _RAW_END[tag].search(markup, pos)
            if close_tag is None:
                break
            pos = close_tag.start()
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def is_zip_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
