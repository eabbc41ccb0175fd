"""单位与用户 pages: scoping (404 outside the manager's units), one-time passwords, the import's dry run and errors."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import World
from tests.ledger.test_organisation import UNITS, USERS, xlsx
from tests.untrusted.hostile import with_cell
from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import AuditEvent, Membership, Unit


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_leader_sees_their_units_and_the_menu_link(world: World) -> None:
    page = _client(world.leader_a).get("/org/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "区文旅局" in html
    assert "文旅局办公室" in html
    assert "区档案馆" not in html
    assert 'href="/org/"' in html
    assert "批量导入单位和用户" not in html  # leaders manage, supervisors import


def test_staff_and_viewers_get_403_and_no_menu_link(world: World) -> None:
    for user in (world.staff_a, world.viewer_a):
        client = _client(user)
        assert client.get("/org/").status_code == 403
        assert client.get(f"/units/{world.dept_a.pk}/manage/").status_code == 404
        assert client.get("/org/import/").status_code == 403
        assert 'href="/org/"' not in client.get("/tasks/").content.decode()


def test_another_units_manage_page_is_404(world: World) -> None:
    client = _client(world.leader_a)
    assert client.get(f"/units/{world.unit_b.pk}/manage/").status_code == 404
    assert (
        client.post(
            f"/units/{world.unit_b.pk}/manage/", {"action": "department", "dept-name": "X"}
        ).status_code
        == 404
    )
    # a user of unit B, reached through A's page, is not found either
    url = f"/units/{world.unit_a.pk}/manage/users/{world.staff_b.pk}/"
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    world.staff_b.refresh_from_db()
    assert world.staff_b.is_active


def test_leader_adds_a_department_and_a_user_and_sees_the_password_once(world: World) -> None:
    client = _client(world.leader_a)
    url = f"/units/{world.unit_a.pk}/manage/"
    response = client.post(url, {"action": "department", "dept-name": "财务股"})
    assert response.status_code == 302
    assert Unit.objects.filter(name="财务股", parent=world.unit_a).exists()
    response = client.post(
        url, {"action": "user", "user-username": "wangwu", "user-full_name": "王五", "user-role": "staff"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'id="shown-password">([^<]+)<', response.content.decode())
    assert match is not None
    user = User.objects.get(username="wangwu")
    assert user.check_password(match.group(1))
    # not in the session or a message: the next page does not show it
    assert match.group(1) not in client.get(url).content.decode()


def test_a_weak_password_is_an_error_beside_the_field(world: World) -> None:
    response = _client(world.leader_a).post(
        f"/units/{world.unit_a.pk}/manage/",
        {"action": "user", "user-username": "wangwu", "user-role": "staff", "user-password": "123"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="password-errors"' in html
    assert "密码太短" in html
    assert not User.objects.filter(username="wangwu").exists()


def test_leader_resets_a_password_sets_a_role_and_deactivates(world: World) -> None:
    client = _client(world.leader_a)
    url = f"/units/{world.dept_a.pk}/manage/users/{world.staff_a.pk}/"
    response = client.post(url, {"action": "password", "password": ""})
    match = re.search(r'id="shown-password">([^<]+)<', response.content.decode())
    assert match is not None
    world.staff_a.refresh_from_db()
    assert world.staff_a.check_password(match.group(1))
    assert client.post(url, {"action": "role", "role": "leader"}).status_code == 302
    assert Membership.objects.get(user=world.staff_a).role == Role.LEADER
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    world.staff_a.refresh_from_db()
    assert not world.staff_a.is_active
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "reset_password",
        "set_role",
        "deactivate_user",
    ]
    assert "停用账号" in client.get(f"/units/{world.dept_a.pk}/manage/").content.decode()


def test_the_template_downloads(world: World) -> None:
    response = _client(world.leader_a).get("/org/template.xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def _upload(client: Client, data: bytes) -> Any:
    return client.post("/org/import/", {"file": SimpleUploadedFile("组织.xlsx", data)})


def _state() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_dry_run_writes_nothing_then_confirm_imports_and_offers_the_passwords(world: World) -> None:
    client = _client(world.supervisor)
    before = _state()
    response = _upload(client, xlsx(UNITS, USERS))
    assert response.status_code == 200
    html = response.content.decode()
    assert "试导入结果（未写入）" in html
    assert "临江区/区民政局" in html
    assert _state() == before
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html)
    assert sha is not None
    done = client.post("/org/import/", {"confirm": "1", "sha256": sha.group(1), "name": "组织.xlsx"})
    assert done.status_code == 200
    assert done["Cache-Control"] == "no-store"
    page = done.content.decode()
    assert Unit.objects.filter(name="区民政局").exists()
    assert "系统生成的初始密码（1个，只显示这一次）" in page
    assert 'download="初始密码.xlsx" href="data:application/vnd.openxmlformats' in page
    assert AuditEvent.objects.filter(action="import_organisation").count() == 1
    # the staged upload is gone: confirming again imports nothing
    again = client.post("/org/import/", {"confirm": "1", "sha256": sha.group(1), "name": "组织.xlsx"})
    assert again.status_code == 400
    assert "已过期或已导入" in again.content.decode()


def test_import_errors_are_listed_with_sheet_row_and_column(world: World) -> None:
    client = _client(world.supervisor)
    before = _state()
    response = _upload(client, xlsx(UNITS, [("bad", "", "不存在的单位", "查看", "", "")]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "工作表“用户”第2行“单位”列：找不到单位“不存在的单位”" in html
    assert "确认导入" not in html
    assert _state() == before


def test_a_leader_cannot_open_the_import(world: World) -> None:
    assert _client(world.leader_a).get("/org/import/").status_code == 403


def test_a_template_with_a_cell_at_xfd1048576_is_refused_and_writes_nothing(world: World) -> None:
    hostile = with_cell(xlsx(UNITS, USERS), "XFD1048576")
    before = _state()
    response = _upload(_client(world.supervisor), hostile)
    assert response.status_code == 400
    html = response.content.decode()
    assert "文件过大或格式异常，已拒绝" in html
    assert "XFD1048576" in html
    assert _state() == before


def test_a_leader_is_not_offered_the_supervisor_role_and_posting_it_is_refused(world: World) -> None:
    client = _client(world.leader_a)
    url = f"/units/{world.unit_a.pk}/manage/"
    assert 'value="supervisor"' not in client.get(url).content.decode()
    response = client.post(url, {"action": "user", "user-username": "boss", "user-role": "supervisor"})
    assert response.status_code == 400
    assert not User.objects.filter(username="boss").exists()
    assert 'value="supervisor"' in _client(world.supervisor).get(url).content.decode()


def test_a_deactivated_users_open_session_ends_at_the_next_request(world: World) -> None:
    staff = _client(world.staff_a)
    assert staff.get("/tasks/").status_code == 200
    _client(world.leader_a).post(
        f"/units/{world.dept_a.pk}/manage/users/{world.staff_a.pk}/", {"action": "deactivate"}
    )
    assert staff.get("/tasks/").status_code == 302  # back to the login page
