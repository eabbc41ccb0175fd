"""More than one machine: two `zhenggai serve` on one PostgreSQL and one S3 endpoint (moto's server). Evidence
uploaded through one is downloaded through the other, with the same session (sessions live in the database)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.ops.server import VENV_BIN, Browser, free_port, make_demo, production_env, serving, zhenggai

URL = os.environ.get("DATABASE_URL", "")
MOTO = VENV_BIN / "moto_server"
pytestmark = [
    pytest.mark.skipif(not URL.startswith("postgres"), reason="needs PostgreSQL (scripts/with-postgres)"),
    pytest.mark.skipif(not MOTO.exists(), reason="moto[server] not installed"),
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
S3 = {
    "ZHENGGAI_S3_ACCESS_KEY": "testing",
    "ZHENGGAI_S3_SECRET_KEY": "testing",
    "ZHENGGAI_S3_REGION": "us-east-1",
}


@pytest.fixture
def s3_endpoint(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    with (tmp_path / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "moto.log").read_text()) from None
                time.sleep(0.3)
        yield endpoint
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_two_servers_share_database_sessions_and_files(
    tmp_path: Path, empty_database: str, s3_endpoint: str
) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                      region_name="us-east-1")  # fmt: skip
    s3.create_bucket(Bucket="zhenggai")
    shared = {
        "DATABASE_URL": empty_database,
        "ZHENGGAI_S3_BUCKET": "zhenggai",
        "ZHENGGAI_S3_ENDPOINT_URL": s3_endpoint,
    }
    first = production_env(tmp_path / "node1", **shared, **S3)
    second = first | {"ZHENGGAI_DATA_DIR": str(tmp_path / "node2")}  # same key, own local folder
    make_demo(tmp_path / "node1", first)
    with psycopg.connect(empty_database) as db:
        measure = db.execute(
            "SELECT m.id FROM ledger_measure m JOIN ledger_unit u ON u.id = m.lead_department_id"
            " WHERE u.name = '办公室' AND m.status = 'in_progress' ORDER BY m.id LIMIT 1"
        ).fetchone()[0]

    with serving(first, tmp_path / "node1.log") as one, serving(second, tmp_path / "node2.log") as two:
        browser = Browser(one.base)
        browser.login("jingban")
        status, _, body = browser.post_multipart(
            f"/measures/{measure}/report/",
            {"text": "经第一台服务器上传", "progress": "70"},
            {"evidence": ("第一台.pdf", PDF, "application/pdf")},
        )
        assert status == 302, body.decode(errors="replace")[:2000]

        browser.base = two.base  # the same session cookie, the other server
        status, _, page = browser.get(f"/measures/{measure}/")
        assert status == 200
        assert "经第一台服务器上传".encode() in page
        links = re.findall(rb'href="(/evidence/\d+/)"', page)
        newest = max(links, key=lambda link: int(re.sub(rb"\D", b"", link))).decode()
        status, headers, content = browser.get(newest)
        assert status == 200
        assert content == PDF
        assert headers["content-type"] == "application/pdf"

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="zhenggai").get("Contents", [])]
    assert any(key.startswith("evidence/") and key.endswith(".pdf") for key in keys)
    assert not (tmp_path / "node1" / "media").exists() or not any(
        (tmp_path / "node1" / "media").rglob("*.pdf")
    )

    # a backup of this setup holds the stored objects too
    archive = tmp_path / "s3.tar.gz"
    result = zhenggai(["backup", "-o", str(archive)], second)
    assert result.returncode == 0, result.stderr
    assert f"{len(keys)} 个文件" in result.stdout
