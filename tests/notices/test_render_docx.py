"""The .docx opened again with python-docx (raw XML where it has no API), checked against GB/T 9704-2012."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.notices.notice_samples import PROBLEM_TITLES, linjiang_notice
from zhenggai.notices.render import RenderOptions, build_blocks, render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(linjiang_notice())


@pytest.fixture(scope="module")
def document(docx_bytes: bytes) -> Any:
    return Document(BytesIO(docx_bytes))


def _paragraph(document: Any, startswith: str) -> Any:
    """The paragraph whose text starts so; a title's line breaks do not count."""
    return next(p for p in document.paragraphs if p.text.replace("\n", "").startswith(startswith))


def _east_asian(run: Any) -> str | None:
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def _part_xml(docx_bytes: bytes, name: str) -> str:
    with zipfile.ZipFile(BytesIO(docx_bytes)) as archive:
        return archive.read(name).decode("utf-8")


def test_page_is_a4_with_the_standard_margins(document: Any, docx_bytes: bytes) -> None:
    section = document.sections[0]

    assert section.page_width.mm == pytest.approx(210, abs=0.05)
    assert section.page_height.mm == pytest.approx(297, abs=0.05)
    assert section.top_margin.mm == pytest.approx(37, abs=0.05)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.05)
    assert section.left_margin.mm == pytest.approx(28, abs=0.05)
    assert section.right_margin.mm == pytest.approx(26, abs=0.05)
    xml = _part_xml(docx_bytes, "word/document.xml")
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in xml
    assert 'w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"' in xml
    assert '<w:docGrid w:type="lines" w:linePitch="579"/>' in xml


@pytest.mark.parametrize(
    ("startswith", "font", "size"),
    [
        ("临江区文化旅游局关于区委巡察整改情况的通报", "方正小标宋简体", 22),
        ("根据区委巡察工作统一部署", "仿宋_GB2312", 16),
        ("一、整改工作的组织开展情况", "黑体", 16),
        ("二、巡察反馈问题的整改情况", "黑体", 16),
        ("（一）贯彻落实党的理论路线方针政策", "楷体_GB2312", 16),
        (f"1.关于“{PROBLEM_TITLES[0]}”", "仿宋_GB2312", 16),
        ("（1）针对“公共文化场馆免费开放时段安排不合理”", "仿宋_GB2312", 16),
        ("一是调整区文化馆", "仿宋_GB2312", 16),
        ("未完成整改原因：", "仿宋_GB2312", 16),
    ],
)
def test_each_element_has_its_east_asian_font_and_size(
    document: Any, startswith: str, font: str, size: int
) -> None:
    paragraph = _paragraph(document, startswith)

    assert paragraph.runs
    for run in paragraph.runs:
        assert _east_asian(run) == font
        assert run.font.name == font  # w:ascii, so digits and Latin letters match
        assert run.font.size == Pt(size)


def test_title_is_centred_and_body_paragraphs_indent_two_characters(document: Any) -> None:
    title = _paragraph(document, "临江区文化旅游局关于")
    opening = _paragraph(document, "根据区委巡察工作统一部署")

    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert opening.alignment == WD_PARAGRAPH_ALIGNMENT.JUSTIFY
    assert opening.paragraph_format.first_line_indent == Pt(32)


def test_level_three_headings_are_not_bold_unless_the_house_style_asks(document: Any) -> None:
    heading = _paragraph(document, f"1.关于“{PROBLEM_TITLES[0]}”")
    bold_doc = Document(BytesIO(render_docx(linjiang_notice(), RenderOptions(bold_level3=True))))

    assert not heading.runs[0].bold
    assert _paragraph(bold_doc, f"1.关于“{PROBLEM_TITLES[0]}”").runs[0].bold
    assert not _paragraph(bold_doc, "根据区委巡察工作统一部署").runs[0].bold


def test_every_paragraph_has_exact_28_95_pt_line_spacing(document: Any) -> None:
    for paragraph in document.paragraphs:
        fmt = paragraph.paragraph_format
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY, paragraph.text
        assert fmt.line_spacing == Pt(28.95), paragraph.text
        assert fmt.space_before == 0
        assert fmt.space_after == 0


def test_normal_style_carries_the_body_defaults(document: Any) -> None:
    normal = document.styles["Normal"]

    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing == Pt(28.95)


def test_docx_text_is_the_same_as_every_other_format(document: Any) -> None:
    texts = [p.text.replace("\n", "") for p in document.paragraphs if p.text]  # the title's line breaks

    assert texts == [b.plain for b in build_blocks(linjiang_notice())]


def _footer_paragraph(footer: Any) -> Any:
    (paragraph,) = footer.paragraphs
    return paragraph


def _assert_page_field(paragraph: Any) -> None:
    p = paragraph._p
    instructions = [el.text for el in p.iter(f"{W}instrText")]
    chars = [el.get(f"{W}fldCharType") for el in p.iter(f"{W}fldChar")]
    assert [i.strip() for i in instructions] == ["PAGE"]
    assert chars == ["begin", "separate", "end"]
    # The text around the field: "— " before it, " —" after it; no literal page number outside the field.
    runs = list(p.iter(f"{W}r"))
    begin = next(i for i, r in enumerate(runs) if r.find(f"{W}fldChar") is not None)
    end = max(i for i, r in enumerate(runs) if r.find(f"{W}fldChar") is not None)
    before = "".join(t.text for r in runs[:begin] for t in r.iter(f"{W}t"))
    after = "".join(t.text for r in runs[end + 1 :] for t in r.iter(f"{W}t"))
    assert before == "— "
    assert after == " —"
    for run in paragraph.runs:
        assert run.font.size == Pt(14)
        assert _east_asian(run) == "宋体"
        assert run.font.name == "宋体"  # 半角宋体 digits


def test_page_numbers_sit_on_the_outside_edge_of_odd_and_even_pages(document: Any, docx_bytes: bytes) -> None:
    section = document.sections[0]
    odd = _footer_paragraph(section.footer)
    even = _footer_paragraph(section.even_page_footer)

    assert document.settings.odd_and_even_pages_header_footer
    assert "<w:evenAndOddHeaders/>" in _part_xml(docx_bytes, "word/settings.xml")
    _assert_page_field(odd)
    _assert_page_field(even)
    assert odd.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
    assert odd.paragraph_format.right_indent == Pt(14)  # 空一字 of 4号
    assert even.alignment == WD_PARAGRAPH_ALIGNMENT.LEFT
    assert even.paragraph_format.left_indent == Pt(14)


def test_centred_page_numbers_use_one_footer_for_every_page() -> None:
    document = Document(BytesIO(render_docx(linjiang_notice(), RenderOptions(page_numbers="centre"))))
    section = document.sections[0]

    assert not document.settings.odd_and_even_pages_header_footer
    paragraph = _footer_paragraph(section.footer)
    _assert_page_field(paragraph)
    assert paragraph.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER


def test_date_sits_four_characters_from_the_right_with_the_signature_centred_over_it(
    document: Any,
) -> None:
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    char = text_width / 28
    signature = next(p for p in document.paragraphs if p.text == "临江区文化旅游局")
    date = next(p for p in document.paragraphs if p.text == "2024年9月20日")

    assert signature.alignment == date.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
    assert date.paragraph_format.right_indent == pytest.approx(4 * char, abs=char * 0.05)  # 右空四字
    # Centred over the date: the 署名 (8 字) is wider than the date (年月日 and 7 digits of 0.64 字).
    date_w = 3 + 7 * 0.64
    centre_shift = (date_w - 8) / 2 * char
    assert signature.paragraph_format.right_indent == pytest.approx(4 * char + centre_shift, abs=char * 0.05)
    assert not signature.paragraph_format.first_line_indent
    # and a blank line separates them from the text above (正文下空一行).
    paragraphs = document.paragraphs
    assert paragraphs[[p._p for p in paragraphs].index(signature._p) - 1].text == ""


def test_last_paragraph_signature_and_date_are_kept_on_one_page(document: Any) -> None:
    paragraphs = document.paragraphs
    index = [p.text for p in paragraphs].index("临江区文化旅游局")
    last_body, blank, signature, date = paragraphs[index - 2 : index + 2]

    assert date.text == "2024年9月20日"
    assert last_body.paragraph_format.keep_with_next
    assert last_body.paragraph_format.keep_together
    assert blank.paragraph_format.keep_with_next
    assert signature.paragraph_format.keep_with_next
    # Only the closing block is tied together: an ordinary paragraph may still break across pages.
    assert not _paragraph(document, "根据区委巡察工作统一部署").paragraph_format.keep_with_next


def test_long_title_is_broken_at_word_boundaries_into_lines_of_at_most_20_characters() -> None:
    doc = linjiang_notice()
    doc.title = "中共临江区文化和旅游局党组关于十一届区委第四轮巡察整改进展情况的通报"
    document = Document(BytesIO(render_docx(doc)))
    title = _paragraph(document, "中共临江区")

    assert title.text.split("\n") == [
        "中共临江区文化和旅游局党组关于",
        "十一届区委第四轮巡察整改进展情况的通报",
    ]
    assert len(title.runs) == 1  # one run, the lines separated by w:br, so the fonts stay one


def test_condensed_character_spacing_fits_28_characters_a_line(docx_bytes: bytes) -> None:
    xml = _part_xml(docx_bytes, "word/document.xml")

    assert '<w:spacing w:val="-5"/>' in xml
    plain = render_docx(linjiang_notice(), RenderOptions(fit_28_chars=False))
    assert '<w:spacing w:val="-5"/>' not in _part_xml(plain, "word/document.xml")


def test_headings_carry_outline_levels_for_the_navigation_pane(document: Any) -> None:
    def outline(startswith: str) -> str | None:
        el = _paragraph(document, startswith)._p.pPr.find(qn("w:outlineLvl"))
        return None if el is None else el.get(qn("w:val"))

    assert outline("一、") == "0"
    assert outline("（一）贯彻") == "1"
    assert outline("1.关于") == "2"
    assert outline("（1）针对") == "3"
    assert outline("根据") is None
