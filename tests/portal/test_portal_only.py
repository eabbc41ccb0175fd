"""ZHENGGAI_PORTAL_ONLY=1: the DMZ server serves the public pages and nothing of the intranet."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.conftest import World
from tests.portal.conftest import published


def test_the_setting_switches_the_url_configuration(tmp_path: object) -> None:
    env = {**os.environ, "ZHENGGAI_PORTAL_ONLY": "1", "ZHENGGAI_DATA_DIR": str(tmp_path)}
    code = "import zhenggai.settings as s; print(s.ROOT_URLCONF)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "zhenggai.portal.only_urls"


@pytest.mark.urls("zhenggai.portal.only_urls")
def test_portal_only_serves_the_public_pages_and_no_intranet_page_admin_or_login(world: World) -> None:
    notice = published(world)
    client = Client()
    assert client.get("/gongkai/").status_code == 200
    assert client.get(f"/gongkai/notices/{notice.pk}/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert (
        'name="token"' in client.get(f"/gongkai/notices/{notice.pk}/").content.decode()
    )  # feedback works here
    assert client.get("/feedback/").status_code == 404  # the handling pages stay on the intranet
    root = client.get("/")
    assert (root.status_code, root["Location"]) == (302, "/gongkai/")
    for path in (
        "/admin/",
        "/admin/login/",
        "/login/",
        "/tasks/",
        "/inspections/",
        "/supervision/notifications/",
    ):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "页面不存在" in page.content.decode()
    # a staff member logged in elsewhere gets nothing more here
    client.force_login(world.supervisor)
    assert client.get("/inspections/").status_code == 404


@override_settings(DEBUG=False)
def test_the_full_server_serves_the_portal_beside_the_intranet(world: World) -> None:
    assert Client().get("/gongkai/").status_code == 200
    assert Client().get("/tasks/").status_code == 302  # to the login page
    missing = Client().get("/gongkai/notices/999999/")
    assert missing.status_code == 404
    assert 'data-layout="portal"' in missing.content.decode()
