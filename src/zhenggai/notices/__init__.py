"""Notices (通报): parse published rectification notices into plain data, and render them back.

The parser is pure Python; `parse_text`, `parse_bytes` and `parse_file` are the public entry points.
"""

from zhenggai.notices.parse import MAX_BYTES, NoticeReadError, parse_bytes, parse_file, parse_text

__all__ = ["MAX_BYTES", "NoticeReadError", "parse_bytes", "parse_file", "parse_text"]
