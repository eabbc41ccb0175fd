"""Storing 佐证材料: type and size checked, named by SHA-256, never overwritten."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage

from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models.measures import Evidence, evidence_path

# Extension → accepted leading bytes. Office files are ZIP (docx/xlsx) or OLE (doc/xls); OFD is ZIP too.
_PDF, _ZIP, _OLE = (b"%PDF",), (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0",)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", _PDF),
    "ofd": ("application/ofd", _ZIP),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "zip": ("application/zip", _ZIP),
}


@dataclass
class UploadedEvidence:
    """A file handed to a service: its name as the user sent it and a readable binary stream."""

    name: str
    stream: IO[bytes]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload: UploadedEvidence) -> tuple[str, str, int]:
    """Validate type and size; returns (sha256, content type, size). Reads the stream once."""
    ext = _extension(upload.name)
    if ext not in ALLOWED_TYPES:
        allowed = "、".join(sorted(ALLOWED_TYPES))
        raise InvalidInput(f"文件“{upload.name}”的类型不允许上传，可上传：{allowed}。", "files")
    content_type, magics = ALLOWED_TYPES[ext]
    limit = int(settings.EVIDENCE_MAX_BYTES)
    digest = hashlib.sha256()
    size = 0
    head = b""
    upload.stream.seek(0)
    while chunk := upload.stream.read(1 << 20):
        if not head:
            head = chunk[:16]
        size += len(chunk)
        if size > limit:
            raise InvalidInput(f"文件“{upload.name}”超过大小上限（{limit // (1024 * 1024)} MB）。", "files")
        digest.update(chunk)
    if size == 0:
        raise InvalidInput(f"文件“{upload.name}”是空文件。", "files")
    if not any(head.startswith(magic) for magic in magics):
        raise InvalidInput(f"文件“{upload.name}”的内容与扩展名不符，请上传真实的{ext}文件。", "files")
    return digest.hexdigest(), content_type, size


def store(evidence: Evidence, upload: UploadedEvidence) -> None:
    """Put the bytes under the data directory by content hash; an identical file is stored once."""
    name = evidence_path(evidence, upload.name)
    if not default_storage.exists(name):
        upload.stream.seek(0)
        saved = default_storage.save(name, File(upload.stream))
        if saved != name:  # a concurrent identical upload won the name; keep one copy
            default_storage.delete(saved)
    evidence.file.name = name
