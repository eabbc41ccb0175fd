"""Reading files: encodings, web pages, Word documents, and the files we refuse with a Chinese message."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.notices.notice_variants import as_docx, as_docx_numbered, as_html
from tests.notices.test_parse_structure import LINJIANG
from zhenggai.notices import MAX_BYTES, NoticeReadError, parse_bytes, parse_file, parse_text
from zhenggai.notices.docx_text import docx_text, format_number
from zhenggai.notices.read import html_text

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def counts(data: bytes, name: str) -> tuple[int, int, int, int, int]:
    c = parse_bytes(data, name).counts
    return (c.aspects, c.problems, c.details, c.measures, c.done)


EXPECTED = (2, 3, 4, 8, 3)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_text_in_any_chinese_encoding(encoding: str) -> None:
    assert counts(LINJIANG.encode(encoding), "notice.txt") == EXPECTED


def test_web_page_and_word_document() -> None:
    assert counts(as_html(LINJIANG), "notice.htm") == EXPECTED
    assert counts(as_docx(LINJIANG), "notice.docx") == EXPECTED
    assert parse_bytes(as_html(LINJIANG), "a.html").warnings == []


def test_web_page_text_drops_scripts_styles_and_head() -> None:
    page = (
        "<html><head><title>标题栏</title><style>p{color:red}</style></head><body>"
        "<script>var a = '脚本';</script><p>第一段<b>加粗</b>文字</p><div>第二段<br>换行</div>"
        "<p>&lt;转义&gt;&nbsp;字符</p></body></html>"
    )
    assert html_text(page).splitlines() == ["第一段加粗文字", "第二段", "换行", "<转义>\xa0字符"]


def test_page_debris_is_not_reported_as_unplaced() -> None:
    page = as_html("关于“某项工作不到位”的问题。\n整改情况：建立台账。")
    doc = parse_bytes(page, "page.html")
    assert doc.warnings == []
    assert doc.counts.measures == 1
    assert doc.date == "2024-10-08"  # 发布时间 from the page when there is no signature date


def test_word_tables_are_read_in_order() -> None:
    document = docx.Document()
    document.add_paragraph("1.关于“某项工作不到位”的问题。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "整改情况：一是建立台账。"
    table.cell(0, 1).text = "二是逐项销号。"
    buffer = BytesIO()
    document.save(buffer)
    doc = parse_bytes(buffer.getvalue(), "t.docx")
    assert doc.counts.measures == 2
    assert doc.warnings == []


@pytest.mark.parametrize(
    ("n", "fmt", "text"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCountingThousand", "十二"),
        (23, "chineseCounting", "二十三"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "upperRoman", "IV"),
        (2, "lowerLetter", "b"),
        (7, "decimal", "7"),
        (5, "bullet", ""),
    ],
)
def test_word_number_formats(n: int, fmt: str, text: str) -> None:
    assert format_number(n, fmt) == text


def test_automatic_numbering_restarts_under_a_new_parent() -> None:
    lines = [
        "一、甲",
        "（一）乙",
        "（二）丙",
        "二、丁",
        "（一）戊",
        "1.己",
        "2.庚",
        "（二）辛",
        "1.壬",
        "（1）癸",
    ]
    data, numbered = as_docx_numbered("\n".join(lines))
    assert numbered == len(lines)
    assert docx_text(data).splitlines() == lines


def test_automatic_numbering_continues_a_level_across_deeper_items() -> None:
    # as in Word: a second-level item after third-level ones goes on counting, it does not restart
    data, _ = as_docx_numbered("\n".join(["一、甲", "（一）乙", "1.丙", "（一）丁"]))
    assert docx_text(data).splitlines() == ["一、甲", "（一）乙", "1.丙", "（二）丁"]


def _refused(path: Path) -> str:
    with pytest.raises(NoticeReadError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert CHINESE.search(message), message
    return message


def test_refusals_have_a_chinese_message(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \r\n\t\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip")
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a word document")
    (tmp_path / "other.docx").write_bytes(archive.getvalue())
    (tmp_path / "folder").mkdir()
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: the size is checked before reading

    assert "空" in _refused(tmp_path / "empty.txt")
    assert "空" in _refused(tmp_path / "blank.txt")
    assert "二进制" in _refused(tmp_path / "image.png")
    assert ".docx" in _refused(tmp_path / "old.doc")
    assert "PDF" in _refused(tmp_path / "scan.pdf")
    assert "Word" in _refused(tmp_path / "broken.docx")
    assert "Word" in _refused(tmp_path / "other.docx")
    assert "目录" in _refused(tmp_path / "folder")
    assert "20 MB" in _refused(tmp_path / "huge.txt")
    assert "找不到" in _refused(tmp_path / "missing.txt")


def test_too_large_bytes_are_refused_before_decoding() -> None:
    with pytest.raises(NoticeReadError, match="过大"):
        parse_bytes(b"a" * (MAX_BYTES + 1), "big.txt")


def test_control_characters_mark_binary_data() -> None:
    with pytest.raises(NoticeReadError, match="二进制"):
        parse_bytes(bytes(range(1, 32)) * 50, "x.txt")
    assert parse_text("\x0c关于“某项工作不到位”的问题。\n整改情况：建立台账。").counts.measures == 1


def test_numbering_from_a_paragraph_style_and_bullets_without_a_number() -> None:
    document = docx.Document()
    document.add_paragraph("建立台账。", style="List Number")
    document.add_paragraph("逐项销号。", style="List Number")
    document.add_paragraph("要点", style="List Bullet")
    buffer = BytesIO()
    document.save(buffer)
    assert docx_text(buffer.getvalue()).splitlines() == ["1.建立台账。", "2.逐项销号。", "要点"]


def test_the_parser_imports_no_django() -> None:
    code = (
        "import sys, zhenggai.notices.parse as p, zhenggai.notices.summary;"
        "p.parse_text('1.关于“某项工作不到位”的问题。');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_broken_numbering_definitions_are_ignored() -> None:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="5"><w:lvl w:ilvl="²"><w:start w:val="x"/>'
            '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="12"><w:numFmt w:val="decimal"/><w:lvlText w:val="%13."/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="5"><w:abstractNumId w:val="5"/></w:num>'))
    for ilvl in ("12", "x", "0"):
        paragraph = document.add_paragraph(f"第{ilvl}段")
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="5"/></w:numPr>')
        )
    buffer = BytesIO()
    document.save(buffer)
    lines = docx_text(buffer.getvalue()).splitlines()
    assert len(lines) == 3
    assert all(line.endswith(f"第{ilvl}段") for line, ilvl in zip(lines, ("12", "x", "0"), strict=True))
