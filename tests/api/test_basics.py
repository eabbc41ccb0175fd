"""The API's frame: schema, docs from our own server, authentication, tokens' lifecycle, problem details."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from tests.api.conftest import api_as
from tests.conftest import World
from zhenggai.api.models import ApiToken, TokenScope
from zhenggai.api.tokens import create_token, revoke_token
from zhenggai.ledger.models import AuditEvent


@pytest.mark.django_db
def test_openapi_schema_is_served_and_lists_the_resources() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/measures", "/api/v1/inspections/{inspection_id}/stats", "/api/v1/signoffs"):
        assert path in schema["paths"]


@pytest.mark.django_db
def test_docs_load_only_assets_of_our_own_server() -> None:
    page = Client().get("/api/v1/docs").content.decode()
    links = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert any("swagger-ui-bundle.js" in link for link in links)
    assert all(link.startswith("/") for link in links), links
    assert "cdn" not in page.lower()
    for link in links:
        assert Client().get(link).status_code == 200, link


def test_no_credentials_is_401_problem_in_chinese(world: World) -> None:
    response = Client().get("/api/v1/measures")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert "令牌" in body["detail"]


def test_token_is_stored_hashed_and_shown_once(world: World) -> None:
    token, secret = create_token(by=world.leader_a, name="数据平台", scope=TokenScope.READ, days=30)
    assert secret.startswith("zg_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix, stored.name)
    assert AuditEvent.objects.filter(action="create_api_token", actor=world.leader_a).count() == 1


def test_valid_token_reads_and_records_last_use(world: World) -> None:
    token, secret = create_token(by=world.leader_a, name="平台", scope=TokenScope.READ, days=30)
    client = Client()
    response = client.get("/api/v1/measures", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["items"]] == [world.measure_a.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_401(world: World) -> None:
    token, secret = create_token(by=world.leader_a, name="平台", scope=TokenScope.READ, days=30)
    revoke_token(by=world.leader_a, token=token)
    response = Client().get("/api/v1/measures", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="revoke_api_token").count() == 1


def test_expired_token_is_401(world: World) -> None:
    _, secret = create_token(by=world.leader_a, name="平台", scope=TokenScope.READ, days=1)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=2)):
        response = Client().get("/api/v1/measures", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_token_of_a_deactivated_user_is_401(world: World) -> None:
    _, secret = create_token(by=world.leader_a, name="平台", scope=TokenScope.READ, days=30)
    world.leader_a.is_active = False
    world.leader_a.save()
    response = Client().get("/api/v1/measures", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_read_only_token_cannot_write(world: World) -> None:
    client = api_as(world.staff_a, TokenScope.READ)
    response = client.post(f"/measures/{world.measure_a.pk}/signoffs", {"note": "完成"}, json=True)
    assert response.status_code == 403
    assert "只读" in response.json()["detail"]


def test_users_cannot_revoke_each_others_tokens(world: World) -> None:
    from zhenggai.ledger.errors import NotPermitted

    token, _ = create_token(by=world.leader_a, name="平台", scope=TokenScope.READ, days=30)
    with pytest.raises(NotPermitted):
        revoke_token(by=world.leader_b, token=token)


def test_browser_session_reads_and_needs_csrf_to_write(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff_a)
    assert client.get("/api/v1/measures").status_code == 200
    response = client.post(
        f"/api/v1/measures/{world.measure_a.pk}/signoffs", {"note": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "跨站" in response.json()["detail"]


def test_rate_limit_per_token_answers_429(world: World, settings: object) -> None:
    from django.core.cache import cache

    cache.clear()
    setattr(settings, "API_RATE_PER_MINUTE", 3)  # noqa: B010
    client = api_as(world.leader_a, TokenScope.READ)
    other = api_as(world.leader_a, TokenScope.READ)
    codes = [client.get("/units").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert other.get("/units").status_code == 200  # the limit is per token
    response = client.get("/units")
    assert response["Content-Type"] == "application/problem+json"
    assert "频繁" in response.json()["detail"]
    cache.clear()


def test_lifecycle_error_is_a_chinese_problem(world: World) -> None:
    client = api_as(world.staff_a)
    # The measure is a draft with no report: signing off at 0 % is refused by the rules.
    response = client.post(f"/measures/{world.measure_a.pk}/signoffs", {"note": "完成"}, json=True)
    assert response.status_code in (409, 422)
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert re.search(r"[\u4e00-\u9fff]", body["detail"])


def test_bad_parameter_is_a_422_problem(world: World) -> None:
    response = api_as(world.leader_a).get("/measures", deadline_from="not-a-date")
    assert response.status_code == 422
    assert "deadline_from" in response.json()["detail"]


def test_token_page_creates_shows_once_and_revokes(world: World) -> None:
    client = Client()
    client.force_login(world.leader_a)
    page = client.post("/accounts/tokens/", {"name": "督查系统", "scope": "read", "days": "30"})
    assert page.status_code == 200
    secret = re.search(r"zg_[A-Za-z0-9_-]+", page.content.decode())
    assert secret is not None
    listing = client.get("/accounts/tokens/").content.decode()
    assert "督查系统" in listing
    assert secret.group(0) not in listing
    token = ApiToken.objects.get(user=world.leader_a)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        Client().get("/api/v1/units", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code
        == 401
    )


def test_token_page_refuses_bad_values_in_chinese(world: World) -> None:
    client = Client()
    client.force_login(world.leader_a)
    page = client.post("/accounts/tokens/", {"name": "", "scope": "read", "days": "9999"})
    assert page.status_code == 400
    assert "errorlist" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_other_users_token_cannot_be_revoked_through_the_page(world: World) -> None:
    token, _ = create_token(by=world.leader_b, name="平台", scope=TokenScope.READ, days=30)
    client = Client()
    client.force_login(world.leader_a)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
