"""HTTPS by configuration: `check --deploy` passes under ZHENGGAI_HTTPS=1, forms post behind a TLS-terminating
proxy (X-Forwarded-Proto), and every page carries a strict Content-Security-Policy with no inline script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD, login
from tests.web.test_browser import CHROMIUM
from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.models import Inspection

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ZHENGGAI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment |= {"ZHENGGAI_DATA_DIR": str(tmp_path), "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    environment |= env
    if not environment["DATABASE_URL"]:
        del environment["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "-m", "zhenggai.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_deploy_passes_with_https_switched_on_and_fails_without(tmp_path: Path) -> None:
    on = _check_deploy(tmp_path, ZHENGGAI_HTTPS="1")
    assert on.returncode == 0, on.stdout + on.stderr
    off = _check_deploy(tmp_path)
    assert off.returncode != 0
    assert "SECURE_HSTS_SECONDS" in off.stdout + off.stderr


HTTPS_SETTINGS = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "CSRF_TRUSTED_ORIGINS": ["https://zhenggai.example.gov.cn"],
}


def _https(settings: Any) -> None:
    for name, value in HTTPS_SETTINGS.items():
        setattr(settings, name, value)


def test_behind_the_proxy_plain_http_is_redirected_and_a_login_form_posts(db: Any, settings: Any) -> None:
    load_demo(password=PASSWORD)
    _https(settings)
    assert Client().get("/accounts/login/").status_code == 301
    assert Client().get("/healthz").status_code == 200  # probes inside the network stay on HTTP
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "localhost"}
    client = Client(enforce_csrf_checks=True, **proxied)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "max-age=31536000" in page["Strict-Transport-Security"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    response = client.post(
        "/accounts/login/",
        {"username": "lingdao", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        HTTP_ORIGIN="https://zhenggai.example.gov.cn",
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]


def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(db: Any) -> None:
    inspection: Inspection = load_demo(password=PASSWORD).inspection
    client = login("xunchaban")
    for path in ("/", f"/inspections/{inspection.pk}/", "/overview/", "/tasks/", "/audit/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+=", page), path
        assert '"includeIndicatorStyles":false' in page


@pytest.mark.browser
def test_a_browser_logs_in_behind_the_https_proxy_and_posts_a_form_without_csp_violations(
    transactional_db: Any, live_server: Any, settings: Any
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    load_demo(password=PASSWORD)
    _https(settings)
    # The browser speaks to the live server directly; the header says what a TLS-terminating proxy would.
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(locale="zh-CN", extra_http_headers={"X-Forwarded-Proto": "https"})
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security" in message.text else None,
        )
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "chakan")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        assert any(c["name"] == "sessionid" and c["secure"] for c in context.cookies())
        page.goto(f"{base}/accounts/password/")
        page.fill("#id_old_password", PASSWORD)
        page.fill("#id_new_password1", "Qc-Kaohe-2025#")
        page.fill("#id_new_password2", "Qc-Kaohe-2025#")
        page.click("form.zg-form button[type=submit]")
        page.wait_for_url(f"{base}/accounts/password/done/")
        page.goto(f"{base}/inspections/")
        assert violations == []
        browser.close()
