"""Hostile files built in the test (small on disk, huge when read): nothing here is committed as a blob.

A 1 GB member is not compressed byte by byte (that takes seconds): a block compressed once with a full flush
gives the same bytes every time, so the deflate stream is that block repeated, and only the CRC is computed
over the whole.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

from docx import Document

MB = 1024 * 1024
_BLOCK = MB


@cache
def _repeated(head: bytes, unit: bytes, size: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, length) of head + unit repeated to about `size` bytes + tail."""
    block = unit * max(1, _BLOCK // len(unit))
    count = max(1, (size - len(head) - len(tail)) // len(block))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    middle = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return start + middle * count + end, crc, len(head) + len(block) * count + len(tail)


def _with_member(base: bytes, name: str, stream: bytes, crc: int, size: int, drop: str = "") -> bytes:
    """`base` with member `name` (replacing `drop`) holding an already deflated stream."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in (name, drop):
                target.writestr(info, source.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_STORED
        with target.open(info, "w", force_zip64=size > 0xFFFFFFFF) as member:
            member.write(stream)
        # now say what the stored bytes are: deflated, of `size` bytes, with this CRC
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = size
        info.CRC = crc
        offset = info.header_offset
    data = bytearray(out.getvalue())
    struct.pack_into("<H", data, offset + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, offset + 14, crc)
    struct.pack_into("<I", data, offset + 22, size)
    return bytes(data)


def _empty_docx() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def docx_with(part: str, size: int, fill: bytes = b"\0") -> bytes:
    """A real .docx (python-docx opens its parts) plus one member `part` that inflates to `size` bytes."""
    stream, crc, length = _repeated(b"", fill, size, b"")
    return _with_member(_empty_docx(), part, stream, crc, length)


def paragraphs_docx(size: int) -> bytes:
    """A .docx whose document part is `size` bytes of paragraphs."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    paragraph = "<w:p><w:r><w:t>关于“学习”的问题</w:t></w:r></w:p>".encode()
    stream, crc, length = _repeated(head, paragraph, size, b"</w:body></w:document>")
    return _with_member(_empty_docx(), "word/document.xml", stream, crc, length, drop="word/document.xml")


def _edit_sheet(xlsx: bytes, edit: bytes, before: bytes = b"</sheetData>") -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(before, edit + before, 1)
            target.writestr(info, data)
    return out.getvalue()


def with_cell(xlsx: bytes, reference: str, value: str = "x") -> bytes:
    """The workbook with one more inline-string cell in its first sheet, at `reference` (e.g. XFD1048576)."""
    column = reference.rstrip("0123456789")
    row = reference[len(column) :]
    cell = f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    return _edit_sheet(xlsx, cell.encode())


def rows_xlsx(xlsx: bytes, size: int) -> bytes:
    """The workbook with its first sheet padded by about `size` bytes of rows of a repeated text."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>", 1)
    row = b'<row><c t="inlineStr"><is><t>padding</t></is></c></row>'
    stream, crc, length = _repeated(head, row, size, b"</sheetData>" + tail)
    return _with_member(
        xlsx, "xl/worksheets/sheet1.xml", stream, crc, length, drop="xl/worksheets/sheet1.xml"
    )
