"""`zhenggai serve` behind nginx with deploy/nginx/zhenggai.conf: HTTPS, login, upload, download of evidence
through X-Accel-Redirect after the permission check, static files served by nginx."""

from __future__ import annotations

import re
import sqlite3
import ssl
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ops.nginx import nginx_in_front
from tests.ops.server import Browser, copy_data_dir, free_port, production_env, serving

pytestmark = pytest.mark.usefixtures("sqlite_only")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _working_measure(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "zhenggai.sqlite3") as db:
        row = db.execute(
            "SELECT m.id FROM ledger_measure m JOIN ledger_unit u ON u.id = m.lead_department_id"
            " WHERE u.name = '办公室' AND m.status = 'in_progress' ORDER BY m.id LIMIT 1"
        ).fetchone()
    return int(row[0])


def test_login_upload_and_download_through_nginx(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    measure = _working_measure(data_dir)
    port = free_port()
    env = production_env(data_dir, ZHENGGAI_HTTPS="true", ZHENGGAI_MEDIA_ACCEL_REDIRECT="/protected-media")
    with (
        serving(env, tmp_path / "serve.log", port=port) as server,
        nginx_in_front(port, data_dir, tmp_path / "nginx") as proxy,
    ):
        context = ssl.create_default_context(cafile=str(proxy.certificate))
        plain = Browser(proxy.http)
        status, headers, _ = plain.get("/overview/")
        assert status == 301
        assert headers["location"].startswith("https://127.0.0.1")

        browser = Browser(proxy.https, context=context)
        browser.login("jingban")
        assert any(c.name == "sessionid" and c.secure for c in browser.jar)  # HTTPS seen through the proxy
        status, headers, body = browser.post_multipart(
            f"/measures/{measure}/report/",
            {"text": "经 nginx 上传佐证", "progress": "60"},
            {"evidence": ("会议纪要.pdf", PDF, "application/pdf")},
        )
        assert status == 302, body.decode(errors="replace")[:3000]
        status, _, page = browser.get(f"/measures/{measure}/")
        assert status == 200
        links = re.findall(rb'href="(/evidence/\d+/)"', page)
        assert links
        newest = max(links, key=lambda link: int(re.sub(rb"\D", b"", link))).decode()

        status, headers, content = browser.get(newest)
        assert status == 200
        assert content == PDF
        assert headers["content-type"] == "application/pdf"
        assert headers["server"].startswith("nginx")
        assert "x-accel-redirect" not in headers
        # The app answered with an empty body: the bytes came from nginx's internal location.
        pattern = re.compile(rf'"GET {newest} HTTP/1.\d" 200 0 ')
        deadline = time.monotonic() + 10
        while not pattern.search(server.output()) and time.monotonic() < deadline:
            time.sleep(0.2)  # the access log line is written after the response
        assert pattern.search(server.output()), server.output()[-2000:]

        # Without a session: the app refuses (login page), and the internal location is not reachable.
        anonymous = Browser(proxy.https, context=context)
        status, headers, _ = anonymous.get(newest)
        assert status == 302
        assert "/accounts/login/" in headers["location"]
        stored = next((data_dir / "media" / "evidence").rglob("*.pdf")).relative_to(data_dir / "media")
        assert anonymous.get(f"/protected-media/{stored}")[0] == 404

        # Static files from nginx, with the long cache header.
        stylesheet = re.search(rb'href="(/static/web/zhenggai\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet
        request = urllib.request.Request(proxy.https + stylesheet.group(1).decode())
        with urllib.request.urlopen(request, context=context) as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "/static/" not in server.output()  # nginx read it from the data directory
        assert server.process.poll() is None
