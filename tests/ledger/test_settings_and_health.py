"""Start-up from the environment, the health check and the admin, as a fresh install sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import World

ZHENGGAI = [sys.executable, "-m", "zhenggai"]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ |= {"ZHENGGAI_DATA_DIR": str(tmp_path / "data")} | env
    return subprocess.run(
        [*ZHENGGAI, *args], capture_output=True, text=True, env=environ, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ZHENGGAI_DEBUG", "maybe", "ZHENGGAI_DEBUG 应为 1/0"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL 应为 sqlite:// 或 postgres:// 开头的地址"),
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("ZHENGGAI_ALLOWED_HOSTS", " , ", "ZHENGGAI_ALLOWED_HOSTS 应为逗号分隔的列表"),
        ("ZHENGGAI_SECRET_KEY", "short", "ZHENGGAI_SECRET_KEY 至少 32 个字符"),
    ],
)
def test_bad_environment_value_stops_start_up_with_a_clear_message(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = _run(["check"], tmp_path, **{name: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_first_run_generates_a_private_secret_key_in_the_data_dir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ZHENGGAI_SECRET_KEY"}
    result = subprocess.run(
        [*ZHENGGAI, "check"],
        capture_output=True,
        text=True,
        env=env | {"ZHENGGAI_DATA_DIR": str(tmp_path / "data")},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    key = tmp_path / "data" / "secret_key"
    assert len(key.read_text()) >= 50
    assert key.stat().st_mode & 0o077 == 0
    first = key.read_text()
    assert _run(["check"], tmp_path).returncode == 0
    assert key.read_text() == first  # a second start reuses the key


def test_healthz_reports_ok_and_the_database(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert connection.vendor in {"sqlite", "postgresql"}


def test_admin_shows_the_ledger_in_chinese_and_read_only(world: World) -> None:
    client = Client()
    world.supervisor.is_staff = True
    world.supervisor.is_superuser = True
    world.supervisor.save()
    client.force_login(world.supervisor)
    index = client.get("/admin/").content.decode()
    for label in ("整改措施", "全程纪实", "销号申请", "延期申请", "建章立制", "问题线索", "单位"):
        assert label in index
    measure_page = client.get(f"/admin/ledger/measure/{world.measure_a.pk}/change/")
    assert measure_page.status_code == 200
    assert "保存" not in measure_page.content.decode()  # no save button: view only
    assert client.get("/admin/ledger/measure/add/").status_code == 403
    response = client.post(f"/admin/ledger/measure/{world.measure_a.pk}/change/", {"text": "改"})
    assert response.status_code == 403


def test_admin_scopes_the_ledger_to_the_staff_users_units(world: World) -> None:
    from django.contrib.auth.models import Permission

    world.leader_a.is_staff = True
    world.leader_a.save()
    world.leader_a.user_permissions.add(Permission.objects.get(codename="view_measure"))
    client = Client()
    client.force_login(world.leader_a)
    listing = client.get("/admin/ledger/measure/").content.decode()
    assert world.measure_a.text in listing
    assert world.measure_b.text not in listing
    assert client.get(f"/admin/ledger/measure/{world.measure_b.pk}/change/").status_code == 302
