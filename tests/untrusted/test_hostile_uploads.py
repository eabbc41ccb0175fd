"""The attacker's files of issue 9, replayed through the pages and the commands: each is refused with a clear
Chinese message (HTTP 400, exit code 2), the process that served it lives on, and the ledger is unchanged."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Max

from tests.untrusted.hostile import MB, docx_with, paragraphs_docx, rows_xlsx, with_cell
from tests.web.conftest import demo, login
from zhenggai.ledger.models import AuditEvent, Inspection, Measure

__all__ = ["demo"]  # the demo ledger fixture

REFUSED = "文件过大或格式异常，已拒绝："


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def _ledger_state() -> tuple[Any, ...]:
    """What an import could change: the audit trail and every measure's row."""
    return (
        AuditEvent.objects.count(),
        AuditEvent.objects.aggregate(Max("pk"))["pk__max"],
        list(
            Measure.objects.order_by("pk").values_list(
                "pk", "text", "responsible_person", "status", "progress", "updated_at"
            )
        ),
    )


def _exported(demo: Inspection) -> bytes:
    response = login("lingdao").get(f"/inspections/{demo.pk}/ledger.xlsx")
    assert response.status_code == 200
    return bytes(response.content)


def _import_page(username: str, demo: Inspection, data: bytes, name: str = "台账.xlsx") -> Any:
    return login(username).post(
        f"/inspections/{demo.pk}/ledger/import/", {"file": SimpleUploadedFile(name, data)}
    )


def test_a_ledger_with_one_cell_at_xfd1048576_is_refused_and_the_server_lives(
    demo: Inspection,
) -> None:
    hostile = with_cell(_exported(demo), "XFD1048576")
    assert len(hostile) < 20_000
    before = _ledger_state()
    assert _import_page("chakan", demo, hostile).status_code == 403  # a viewer may not even open the page
    response = _import_page("lingdao", demo, hostile)
    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page
    assert "XFD1048576" in page
    assert _ledger_state() == before
    # the same process goes on serving
    assert login("chakan").get(f"/inspections/{demo.pk}/").status_code == 200


def test_the_ledger_command_refuses_it_with_exit_code_2(demo: Inspection, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(with_cell(_exported(demo), "XFD1048576"))
    before = _ledger_state()
    with pytest.raises(CommandError, match="XFD1048576") as refused:
        call_command("ledger", "import", str(path), "--inspection", str(demo.pk), "--by", "lingdao")
    assert refused.value.returncode == 2
    assert _ledger_state() == before


def test_a_ledger_with_a_gigabyte_of_rows_is_refused_quickly(demo: Inspection) -> None:
    hostile = rows_xlsx(_exported(demo), 1100 * MB)
    assert len(hostile) < 4 * MB
    started = time.monotonic()
    response = _import_page("lingdao", demo, hostile)
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def _notice_page(data: bytes, name: str) -> Any:
    from zhenggai.ledger.models import Unit

    unit = Unit.objects.get(short_name="区文旅局")
    return login("lingdao").post(
        "/notices/import/", {"file": SimpleUploadedFile(name, data), "unit": unit.pk, "round": ""}
    )


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (lambda: docx_with("word/media/image1.png", 1100 * MB), "image part of 1.1 GB"),
        (lambda: paragraphs_docx(1100 * MB), "1.1 GB of paragraphs"),
    ],
    ids=["image", "paragraphs"],
)
def test_a_notice_docx_that_inflates_to_a_gigabyte_is_refused_quickly(
    demo: Inspection, build: Any, what: str
) -> None:
    hostile = build()
    assert len(hostile) < 4 * MB, what
    before = (Inspection.objects.count(), _ledger_state())
    started = time.monotonic()
    response = _notice_page(hostile, "通报.docx")
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert "疑似压缩炸弹" in response.content.decode()
    assert (Inspection.objects.count(), _ledger_state()) == before


def test_the_parse_command_refuses_a_600_mb_document_part_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    path.write_bytes(paragraphs_docx(600 * MB))
    started = time.monotonic()
    with pytest.raises(CommandError, match=REFUSED) as refused:
        call_command("parse", str(path))
    assert refused.value.returncode == 2
    assert time.monotonic() - started < 5


def test_a_notice_that_nests_headings_1200_times_gets_an_answer_not_a_500(demo: Inspection) -> None:
    text = "一、“学习”方面\n" + "关于“甲”的问题\n" * 1200
    response = _notice_page(text.encode(), "通报.txt")
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.content.decode()


def test_a_staged_upload_is_readable_by_its_owner_only(demo: Inspection, settings: Any) -> None:
    from tests.notices.test_parse_structure import LINJIANG

    before = os.umask(0o022)  # as a careless start would leave it
    try:
        response = _notice_page(LINJIANG.encode("gbk"), "通报.txt")
    finally:
        os.umask(before)
    assert response.status_code == 200
    staged = list((Path(settings.DATA_DIR) / "uploads").rglob("*"))
    assert staged, "the preview keeps the file until it is confirmed"
    for path in staged:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
