"""Pure-Python notice renderers: NoticeDoc → .docx (GB/T 9704-2012), HTML, Markdown.

All three formats print the same blocks (`build_blocks`), so what a reader sees on the portal is what the
.docx says. Nothing here knows about Django.
"""

from zhenggai.notices.render.anatomy import Block, BlockKind, build_blocks, figures_sentence
from zhenggai.notices.render.options import Fonts, RenderOptions
from zhenggai.notices.render.to_docx import render_docx
from zhenggai.notices.render.to_html import render_html
from zhenggai.notices.render.to_markdown import render_markdown

__all__ = [
    "Block",
    "BlockKind",
    "Fonts",
    "RenderOptions",
    "build_blocks",
    "figures_sentence",
    "render_docx",
    "render_html",
    "render_markdown",
]
