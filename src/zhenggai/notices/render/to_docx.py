"""Notice → .docx laid out per GB/T 9704-2012 (python-docx, with raw OOXML where it has no API).

Every paragraph and run carries its formatting directly (fonts with w:eastAsia, size, exact spacing,
indents), and the Normal style carries the body defaults, so the file looks the same in Word, WPS and
LibreOffice and a reader does not need to resolve style inheritance. Formatting is built once per kind of
block as an XML template and copied into each paragraph, which keeps large notices fast.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.render import gbt9704 as g
from zhenggai.notices.render.anatomy import Block, BlockKind, build_blocks
from zhenggai.notices.render.options import Fonts, RenderOptions
from zhenggai.notices.render.text import display_width

_OUTLINE = {BlockKind.HEADING1: 0, BlockKind.HEADING2: 1, BlockKind.HEADING3: 2, BlockKind.HEADING4: 3}


@dataclass(frozen=True)
class _Look:
    face: str
    size_pt: float
    bold: bool = False
    align: str = "both"  # w:jc value
    first_line_tw: int = g.FIRST_LINE_INDENT_TW
    left_tw: int = 0
    right_tw: int = 0
    keep_next: bool = False
    keep_lines: bool = False
    outline: int | None = None


def render_docx(doc: NoticeDoc, options: RenderOptions | None = None) -> bytes:
    """The notice as a .docx file (bytes)."""
    opts = options or RenderOptions()
    blocks = build_blocks(doc, opts)
    document: Any = Document()
    _set_page(document, opts)
    _set_defaults(document, opts.fonts)
    _set_page_numbers(document, opts)

    looks = _looks(opts)
    body = document.element.body
    sect_pr = body.sectPr
    templates: dict[_Look, tuple[Any, Any]] = {}

    def add(text: str | tuple[str, ...], look: _Look) -> None:
        """A paragraph; a tuple of texts is one paragraph of several lines (w:br between them)."""
        if look not in templates:
            templates[look] = (_ppr(look), _rpr(look.face, opts.fonts.latin, look.size_pt, look.bold, opts))
        ppr, rpr = templates[look]
        p = OxmlElement("w:p")
        p.append(copy.deepcopy(ppr))
        lines = (text,) if isinstance(text, str) else text
        if any(lines):
            r = OxmlElement("w:r")
            r.append(copy.deepcopy(rpr))
            for n, line in enumerate(lines):
                if n:
                    r.append(OxmlElement("w:br"))
                t = OxmlElement("w:t")
                t.text = line
                t.set(qn("xml:space"), "preserve")
                r.append(t)
            p.append(r)
        sect_pr.addprevious(p)

    blank = looks[BlockKind.PARAGRAPH]
    signature = next((b for b in blocks if b.kind is BlockKind.SIGNATURE), None)
    date = next((b for b in blocks if b.kind is BlockKind.DATE), None)
    sig_right, date_right = signature_indents(signature, date)
    signed = signature is not None or date is not None
    # The last body paragraph stays whole and on the page of the 署名 and 成文日期 (keepLines + keepNext),
    # and so do the blank line and the 署名: the date never sits alone on a page.
    last_body = max(
        (i for i, b in enumerate(blocks) if b.kind not in (BlockKind.SIGNATURE, BlockKind.DATE)), default=-1
    )
    first_closing = True
    for index, block in enumerate(blocks):
        if block.kind in (BlockKind.SIGNATURE, BlockKind.DATE):
            if first_closing:
                add("", replace(blank, keep_next=True))  # 正文下空一行
                first_closing = False
            is_sig = block.kind is BlockKind.SIGNATURE
            add(
                block.plain,
                _Look(
                    opts.fonts.body,
                    g.SIZE_BODY_PT,
                    align="right",
                    first_line_tw=0,
                    right_tw=sig_right if is_sig else date_right,
                    keep_next=is_sig and date is not None,
                ),
            )
            continue
        look = looks[block.kind]
        if signed and index == last_body:
            look = replace(look, keep_next=True, keep_lines=True)
        if block.kind is BlockKind.TITLE:
            add(block.lines or (block.plain,), look)
            add("", blank)  # 标题下空一行
        else:
            add(block.plain, look)

    props = document.core_properties
    props.title = next((b.plain for b in blocks if b.kind is BlockKind.TITLE), "")
    props.author = signature.plain if signature else ""
    props.last_modified_by = props.author
    props.language = "zh-CN"
    props.comments = ""
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _looks(opts: RenderOptions) -> dict[BlockKind, _Look]:
    f = opts.fonts
    body = _Look(f.body, g.SIZE_BODY_PT)
    return {
        BlockKind.TITLE: _Look(f.title, g.SIZE_TITLE_PT, align="center", first_line_tw=0, keep_next=True),
        BlockKind.OPENING: body,
        BlockKind.HEADING1: _Look(f.heading1, g.SIZE_BODY_PT, keep_next=True, outline=0),
        BlockKind.HEADING2: _Look(f.heading2, g.SIZE_BODY_PT, keep_next=True, outline=1),
        BlockKind.HEADING3: _Look(
            f.heading3, g.SIZE_BODY_PT, bold=opts.bold_level3, keep_next=True, outline=2
        ),
        BlockKind.HEADING4: _Look(f.heading3, g.SIZE_BODY_PT, keep_next=True, outline=3),
        BlockKind.PARAGRAPH: body,
        BlockKind.MEASURE: body,
    }


def signature_indents(signature: Block | None, date: Block | None) -> tuple[int, int]:
    """Right indents (twips) of 署名 and 成文日期 per GB/T 9704 7.3.5.1: the date 右空四字, the 署名 centred
    over the date (a 署名 longer than the date keeps at least no indent)."""
    char = g.TEXT_WIDTH_TW / g.CHARS_PER_LINE
    date_right = g.DATE_RIGHT_CHARS * char
    if date is None:
        return round(date_right), round(date_right)
    date_w = printed_width(date.plain)
    sig_w = printed_width(signature.plain) if signature else date_w
    sig_right = max(0.0, date_right + (date_w - sig_w) / 2 * char)
    return round(sig_right), round(date_right)


def printed_width(text: str) -> float:
    """Width in 字 as a CJK font prints it: digits about 0.64, other ASCII 0.5, Chinese 1."""
    return sum(g.DIGIT_WIDTH_CHARS if ch.isdigit() and ch.isascii() else display_width(ch) for ch in text)


# --- XML builders ------------------------------------------------------------------------------------


def _el(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _fonts(face: str, latin: str | None) -> Any:
    return _el(
        "w:rFonts", ascii=latin or face, hAnsi=latin or face, eastAsia=face, cs=latin or face, hint="eastAsia"
    )


def _rpr(face: str, latin: str | None, size_pt: float, bold: bool, opts: RenderOptions) -> Any:
    """<w:rPr> in schema order: rFonts, b, bCs, spacing, sz, szCs, lang."""
    rpr = OxmlElement("w:rPr")
    rpr.append(_fonts(face, latin))
    if bold:
        rpr.append(_el("w:b"))
        rpr.append(_el("w:bCs"))
    if opts.fit_28_chars and size_pt == g.SIZE_BODY_PT:
        rpr.append(_el("w:spacing", val=str(g.CONDENSE_TWENTIETHS)))
    half_points = str(round(size_pt * 2))
    rpr.append(_el("w:sz", val=half_points))
    rpr.append(_el("w:szCs", val=half_points))
    rpr.append(_el("w:lang", val="en-US", eastAsia="zh-CN"))
    return rpr


def _ppr(look: _Look) -> Any:
    """<w:pPr> in schema order: keepNext, keepLines, widowControl, spacing, ind, jc, outlineLvl."""
    ppr = OxmlElement("w:pPr")
    if look.keep_next:
        ppr.append(_el("w:keepNext"))
    if look.keep_lines:
        ppr.append(_el("w:keepLines"))
    ppr.append(_el("w:widowControl"))
    ppr.append(_el("w:spacing", before="0", after="0", line=str(g.LINE_PITCH_TW), lineRule="exact"))
    ppr.append(
        _el(
            "w:ind",
            left=str(look.left_tw),
            right=str(look.right_tw),
            firstLine=str(look.first_line_tw),
        )
    )
    ppr.append(_el("w:jc", val=look.align))
    if look.outline is not None:
        ppr.append(_el("w:outlineLvl", val=str(look.outline)))
    return ppr


def _set_page(document: Any, opts: RenderOptions) -> None:
    section = document.sections[0]
    section.page_width = Twips(g.PAGE_WIDTH_TW)
    section.page_height = Twips(g.PAGE_HEIGHT_TW)
    section.top_margin = Twips(g.MARGIN_TOP_TW)
    section.bottom_margin = Twips(g.MARGIN_BOTTOM_TW)
    section.left_margin = Twips(g.MARGIN_LEFT_TW)
    section.right_margin = Twips(g.MARGIN_RIGHT_TW)
    section.footer_distance = Twips(g.FOOTER_DISTANCE_TW)
    section.header_distance = Twips(g.HEADER_DISTANCE_TW)
    section.gutter = Twips(0)
    # No API for w:docGrid: 22 lines on the 28.95 pt pitch (LibreOffice ignores charSpace, so none).
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        sect_pr.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(g.LINE_PITCH_TW))


def _set_defaults(document: Any, fonts: Fonts) -> None:
    """Body defaults in docDefaults and Normal: no theme fonts, 3号仿宋, exact 28.95 pt, no spacing."""
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    old = rpr_default.find(qn("w:rPr"))
    new = OxmlElement("w:rPr")
    new.append(_fonts(fonts.body, fonts.latin))
    new.append(_el("w:sz", val=str(round(g.SIZE_BODY_PT * 2))))
    new.append(_el("w:szCs", val=str(round(g.SIZE_BODY_PT * 2))))
    new.append(_el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    rpr_default.replace(old, new)
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    ppr = ppr_default.find(qn("w:pPr"))
    ppr.remove(ppr.find(qn("w:spacing")))
    ppr.append(_el("w:spacing", before="0", after="0", line=str(g.LINE_PITCH_TW), lineRule="exact"))

    normal = document.styles["Normal"]
    normal.element.get_or_add_rPr().append(_fonts(fonts.body, fonts.latin))
    normal.font.size = Twips(round(g.SIZE_BODY_PT * 20))
    pf = normal.paragraph_format
    pf.space_before = Twips(0)
    pf.space_after = Twips(0)
    pf.line_spacing = Twips(g.LINE_PITCH_TW)
    pf.first_line_indent = Twips(g.FIRST_LINE_INDENT_TW)
    pf.widow_control = True


def _set_page_numbers(document: Any, opts: RenderOptions) -> None:
    """Page numbers "— 1 —" in 4号宋体 as a PAGE field; outside edge (odd right, even left) or centred."""
    section = document.sections[0]
    if opts.page_numbers == "centre":
        _page_number(section.footer, opts, "center")
        return
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, opts, "right")  # the default footer serves odd pages
    _page_number(section.even_page_footer, opts, "left")


def _page_number(footer: Any, opts: RenderOptions, align: str) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]._p
    for child in list(p):
        p.remove(child)
    ppr = OxmlElement("w:pPr")
    ppr.append(_el("w:pStyle", val="Footer"))
    ppr.append(_el("w:spacing", before="0", after="0", line=str(g.PAGE_NUMBER_LINE_TW), lineRule="exact"))
    indent = str(g.PAGE_NUMBER_INDENT_TW)
    ppr.append(
        _el(
            "w:ind",
            left=indent if align == "left" else "0",
            right=indent if align == "right" else "0",
            firstLine="0",
        )
    )
    ppr.append(_el("w:jc", val=align))
    p.append(ppr)
    face = opts.fonts.page_number

    def run(*children: Any) -> None:
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        rpr.append(_fonts(face, face))
        rpr.append(_el("w:sz", val=str(round(g.SIZE_PAGE_NUMBER_PT * 2))))
        rpr.append(_el("w:szCs", val=str(round(g.SIZE_PAGE_NUMBER_PT * 2))))
        r.append(rpr)
        for child in children:
            r.append(child)
        p.append(r)

    def text(value: str) -> Any:
        t = OxmlElement("w:t")
        t.text = value
        t.set(qn("xml:space"), "preserve")
        return t

    instr = OxmlElement("w:instrText")
    instr.text = " PAGE "
    instr.set(qn("xml:space"), "preserve")
    run(text(f"{g.PAGE_NUMBER_DASH} "))
    run(_el("w:fldChar", fldCharType="begin"))
    run(instr)
    run(_el("w:fldChar", fldCharType="separate"))
    run(text("1"))
    run(_el("w:fldChar", fldCharType="end"))
    run(text(f" {g.PAGE_NUMBER_DASH}"))
