"""`zhenggai serve`: gunicorn with the production checks, static files with long cache headers, SIGHUP."""

from __future__ import annotations

import http.client
import os
import re
import signal
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.ops.server import Browser, copy_data_dir, production_env, serving, zhenggai

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ZHENGGAI_DEBUG": "true"}, "生产环境不能开启调试模式"),
        ({"ZHENGGAI_SECRET_KEY": ""}, "未设置密钥"),
        ({"ZHENGGAI_ALLOWED_HOSTS": ""}, "未设置访问域名"),
        ({"ZHENGGAI_DATA_DIR": "relative/data"}, "数据目录必须是绝对路径"),
    ],
)
def test_serve_refuses_to_start_without_production_settings(
    demo_dir: Path, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    env = production_env(demo_dir)
    env |= {k: v for k, v in change.items() if v}
    for name in (k for k, v in change.items() if not v):
        del env[name]
    cwd = tmp_path if "ZHENGGAI_DATA_DIR" in change else None
    if cwd is not None:  # a relative data directory: give it a migrated database, so only the path is wrong
        copy_data_dir(demo_dir, tmp_path / "relative" / "data")
    result = zhenggai(["serve", "--bind", "127.0.0.1:9"], env, cwd=cwd)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_health_login_and_static_files_with_long_cache(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    with serving(production_env(data_dir), tmp_path / "serve.log") as server:
        browser = Browser(server.base)
        status, _, body = browser.get("/healthz")
        assert (status, body) == (200, b'{"status": "ok", "database": "sqlite"}')
        # Asked to keep the connection alive, the server still closes it after the response, so that the
        # next request goes to whichever worker is free (a kept connection stays with one worker).
        address = urllib.parse.urlsplit(server.base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        connection.request("GET", "/healthz", headers={"Connection": "keep-alive"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert response.getheader("Connection") == "close"
        connection.close()
        browser.login("xunchaban")
        status, _, page = browser.get("/overview/")
        assert status == 200
        assert "整改".encode() in page
        stylesheet = re.search(rb'href="(/static/web/zhenggai\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "static files are referenced under hashed names"
        status, headers, _ = browser.request(
            stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert "immutable" in headers["cache-control"]
        assert "max-age=315360000" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip"
    # NCSA combined format: host, ident, user, [time], "request", status, size, "referer", "agent", µs
    combined = re.compile(
        r'^127\.0\.0\.1 - - \[[^\]]+\] "GET /overview/ HTTP/1\.1" 200 \d+ "[^"]*" "[^"]*" \d+$', re.M
    )
    assert combined.search(server.output()), server.output()


def test_sighup_restarts_the_workers_gracefully(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    with serving(production_env(data_dir, ZHENGGAI_WORKERS="1"), tmp_path / "serve.log") as server:

        def workers() -> set[str]:
            return set(re.findall(r"Booting worker with pid: (\d+)", server.output()))

        before = workers()
        os.kill(server.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while workers() == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert workers() - before, server.output()
        assert Browser(server.base).get("/healthz")[0] == 200
        assert server.process.poll() is None


def test_serve_keeps_database_connections_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    from zhenggai.ops.management.commands.serve import SERVE_CONN_MAX_AGE, keep_database_connections

    database = settings.DATABASES["default"]
    monkeypatch.setitem(database, "CONN_MAX_AGE", 0)
    monkeypatch.delenv("ZHENGGAI_CONN_MAX_AGE", raising=False)
    keep_database_connections()
    assert database["CONN_MAX_AGE"] == SERVE_CONN_MAX_AGE > 0
    assert database["CONN_HEALTH_CHECKS"] is True  # a kept connection is checked before it is reused

    monkeypatch.setitem(database, "CONN_MAX_AGE", 0)
    monkeypatch.setenv("ZHENGGAI_CONN_MAX_AGE", "0")  # the operator's choice wins
    keep_database_connections()
    assert database["CONN_MAX_AGE"] == 0


def test_each_worker_moves_the_loaded_application_out_of_the_collectors_sight() -> None:
    import gc

    from zhenggai.ops.management.commands.serve import freeze_loaded_objects, gunicorn_options

    assert gunicorn_options(None)["post_worker_init"] is freeze_loaded_objects
    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() > 10_000  # the views, forms and models loaded with the URLs
    finally:
        gc.unfreeze()
