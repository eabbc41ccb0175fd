"""Look inside a zip (.docx, .xlsx) before any reader opens it.

The central directory tells each member's sizes without inflating anything; Python's zipfile (used by
python-docx) never reads past a member's declared size, and the child process bounds what other readers do.
A spreadsheet's cells are located by a linear scan of its sheet XML, because calamine allocates a dense grid up
to the furthest cell with content: one cell at XFD1048576 asks for 512 GiB.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from zhenggai.untrusted.limits import MB, Limits, RejectedFile


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RejectedFile("文件不是有效的压缩包（.docx、.xlsx），可能已损坏。") from exc


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip whose members are too many, too large together, or inflate suspiciously."""
    with _open(data) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise RejectedFile(f"压缩包内有{len(members)}个文件，超过上限{limits.max_members}个。")
        for info in members:
            if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                ratio = info.file_size // max(info.compress_size, 1)
                raise RejectedFile(
                    f"其中“{info.filename[:60]}”的压缩比为{ratio}:1（解压后"
                    f"{info.file_size / MB:.0f} MB），疑似压缩炸弹。"
                )
        total = sum(info.file_size for info in members)
        if total > limits.max_unpacked_bytes:
            raise RejectedFile(
                f"解压后超过{limits.max_unpacked_bytes // MB} MB（ZHENGGAI_MAX_UNPACKED_MB）。"
            )


# Rows and cells of SpreadsheetML, with or without a namespace prefix: <row r="7" …>, <c r="B7" …>, <x:c …/>.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(row|c)(?=[\s/>])([^<>]*)>")
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']([A-Z]{0,3})([0-9]{0,9})["\']')
_CHUNK = 1 * MB


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


class _Extent:
    """Furthest row and column that hold a cell with content, following the implicit positions."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.max_row = 0
        self.max_column = 0

    def feed(self, name: bytes, attrs: bytes) -> None:
        found = _R_ATTR.search(attrs)
        if name == b"row":
            self.row = int(found.group(2)) if found and found.group(2) else self.row + 1
            self.column = 0
            return
        if found and found.group(1):
            self.column = _column_number(found.group(1))
            if found.group(2):
                self.row = int(found.group(2))
        else:
            self.column += 1
        if not attrs.rstrip().endswith(b"/"):  # <c …/> is an empty, formatted cell
            self.max_row = max(self.max_row, self.row)
            self.max_column = max(self.max_column, self.column)


def check_sheet_extent(data: bytes, limits: Limits) -> None:
    """Refuse a workbook with a cell beyond the ledger's rows and columns, before calamine allocates for it."""
    with _open(data) as archive:
        for info in archive.infolist():
            if not info.filename.lower().endswith(".xml") or info.filename.startswith("docProps/"):
                continue
            extent = _scan(archive, info, fast=True) or _scan(archive, info, fast=False)
            assert extent is not None  # the slow pass always answers
            if extent.max_row > limits.max_rows or extent.max_column > limits.max_columns:
                where = f"{_column_name(extent.max_column)}{extent.max_row}"
                raise RejectedFile(
                    f"表格中有内容的单元格远至 {where}，超过台账的上限（{limits.max_rows - 20}行、"
                    f"{limits.max_columns}列）；请删除多余的行列后再导入。"
                )


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, fast: bool) -> _Extent | None:
    """The member's extent. The fast pass reads only cells that name their place (r="B7", as every writer
    we know does) and gives up (None) when a cell leaves it implicit; the slow pass follows every tag."""
    extent = _Extent()
    with archive.open(info) as member:
        carry = b""
        while chunk := member.read(_CHUNK):
            text = carry + chunk
            # A tag cut by the chunk's end is read whole with the next chunk.
            last = text.rfind(b"<")
            cut = last if last >= 0 and text.find(b">", last) < 0 else len(text)
            if len(text) - cut > _CHUNK:
                raise RejectedFile(f"“{info.filename[:60]}”中有异常长的标记。")
            if fast:
                if not _fast(text, cut, extent):
                    return None
            else:
                for match in _TAG.finditer(text, 0, cut):
                    extent.feed(match.group(1), match.group(2))
            carry = text[cut:]
    return extent


# The fast pass: unprefixed cells that name their place first (<c r="B7" …>), as Excel, WPS and XlsxWriter
# write them. Literal starts keep these patterns quick; anything else sends the member to the slow pass.
_ANY_CELL = re.compile(rb"<c[\s/>]")
_PLACED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"[^<>/]*(/?)>')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")


def _fast(text: bytes, end: int, extent: _Extent) -> bool:
    if _PREFIXED_CELL.search(text, 0, end):
        return False
    cells = _PLACED_CELL.findall(text, 0, end)
    if len(cells) != len(_ANY_CELL.findall(text, 0, end)):
        return False
    filled = [(column, row) for column, row, empty in cells if not empty]
    if filled:
        extent.max_row = max(extent.max_row, max(int(row) for _, row in filled))
        widest = max((column for column, _ in filled), key=lambda c: (len(c), c))
        extent.max_column = max(extent.max_column, _column_number(widest))
    return True
