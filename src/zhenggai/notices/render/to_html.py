"""Notice → HTML: a semantic <article> (or a complete page) with every text escaped and no external assets."""

from __future__ import annotations

from html import escape

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.render.anatomy import Block, BlockKind, build_blocks
from zhenggai.notices.render.options import RenderOptions

# Inline so that the page works offline and on the intranet; the font stacks name the 公文 faces first.
NOTICE_STYLE = """
.notice{max-width:42em;margin:2em auto;padding:0 1em;font:16pt/1.8 "仿宋_GB2312","仿宋","FangSong",
"STFangsong",serif;color:#000}
.notice h1{font:22pt/1.5 "方正小标宋简体","FZXiaoBiaoSong-B05S","STZhongsong","SimSun",serif;
text-align:center;margin:0 0 1em}
.notice h2,.notice h3,.notice h4,.notice h5{font-size:16pt;font-weight:normal;margin:0;text-indent:2em}
.notice h2{font-family:"黑体","SimHei","Heiti SC",sans-serif}
.notice h3{font-family:"楷体_GB2312","楷体","KaiTi","STKaiti",serif}
.notice p{margin:0;text-indent:2em;text-align:justify}
.notice .status-done{color:#1a6e2e}.notice .status-ongoing{color:#8a5a00}.notice .status-open{color:#a4161a}
.notice footer{margin-top:1.8em;display:flex;justify-content:flex-end;padding-right:4em;break-inside:avoid}
.notice footer .signed{text-align:center;white-space:nowrap}
.notice footer p{text-indent:0;text-align:center}
"""


def render_html(
    doc: NoticeDoc,
    options: RenderOptions | None = None,
    *,
    standalone: bool = True,
    id_prefix: str = "notice",
) -> str:
    """The notice as HTML. standalone=True gives a complete page; False the <article> fragment alone.

    Heading ids are `{id_prefix}-s1`, `{id_prefix}-s2`, …; give each notice its own prefix when a page shows
    several.
    """
    blocks = build_blocks(doc, options)
    article = _article(blocks, id_prefix)
    if not standalone:
        return article
    title = next((b.plain for b in blocks if b.kind is BlockKind.TITLE), "")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{NOTICE_STYLE}</style>\n</head>\n<body>\n{article}</body>\n</html>\n"
    )


def _article(blocks: list[Block], id_prefix: str) -> str:
    out: list[str] = ['<article class="notice">\n']
    open_levels: list[int] = []
    footer: list[str] = []
    section_no = 0
    for block in blocks:
        if block.kind is BlockKind.TITLE:
            title = "<br>".join(escape(line) for line in block.lines or (block.plain,))
            out.append(f"<header><h1>{title}</h1></header>\n")
        elif block.level:
            while open_levels and open_levels[-1] >= block.level:
                open_levels.pop()
                out.append("</section>\n")
            section_no += 1
            anchor = escape(f"{id_prefix}-s{section_no}")
            tag = f"h{block.level + 1}"
            out.append(
                f'<section class="level{block.level}" aria-labelledby="{anchor}">\n'
                f'<{tag} id="{anchor}"><span class="number">{escape(block.number)}</span>'
                f"{escape(block.text)}</{tag}>\n"
            )
            open_levels.append(block.level)
        elif block.kind is BlockKind.SIGNATURE:
            footer.append(f'<p class="signature">{escape(block.plain)}</p>\n')
        elif block.kind is BlockKind.DATE:
            when = escape(block.iso_date)
            footer.append(f'<p class="date"><time datetime="{when}">{escape(block.plain)}</time></p>\n')
        else:
            if block.role in ("closing", "supervision") and open_levels:
                out.extend("</section>\n" for _ in open_levels)
                open_levels.clear()
            out.append(_paragraph(block))
    out.extend("</section>\n" for _ in open_levels)
    if footer:
        # GB/T 9704 7.3.5.1: the date 右空四字, the 署名 centred over it; never wrapped, never split.
        out.append('<footer>\n<div class="signed">\n' + "".join(footer) + "</div>\n</footer>\n")
    out.append("</article>\n")
    return "".join(out)


def _paragraph(block: Block) -> str:
    classes = [block.kind.value] + ([block.role] if block.role else [])
    attrs = f' class="{" ".join(classes)}"'
    if block.kind is BlockKind.MEASURE and block.status:
        attrs += f' data-status="{escape(block.status)}"'
    parts = []
    if block.number:
        parts.append(f'<span class="number">{escape(block.number)}</span>')
    if block.label:
        parts.append(f'<strong class="label">{escape(block.label)}</strong>')
    parts.append(escape(block.text))
    if block.marker:
        parts.append(
            f'<span class="status status-{escape(block.status or "")}">{escape(block.marker)}</span>'
        )
    parts.append(escape(block.end))
    return f"<p{attrs}>{''.join(parts)}</p>\n"
