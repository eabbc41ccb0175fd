"""Notice → Markdown (CommonMark): headings for the numbered levels, one paragraph per block."""

from __future__ import annotations

import re

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.render.anatomy import BlockKind, build_blocks
from zhenggai.notices.render.options import RenderOptions

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LIST_START = re.compile(r"^(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as markup ('**' in masked values, '<', '#', '|')."""
    return _SPECIAL.sub(r"\\\1", text)


def _paragraph(text: str) -> str:
    """A paragraph must not start like a list item or a setext underline."""
    text = _LIST_START.sub(r"\1\\\2", text)
    return "\\" + text if text[:1] in ("+", "-", "=") else text


def render_markdown(doc: NoticeDoc, options: RenderOptions | None = None) -> str:
    """The notice as Markdown: '#' title, '##' 一、, '###' （一）, '####' 1., '#####' （1）."""
    lines: list[str] = []
    for block in build_blocks(doc, options):
        text = escape_markdown(block.plain)
        if block.kind is BlockKind.TITLE:
            lines.append(f"# {text}")
        elif block.level:
            lines.append(f"{'#' * (block.level + 1)} {text}")
        else:
            lines.append(_paragraph(text))
    return "\n\n".join(lines) + "\n"
