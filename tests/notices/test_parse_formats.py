"""Notices as .pdf (text layer), legacy .doc/.wps (LibreOffice headless) and scans (refused: no OCR).

The PDFs and .doc files are made at test time from our .docx by LibreOffice; those tests are skipped when it is
not installed (`./dev test` installs it when run as root)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.notices.family_samples import SAMPLES
from tests.notices.notice_variants import as_docx
from tests.pdf import to_pdf
from zhenggai.notices import parse_bytes, parse_text
from zhenggai.notices.parse import NoticeReadError
from zhenggai.notices.sandboxed import parse_untrusted

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _pdf_of(text: str, tmp_path: Path) -> bytes:
    source = tmp_path / "notice.docx"
    source.write_bytes(as_docx(text))
    return to_pdf(source, tmp_path).read_bytes()


def _doc_of(text: str, tmp_path: Path, fmt: str = "doc") -> bytes:
    assert SOFFICE is not None
    source = tmp_path / "notice.docx"
    source.write_bytes(as_docx(text))
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--convert-to",
            fmt,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / f"notice.{fmt}").read_bytes()


def _essentials(text_or_doc: object) -> tuple[object, ...]:
    doc = parse_text(text_or_doc) if isinstance(text_or_doc, str) else text_or_doc
    return (doc.counts, doc.stated, doc.inspection, doc.issuer, len(doc.outstanding))  # type: ignore[attr-defined]


@needs_soffice
@pytest.mark.seeds
@pytest.mark.parametrize("prefix", ["000", "004"])
def test_text_layer_pdf_of_a_seed_gives_the_seeds_figures(
    seed: Callable[[str], Path], tmp_path: Path, prefix: str
) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    doc = parse_untrusted(_pdf_of(text, tmp_path), "notice.pdf")  # through the sandbox
    assert _essentials(doc) == _essentials(text)
    assert doc.warnings == []


@needs_soffice
def test_text_layer_pdf_of_a_saved_page_keeps_quotes_and_headings(tmp_path: Path) -> None:
    text = SAMPLES[0].text
    doc = parse_bytes(_pdf_of(text, tmp_path), "notice.pdf")
    assert _essentials(doc) == _essentials(text)
    assert doc.findings[0].children[0].title == "产业项目谋划不够精准"


@needs_soffice
@pytest.mark.parametrize("fmt", ["doc"])
def test_legacy_word_file_is_converted_by_libreoffice(tmp_path: Path, fmt: str) -> None:
    text = SAMPLES[5].text
    doc = parse_untrusted(_doc_of(text, tmp_path, fmt), f"notice.{fmt}")
    assert _essentials(doc) == _essentials(text)


def test_legacy_word_file_without_libreoffice_gets_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(NoticeReadError, match="未安装 LibreOffice"):
        parse_untrusted(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.wps")


def _blank_pdf(pages: int) -> bytes:
    """A PDF whose pages hold no text (as a scan's pages hold only images)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    objects.extend("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for _ in range(pages))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_without_a_text_layer_says_ocr_is_not_supported() -> None:
    with pytest.raises(NoticeReadError, match="不支持 OCR"):
        parse_untrusted(_blank_pdf(3), "scan.pdf")


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"%PDF-1.4\n" + bytes(range(256)) * 40]
)
def test_a_broken_pdf_gets_a_chinese_message(data: bytes) -> None:
    with pytest.raises(NoticeReadError, match="PDF"):
        parse_untrusted(data, "broken.pdf")
