"""Parsing a notice that a user sent: zip directory checked first, then `parse_bytes` in a child process."""

from __future__ import annotations

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.parse import NoticeReadError, parse_bytes
from zhenggai.notices.read import MAX_BYTES
from zhenggai.untrusted import Limits, RejectedFile, current_limits, run_isolated

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .doc / .wps


def parse_untrusted(data: bytes, filename: str = "", limits: Limits | None = None) -> NoticeDoc:
    """Like `parse_bytes`, but a hostile file can only end a child process: every refusal, a crash and a
    time-out included, is a NoticeReadError with a Chinese message.

    A legacy .doc/.wps is first converted to .docx by LibreOffice headless (its own process, with a time-out;
    the address-space limit of our child would starve it), and the .docx is then parsed like any other."""
    limits = limits or current_limits()
    if len(data) > MAX_BYTES:
        return parse_bytes(data, filename)  # refused by size with the usual message, before anything is read
    if data.startswith(OLE_MAGIC):
        from zhenggai.notices.pdf_text import PdfReadError, legacy_word_text

        try:
            data = legacy_word_text(data, ".wps" if filename.lower().endswith(".wps") else ".doc")
        except PdfReadError as error:
            raise NoticeReadError(str(error)) from None
        filename = filename.rsplit(".", 1)[0] + ".docx"
    try:
        if data.startswith(b"PK"):
            import docx  # noqa: F401  (loaded once here, so each child starts with it)

            from zhenggai.untrusted import check_zip

            check_zip(data, limits)
        elif data[:1024].lstrip().startswith(b"%PDF"):
            import pdfminer.high_level  # noqa: F401  (loaded once here, so each child starts with it)
        return run_isolated(parse_bytes, data, filename, limits=limits, passthrough=(NoticeReadError,))
    except RejectedFile as exc:
        raise NoticeReadError(exc.message) from None
