"""Uploads: one request may send at most ZHENGGAI_MAX_REQUEST_MB in all, refused unread with HTTP 413 and a
Chinese message; what we store (evidence, the SQLite database) is not readable by other users."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import login
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import AuditEvent, Evidence, Inspection, Measure, ProgressReport

ZHENGGAI = [sys.executable, "-m", "zhenggai"]


def _working(demo: Inspection) -> Measure:
    measure = Measure.objects.filter(
        inspection=demo, status=MeasureStatus.IN_PROGRESS, lead_department__name="办公室"
    ).first()
    assert measure is not None
    return measure


def _rows() -> tuple[int, ...]:
    return (ProgressReport.objects.count(), Evidence.objects.count(), AuditEvent.objects.count())


def _other_bits(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & 0o007


def test_request_over_the_total_is_refused_with_413_in_chinese_and_saves_nothing(
    demo: Inspection, settings: Any
) -> None:
    settings.MAX_REQUEST_BYTES = 1024 * 1024  # each file is under the per-file limit, together over this
    measure = _working(demo)
    before = _rows()
    files = [SimpleUploadedFile(f"方案{i}.pdf", b"%PDF-1.4\n" + b"0" * 400_000) for i in range(3)]
    response = login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "推进中", "progress": "50", "evidence": files}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "上传内容过大（1.1 MB），超过单次提交上限 1 MB，未予接收。" in page
    assert _rows() == before


def test_declared_length_over_the_total_is_refused_before_the_body_is_read(
    demo: Inspection, settings: Any
) -> None:
    settings.MAX_REQUEST_BYTES = 200 * 1024 * 1024
    measure = _working(demo)
    # Says 300 MB, sends 9 bytes: reading the body would fail ("Cannot read more than the available bytes").
    response = login("jingban").generic(
        "POST",
        f"/measures/{measure.pk}/report/",
        b"%PDF-1.4\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    assert json.loads(response.content)["detail"] == (
        "上传内容过大（300 MB），超过单次提交上限 200 MB，未予接收。请减少一次提交的文件，或分几次上传。"
    )


def test_request_within_the_total_is_handled(demo: Inspection, settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 64 * 1024
    measure = _working(demo)
    file = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n" + b"0" * 3000)
    response = login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "推进中", "progress": "50", "evidence": file}
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(original_name="方案.pdf").exists()


def test_stored_evidence_and_its_folders_are_not_world_readable(demo: Inspection, settings: Any) -> None:
    measure = _working(demo)
    file = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n.....")
    login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "附照片", "progress": "60", "evidence": file}
    )
    stored = Path(Evidence.objects.get(original_name="照片.png").file.path)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o640
    media = Path(settings.MEDIA_ROOT)
    folder = stored.parent
    while folder != media.parent:
        assert _other_bits(folder) == 0, folder
        folder = folder.parent


def test_sqlite_database_and_data_folder_are_not_world_readable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"ZHENGGAI_DATA_DIR": str(data)}
    old = os.umask(0o022)  # the usual login umask: world-readable unless we restrict it
    try:
        subprocess.run([*ZHENGGAI, "migrate", "-v0"], env=env, check=True, timeout=120)
    finally:
        os.umask(old)
    database = data / "zhenggai.sqlite3"
    assert database.exists()
    for path in [data, *data.iterdir()]:
        assert _other_bits(path) == 0, f"{path}: {oct(stat.S_IMODE(path.stat().st_mode))}"


def test_bad_request_limit_stops_start_up(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"ZHENGGAI_DATA_DIR": str(tmp_path / "data"), "ZHENGGAI_MAX_REQUEST_MB": "0"}
    result = subprocess.run([*ZHENGGAI, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "ZHENGGAI_MAX_REQUEST_MB 至少为 1" in result.stderr


def test_page_of_413_needs_no_login() -> None:
    response = Client().post(
        "/accounts/login/", b"x", content_type="text/plain", CONTENT_LENGTH="999999999999"
    )
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
