"""Parsing a notice that a user sent: zip directory checked first, then `parse_bytes` in a child process."""

from __future__ import annotations

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.parse import NoticeReadError, parse_bytes
from zhenggai.notices.read import MAX_BYTES
from zhenggai.untrusted import Limits, RejectedFile, current_limits, run_isolated


def parse_untrusted(data: bytes, filename: str = "", limits: Limits | None = None) -> NoticeDoc:
    """Like `parse_bytes`, but a hostile file can only end a child process: every refusal, a crash and a
    time-out included, is a NoticeReadError with a Chinese message."""
    limits = limits or current_limits()
    if len(data) > MAX_BYTES:
        return parse_bytes(data, filename)  # refused by size with the usual message, before anything is read
    try:
        if data.startswith(b"PK"):
            import docx  # noqa: F401  (loaded once here, so each child starts with it)

            from zhenggai.untrusted import check_zip

            check_zip(data, limits)
        return run_isolated(parse_bytes, data, filename, limits=limits, passthrough=(NoticeReadError,))
    except RejectedFile as exc:
        raise NoticeReadError(exc.message) from None
