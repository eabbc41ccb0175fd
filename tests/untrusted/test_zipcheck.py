"""The zip directory and a sheet's cells are checked before any reader opens the file."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from tests.untrusted.hostile import MB, docx_with, with_cell
from zhenggai.untrusted import Limits, RejectedFile, check_sheet_extent, check_zip
from zhenggai.untrusted.zipcheck import _column_name


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def test_an_ordinary_docx_passes() -> None:
    check_zip(docx_with("word/media/image1.png", 200_000, os.urandom(1000)), Limits())


def test_a_member_that_inflates_more_than_100_to_1_is_refused() -> None:
    bomb = docx_with("word/media/image1.png", 20 * MB)
    assert len(bomb) < 100_000
    with pytest.raises(RejectedFile, match=r"压缩比为\d+:1.*疑似压缩炸弹"):
        check_zip(bomb, Limits())


def test_small_members_may_compress_well() -> None:
    check_zip(_zip(**{"word__document.xml": b"\0" * 900_000}), Limits())


def test_the_total_unpacked_size_is_bounded() -> None:
    data = _zip(a=os.urandom(600_000), b=os.urandom(600_000))
    with pytest.raises(RejectedFile, match="解压后超过1 MB"):
        check_zip(data, Limits(max_unpacked_bytes=1 * MB))


def test_too_many_members_are_refused() -> None:
    data = _zip(**{f"m{i}": b"" for i in range(30)})
    with pytest.raises(RejectedFile, match="压缩包内有30个文件"):
        check_zip(data, Limits(max_members=20))


def test_not_a_zip_is_refused_with_a_message() -> None:
    with pytest.raises(RejectedFile, match="不是有效的压缩包"):
        check_zip(b"PK\x03\x04 broken", Limits())


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData>'
    "</worksheet>"
)


def _sheet(rows: str, name: str = "xl__worksheets__sheet1.xml") -> bytes:
    return _zip(**{name: SHEET.format(rows).encode()})


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ('<row r="1"><c r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
        ('<row r="1048576"><c><v>1</v></c></row>', "A1048576"),  # positions implied by order
        ('<x:row r="3"><x:c r="BZ3" t="s"><x:v>0</x:v></x:c></x:row>', "BZ3"),  # a namespace prefix
        ("<row>" + "<c><v>1</v></c>" * 70 + "</row>", "BR1"),
    ],
)
def test_a_cell_beyond_the_ledgers_extent_is_refused(rows: str, where: str) -> None:
    with pytest.raises(RejectedFile, match=f"远至 {where}，超过台账的上限（100000行、64列）"):
        check_sheet_extent(_sheet(rows), Limits())


def test_formatted_empty_cells_and_the_declared_dimension_do_not_count() -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="3"/></row><row r="1048576" s="2"/>'
    data = _zip(
        **{
            "xl__worksheets__sheet1.xml": SHEET.replace(
                "<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>'
            )
            .format(rows)
            .encode()
        }
    )
    check_sheet_extent(data, Limits())


def test_a_tag_cut_by_the_read_chunk_is_still_seen() -> None:
    head = SHEET.split("{}")[0]
    far = '<row r="5"><c r="CA5" t="inlineStr"><is><t>x</t></is></c></row>'
    filler = '<row r="1"><c r="A1"><v>1</v></c></row>'
    # the far cell's tag starts 10 bytes before the first 1 MB read ends
    pad = MB - 10 - len(head) - len('<row r="5">')
    rows = filler * (pad // len(filler)) + " " * (pad % len(filler)) + far
    assert (len(head) + rows.index('<c r="CA5"')) == MB - 10
    with pytest.raises(RejectedFile, match="远至 CA5"):
        check_sheet_extent(_sheet(rows), Limits())


def test_an_exported_ledger_with_a_far_cell_is_refused(tmp_path: object) -> None:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("台账").write_row(0, 0, ["序号", "问题", "整改措施"])
    book.close()
    check_sheet_extent(out.getvalue(), Limits())
    with pytest.raises(RejectedFile, match="XFD1048576"):
        check_sheet_extent(with_cell(out.getvalue(), "XFD1048576"), Limits())


def test_column_names_are_spelt_as_excel_does() -> None:
    assert [_column_name(n) for n in (1, 26, 27, 64, 16384)] == ["A", "Z", "AA", "BL", "XFD"]
