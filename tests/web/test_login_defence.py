"""等保 身份鉴别: lockout after 5 failures, the password policy, the forced change of a password set by others."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from tests.factories import UnitFactory
from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import AuditEvent
from zhenggai.ledger.services.organisation import add_user, generate_password

PASSWORD = "Qingchuan-2025"


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user("wangwu", password=PASSWORD, first_name="王五")


def _post(client: Client, password: str) -> Any:
    return client.post("/accounts/login/", {"username": "wangwu", "password": password})


def test_six_wrong_passwords_lock_the_account_with_a_chinese_message_and_audit_events(person: User) -> None:
    client = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(4):
        assert _post(client, "wrong-Password-1").status_code == 200
    # the fifth failure locks the account; the sixth attempt is refused without checking the password
    assert _post(client, "wrong-Password-1").status_code == 429
    locked = _post(client, "wrong-Password-1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多，账号已临时锁定，请 15 分钟后再试" in page
    # the right password is refused while locked
    assert _post(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(action="login_failed", object_id=str(person.pk))
    assert failures.count() >= 5
    lockout = AuditEvent.objects.filter(action="lockout").first()
    assert lockout is not None
    assert "wangwu" in lockout.note
    assert "IP 10.0.0.8" in lockout.note
    assert not AuditEvent.objects.filter(action="login").exists()


def test_unlocking_by_command_lets_the_user_in_and_is_audited(person: User) -> None:
    client = Client()
    for _ in range(6):
        _post(client, "wrong-Password-1")
    assert _post(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "wangwu", stdout=__import__("io").StringIO())
    assert AuditEvent.objects.filter(action="unlock", object_id=str(person.pk)).exists()
    assert _post(client, PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(person: User) -> None:
    client = Client()
    for _ in range(4):
        _post(client, "wrong-Password-1")
    assert _post(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="wangwu", failures_since_start__gte=1).exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("lingdao123", "至少 3 类"),
        ("Ab1", "至少要有 8 个字符"),
        ("Wangwu-2025", "不能与用户名"),
        ("Password1", "太常见"),
    ],
)
def test_the_password_policy_refuses_weak_passwords_in_chinese(
    person: User, password: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, person)
    assert message in "".join(refused.value.messages)


def test_generated_passwords_pass_the_policy(person: User) -> None:
    for _ in range(20):
        password_validation.validate_password(generate_password(), person)


def test_a_generated_password_must_be_changed_at_the_first_login(db: Any) -> None:
    unit = UnitFactory(name="区文旅局")
    supervisor = User.objects.create_superuser("root", password="Root-pass-2025")
    _, initial = add_user(unit, username="zhaoliu", full_name="赵六", role=Role.STAFF, by=supervisor)
    client = Client()
    response = client.post("/accounts/login/", {"username": "zhaoliu", "password": initial})
    assert response.status_code == 302
    assert client.get("/tasks/")["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "您的密码由他人设置" in page
    changed = client.post(
        "/accounts/password/",
        {"old_password": initial, "new_password1": "Qc-Kaohe-2025#", "new_password2": "Qc-Kaohe-2025#"},
    )
    assert changed.status_code == 302
    assert client.get("/tasks/").status_code == 200
