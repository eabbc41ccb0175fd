"""等保 安全审计: logins, logouts, password changes, internal downloads and admin account edits are on the chain,
and the security auditor and supervisors search them on one page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.web.conftest import PASSWORD, login
from zhenggai.ledger.duties import SECURITY_AUDITOR
from zhenggai.ledger.models import AuditEvent, Evidence, Inspection

pytestmark = pytest.mark.usefixtures("system_roles")


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first() or pytest.fail(f"no {action}")


def _chain_intact() -> bool:
    try:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=io.StringIO())
    except SystemExit:
        return False
    return True


def test_login_failure_login_and_logout_are_recorded_with_name_and_address(demo: Inspection) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "lingdao", "password": "wrong-password"})
    failed = _last("login_failed")
    assert failed.actor is None
    assert "lingdao" in failed.note
    assert "IP 10.1.2.3" in failed.note
    assert failed.object_id == str(User.objects.get(username="lingdao").pk)

    client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    unknown = _last("login_failed")
    assert (unknown.object_repr, unknown.object_id) == ("nobody", "")

    client.post("/accounts/login/", {"username": "lingdao", "password": PASSWORD})
    assert _last("login").actor == User.objects.get(username="lingdao")
    assert "IP 10.1.2.3" in _last("login").note
    client.post("/accounts/logout/")
    assert _last("logout").actor == User.objects.get(username="lingdao")
    assert _chain_intact()


def test_a_password_change_is_recorded(demo: Inspection) -> None:
    client = login("chakan")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Qc-2025-kaoHe", "new_password2": "Qc-2025-kaoHe"},
    )
    assert response.status_code == 302
    assert _last("change_password").actor == User.objects.get(username="chakan")


def test_every_internal_download_leaves_an_event(demo: Inspection) -> None:
    leader = login("lingdao")
    supervisor = login("xunchaban")
    evidence = Evidence.objects.filter(measure__inspection=demo).first()
    assert evidence is not None
    downloads: list[tuple[Client, str, str]] = [
        (leader, f"/inspections/{demo.pk}/ledger.xlsx", "download_ledger"),
        (leader, f"/inspections/{demo.pk}/notice.docx", "download_internal_notice"),
        (leader, f"/evidence/{evidence.pk}/", "download_evidence"),
        (supervisor, "/supervision/weekly.docx", "download_weekly"),
        (supervisor, "/overview.xlsx", "download_overview"),
    ]
    for client, url, action in downloads:
        before = AuditEvent.objects.filter(action=action).count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert AuditEvent.objects.filter(action=action).count() == before + 1, url
        event = _last(action)
        assert event.actor is not None
        assert "文件：" in event.note
    assert _chain_intact()


def test_making_a_user_superuser_in_the_admin_is_recorded(demo: Inspection) -> None:
    admin = login("admin")
    target = User.objects.get(username="chakan")
    response = admin.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "chakan",
            "first_name": target.first_name,
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = _last("admin_change_user")
    assert event.actor == User.objects.get(username="admin")
    assert event.after is not None
    assert event.after["is_superuser"] is True
    assert event.object_repr == "chakan"


def _auditor() -> Client:
    user = User.objects.create_user("shenji", password=PASSWORD, first_name="审计员", is_staff=True)
    user.groups.add(Group.objects.get(name=SECURITY_AUDITOR))
    client = Client()
    client.force_login(user)
    return client


def test_the_security_auditor_searches_the_whole_log_by_user_action_and_date(demo: Inspection) -> None:
    Client(REMOTE_ADDR="10.9.9.9").post("/accounts/login/", {"username": "jingban", "password": "bad"})
    client = _auditor()
    page = client.get("/audit/").content.decode()
    assert "全程纪实查询" in page
    found = client.get("/audit/", {"user": "jingban", "action": "login_failed"}).content.decode()
    assert "IP 10.9.9.9" in found
    today = (
        timezone.localtime(AuditEvent.objects.latest("seq").at).date().isoformat()
    )  # the page filters by local date
    assert (
        "IP 10.9.9.9"
        not in client.get("/audit/", {"start": "2000-01-01", "end": "2000-01-02"}).content.decode()
    )
    assert "IP 10.9.9.9" in client.get("/audit/", {"start": today, "end": today}).content.decode()


@pytest.mark.parametrize("url", ["/", "/inspections/", "/tasks/", "/overview/", "/org/"])
def test_the_security_auditor_sees_no_ledger(demo: Inspection, url: str) -> None:
    response = _auditor().get(url)
    page = response.content.decode()
    assert demo.inspected_unit.name not in page or response.status_code == 403


def test_the_audit_log_is_refused_to_leaders_staff_and_the_superuser(demo: Inspection) -> None:
    for username in ("lingdao", "jingban", "chakan", "admin"):
        assert login(username).get("/audit/").status_code == 403, username
    assert login("xunchaban").get("/audit/").status_code == 200


def test_the_three_system_roles_exist(db: Any) -> None:
    assert Group.objects.filter(name=SECURITY_AUDITOR).exists()
