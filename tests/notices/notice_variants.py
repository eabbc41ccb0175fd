"""Build, at test time, the forms a real notice arrives in: other encodings, CRLF, swapped punctuation, a web
page around it, a .docx with typed or automatic numbering. Nothing here holds notice text of its own."""

from __future__ import annotations

import html
import re
from io import BytesIO
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

_SWAP = str.maketrans(
    {
        "(": "（",
        ")": "）",
        ":": "：",
        ",": "，",
        ";": "；",
        "?": "？",
        "!": "！",
        "%": "％",
        ".": "．",
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "？": "?",
        "！": "!",
        "％": "%",
        "．": ".",
        "“": '"',
        "”": '"',
    }
)


def swap_punctuation(text: str) -> str:
    """Full-width punctuation becomes half-width and the other way round; Chinese quotes become straight."""
    return text.translate(_SWAP)


def as_html(text: str, *, breaks: bool = False) -> bytes:
    """The notice inside a typical government web page: navigation, source line, font-size widget, tools."""
    lines = [html.escape(line) for line in text.splitlines() if line.strip()]
    body = "<br>\n".join(lines) if breaks else "\n".join(f"<p>{line}</p>" for line in lines)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{lines[0]}</title>
<style>p {{ text-indent: 2em; }}</style>
<script>var crumbs = "一、关于“脚本”的问题"; document.title = crumbs;</script></head>
<body>
<div class="crumbs">首页 &gt; 政务公开 &gt; 通知公告</div>
<div class="meta">来源：本站　发布时间：2024-10-08　浏览次数：<span>123</span>
字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>
<div class="article">{body}</div>
<div class="tools"><a href="#">【打印本页】</a> <a href="#">【关闭窗口】</a></div>
<div class="share">分享到：微信 微博</div>
<footer>版权所有：某某网站 网站标识码：0000000000 备案号：某ICP备00000000号</footer>
</body></html>"""
    return page.encode("utf-8")


def as_docx(text: str) -> bytes:
    """One paragraph per line, the numbers typed as text."""
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Heading numbers a typist would let Word produce: 一、 （一） 1. （1）
_NUMBERED = (
    (0, re.compile(r"^([一二三四五六七八九十]+)、"), "chineseCounting", "%1、"),
    (1, re.compile(r"^([（(])([一二三四五六七八九十]+)([）)])"), "chineseCounting", "{open}%2{close}"),
    (2, re.compile(r"^(\d+)\.(?!\d)"), "decimal", "%3."),
    (3, re.compile(r"^([（(])(\d+)([）)])"), "decimal", "{open}%4{close}"),
)
NUM_ID = "77"


def _paren_style(text: str, level: int) -> tuple[str, str]:
    pattern = _NUMBERED[level][1]
    if pattern.groups < 3:
        return "", ""
    for line in text.splitlines():
        if m := pattern.match(line):
            return m.group(1), m.group(3)
    return "（", "）"


def as_docx_numbered(text: str) -> tuple[bytes, int]:
    """Headings numbered by Word's automatic numbering (w:numPr), their typed numbers removed.

    Returns the file and how many paragraphs carry numbering."""
    document = docx.Document()
    levels = []
    for ilvl, _pattern, fmt, lvl_text in _NUMBERED:
        opening, closing = _paren_style(text, ilvl)
        lvl_text = lvl_text.format(open=opening, close=closing)
        levels.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{lvl_text}"/><w:suff w:val="nothing"/></w:lvl>'
        )
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUM_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'
    )
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>')
    )
    numbered = 0
    for line in text.splitlines():
        for ilvl, pattern, _fmt, _text in _NUMBERED:
            if m := pattern.match(line):
                paragraph = document.add_paragraph(line[m.end() :])
                paragraph._p.get_or_add_pPr().append(
                    parse_xml(
                        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{NUM_ID}"/></w:numPr>'
                    )
                )
                numbered += 1
                break
        else:
            document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue(), numbered


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def hard_wrap(text: str, width: int = 40) -> str:
    """Every line broken at `width` characters, as text copied from a PDF or a narrow web page comes."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
            continue
        out.extend(line[start : start + width] for start in range(0, len(line), width))
    return "\n".join(out) + "\n"


def indent(text: str, prefix: str = "\u3000\u3000") -> str:
    """Every non-empty line indented (the 2-character first-line indent of a typed notice)."""
    return "\n".join(prefix + line if line.strip() else line for line in text.splitlines()) + "\n"


def with_page_furniture(text: str, every: int = 25) -> str:
    """Page numbers between the lines every `every` lines, as a PDF's text layer gives them."""
    out: list[str] = []
    for index, line in enumerate(text.splitlines(), start=1):
        out.append(line)
        if index % every == 0:
            out.append(f"— {index // every} —")
    return "\n".join(out) + "\n"
