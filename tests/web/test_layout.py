"""One layout for every app, assets served by the project, navigation by role, form errors in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD, login
from tests.web.test_documents import publish_form, urls
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Inspection, Measure

STATIC = Path(__file__).resolve().parents[2] / "src" / "zhenggai" / "web" / "static"
BOOTSTRAP = STATIC / "vendor" / "bootstrap-5.3.9"
MARKER = 'data-layout="zhenggai"'


def test_bootstrap_is_vendored_with_its_licence_and_loads_nothing_from_outside() -> None:
    css = (BOOTSTRAP / "bootstrap.min.css").read_text(encoding="utf-8")
    assert "Bootstrap  v5.3.9" in css
    assert "MIT License" in (BOOTSTRAP / "LICENSE").read_text(encoding="utf-8")
    assert "@import" not in css
    assert "@font-face" not in css
    code = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # the licence comment names the project's site
    for url in re.findall(r"url\(([^)]*)\)", code):
        assert url.strip("\"'").startswith("data:"), url
    assert "sourceMappingURL" not in css
    ours = (STATIC / "web" / "zhenggai.css").read_text(encoding="utf-8")
    assert "url(" not in ours
    assert "@import" not in ours


def test_pages_link_the_vendored_assets_and_no_other_host(demo: Inspection) -> None:
    page = login("lingdao").get("/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.bundle.min.js" in page
    assert "/static/web/zhenggai.css" in page
    assert not re.search(r"""(?:src|href)=["']https?://""", page)
    assert Client().get("/static/vendor/bootstrap-5.3.9/bootstrap.min.css").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/supervision/warnings/",
        "/supervision/weekly/",
        "/supervision/notices/",
        "/supervision/notifications/",
        "/notices/import/",
        "/evaluation/",
        "/evaluation/signals/",
        "/accounts/tokens/",
        "/supervision/weekly/?date=not-a-date",  # the supervision error page
    ],
)
def test_every_app_renders_inside_the_one_layout_with_the_full_header(demo: Inspection, path: str) -> None:
    page = login("lingdao").get(path).content.decode()
    assert MARKER in page
    for item in ("首页", "巡察台账", "督查督办", "消息", "修改密码", "退出"):
        assert item in page
    assert 'class="breadcrumb' in page or path == "/"


def test_the_audit_log_renders_inside_the_one_layout_with_the_full_header(demo: Inspection) -> None:
    page = login("xunchaban").get("/audit/").content.decode()
    assert MARKER in page
    for item in ("首页", "巡察台账", "督查督办", "全程纪实", "修改密码", "退出"):
        assert item in page
    assert 'class="breadcrumb' in page


def test_login_page_has_the_layout_but_no_navigation() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert MARKER in page
    assert "退出" not in page
    assert "navbar-toggler" not in page


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("xunchaban", ["待我审核", "整改总览", "预警", "每周汇总"], []),
        ("lingdao", ["待我审核", "预警", "每周汇总"], ["整改总览"]),
        (
            "jingban",
            ["我的整改任务", "督办单"],
            ["待我审核", "整改总览", "预警", "每周汇总", "导入整改情况通报"],
        ),
        ("chakan", ["巡察台账"], ["待我审核", "整改总览", "预警", "每周汇总"]),
    ],
)
def test_navigation_shows_what_the_role_may_use(
    demo: Inspection, username: str, shown: list[str], hidden: list[str]
) -> None:
    page = login(username).get("/").content.decode()
    nav = page[page.index('id="zg-nav"') : page.index("</nav>", page.index('id="zg-nav"'))]
    for item in shown:
        assert f">{item}<" in nav, item
    for item in hidden:
        assert f">{item}<" not in nav, item


def test_unread_messages_are_counted_in_the_header(demo: Inspection) -> None:
    from django.contrib.auth.models import User

    from zhenggai.supervision.models import Notification

    staff = User.objects.get(username="jingban")
    before = Notification.objects.filter(user=staff, read_at__isnull=True).count()
    Notification.objects.create(user=staff, kind="warning", title="预警", body="测试")
    page = login("jingban").get("/").content.decode()
    assert f'id="unread-count">{before + 1}<' in page


def _errors(html: str, field: str) -> str:
    start = html.find(f'id="{field}-errors"')
    assert start != -1, f"no errors shown beside {field}"
    return html[start : html.find("</ul>", start)]


def test_form_errors_are_our_own_chinese_messages_beside_the_field(demo: Inspection) -> None:
    measure = Measure.objects.filter(
        inspection=demo, status=MeasureStatus.IN_PROGRESS, lead_department__name="办公室"
    ).first()
    assert measure is not None
    client = login("jingban")

    report = client.post(f"/measures/{measure.pk}/report/", {"text": "", "progress": "120"}).content.decode()
    assert "请填写进展情况。" in _errors(report, "text")
    assert "完成进度不能大于 100。" in _errors(report, "progress")
    assert 'class="form-control is-invalid"' in report

    extension = client.post(
        f"/measures/{measure.pk}/extension/", {"new_deadline": "明年", "reason": ""}
    ).content.decode()
    assert "申请延至的日期格式应为 2024-03-18。" in _errors(extension, "new_deadline")
    assert "请填写延期理由。" in _errors(extension, "reason")

    publish = login("lingdao").post(urls(demo)["publish"], publish_form(email="不是邮箱")).content.decode()
    assert "电子邮箱不是有效的电子邮箱地址" in _errors(publish, "email")
    for page in (report, extension, publish):
        assert "Email" not in page
        assert "输入一个有效" not in page
        assert "这个字段是必填项" not in page


def test_login_and_password_errors_are_our_own_chinese_messages(demo: Inspection) -> None:
    page = Client().post("/accounts/login/", {"username": "jingban", "password": "wrong"}).content.decode()
    assert "用户名或密码不正确" in page
    assert "请输入一个正确的" not in page

    client = login("jingban")
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "abc", "new_password2": "abd"},
    ).content.decode()
    assert "原密码不正确，请重新输入。" in _errors(wrong_old, "old_password")
    assert "两次输入的新密码不一致。" in _errors(wrong_old, "new_password2")
    short = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    ).content.decode()
    assert "密码太短，至少要有 8 个字符。" in _errors(short, "new_password2")
    assert "This password" not in short
