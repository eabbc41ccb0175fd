"""统一身份认证 over OpenID Connect against a small provider served on 127.0.0.1 in the test: discovery,
an authorize endpoint that sends the browser back with a code, a token endpoint that checks the client
secret and PKCE and returns an RS256-signed id_token, JWKS and userinfo. Only the provider is ours to fake:
the sign-in goes through mozilla-django-oidc and our backend over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import World
from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import AuditEvent, Membership

CLIENT_ID = "zhenggai"
CLIENT_SECRET = "client-secret-1"


@dataclass
class Provider:
    url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)  # the next person to sign in
    audience: str = CLIENT_ID
    forge: bool = False  # sign the id_token with a key that is not in the JWKS
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk |= {"kid": "k1", "alg": "RS256", "use": "sig"}
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": state.url,
                        "authorization_endpoint": state.url + "/authorize",
                        "token_endpoint": state.url + "/token",
                        "userinfo_endpoint": state.url + "/userinfo",
                        "jwks_uri": state.url + "/jwks",
                    },
                )
            elif url.path == "/jwks":
                self._json(200, {"keys": [jwk]})
            elif url.path == "/authorize":
                assert query["client_id"] == CLIENT_ID
                assert query["response_type"] == "code"
                code = secrets.token_urlsafe(16)
                state.codes[code] = {"query": query, "claims": dict(state.claims)}
                back = (
                    query["redirect_uri"]
                    + "?"
                    + urllib.parse.urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token in state.tokens:
                    self._json(200, state.tokens[token])
                else:
                    self._json(401, {"error": "invalid_token"})
            else:
                self._json(404, {})

        def do_POST(self) -> None:
            body = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
            grant = state.codes.pop(body.get("code", ""), None)
            if grant is None or body.get("client_secret") != CLIENT_SECRET:
                state.refused.append("client or code")
                self._json(400, {"error": "invalid_grant"})
                return
            query = grant["query"]
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(body.get("code_verifier", "").encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if challenge != query.get("code_challenge") or body.get("redirect_uri") != query["redirect_uri"]:
                state.refused.append("pkce or redirect")
                self._json(400, {"error": "invalid_grant"})
                return
            now = int(time.time())
            claims = grant["claims"]
            id_token = jwt.encode(
                {
                    "iss": state.url,
                    "aud": state.audience,
                    "sub": claims["sub"],
                    "iat": now,
                    "exp": now + 300,
                    "nonce": query.get("nonce"),
                },
                other_key if state.forge else key,
                algorithm="RS256",
                headers={"kid": "k1"},
            )
            access = secrets.token_urlsafe(16)
            state.tokens[access] = claims
            self._json(200, {"access_token": access, "token_type": "Bearer", "id_token": id_token})

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def oidc(provider: Provider, settings: Any, world: World) -> Provider:
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.ZHENGGAI_OIDC_ISSUER = provider.url  # endpoints from its discovery document
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "zhenggai.oidc.OIDCBackend",
    ]
    settings.ZHENGGAI_DIRECTORY_RULES = json.dumps(
        [
            {"group": "wenlv-leaders", "unit": world.unit_a.name, "role": "leader"},
            {"attribute": "department", "value": "wl-bgs", "unit": world.dept_a.name, "role": "staff"},
        ]
    )
    provider.audience = CLIENT_ID
    provider.forge = False
    provider.claims = {
        "sub": "u-1001",
        "preferred_username": "zhangsan",
        "name": "张三",
        "email": "zhangsan@example.gov",
        "groups": ["wenlv-leaders"],
    }
    return provider


def sign_in(client: Client) -> Any:
    """Click the button, let the provider send the browser back, and land where the callback says."""
    start = client.get("/accounts/oidc/start/?next=/measures/")
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urllib.parse.urlsplit(at_provider.headers["Location"])
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}")


def test_login_page_shows_the_unified_sign_in_button(oidc: Provider) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "统一身份认证登录" in page
    assert "/accounts/oidc/start/" in page


def test_login_page_without_oidc_has_no_button(world: World) -> None:
    assert "统一身份认证登录" not in Client().get("/accounts/login/").content.decode()


def test_first_sign_in_creates_the_user_with_the_groups_role(oidc: Provider, world: World) -> None:
    client = Client()
    landed = sign_in(client)
    assert landed.status_code == 302
    assert landed["Location"] == "/measures/"
    user = User.objects.get(username="zhangsan")
    assert (user.first_name, user.email, user.has_usable_password()) == (
        "张三",
        "zhangsan@example.gov",
        False,
    )
    assert client.get("/").wsgi_request.user == user
    assert list(Membership.objects.filter(user=user).values_list("unit", "role")) == [
        (world.unit_a.pk, Role.LEADER)
    ]
    assert AuditEvent.objects.filter(action="directory_set_role").count() == 1
    sign_in(Client())  # a second sign-in changes nothing
    assert AuditEvent.objects.filter(action="directory_set_role").count() == 1
    assert User.objects.filter(username="zhangsan").count() == 1


def test_claim_rule_maps_a_department_and_follows_the_provider(oidc: Provider, world: World) -> None:
    oidc.claims = {"sub": "u-2", "preferred_username": "lisi", "name": "李四", "department": "wl-bgs"}
    sign_in(Client())
    membership = Membership.objects.get(user__username="lisi")
    assert (membership.unit, membership.role) == (world.dept_a, Role.STAFF)
    oidc.claims = {"sub": "u-2", "preferred_username": "lisi", "name": "李四", "department": "other"}
    sign_in(Client())
    assert not Membership.objects.filter(user__username="lisi").exists()
    assert AuditEvent.objects.filter(action="directory_remove_role", unit=world.dept_a).count() == 1


def test_role_given_by_hand_is_left_alone(oidc: Provider, world: World) -> None:
    user = User.objects.create(username="zhangsan")
    Membership.objects.create(user=user, unit=world.unit_a, role=Role.VIEWER)
    sign_in(Client())
    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert not AuditEvent.objects.filter(action="directory_set_role").exists()


def test_token_for_another_client_signs_nobody_in(oidc: Provider) -> None:
    oidc.audience = "another-app"
    client = Client()
    landed = sign_in(client)
    assert landed["Location"] == "/accounts/login/?oidc=failed"
    assert not User.objects.filter(username="zhangsan").exists()
    page = client.get(landed["Location"]).content.decode()
    assert "统一身份认证登录未成功" in page


def test_local_accounts_keep_working_beside_oidc(oidc: Provider, world: World) -> None:
    world.leader_a.set_password("local-pass-123")
    world.leader_a.save()
    response = Client().post("/accounts/login/", {"username": "leader_a", "password": "local-pass-123"})
    assert response.status_code == 302
    assert not oidc.refused


def test_id_token_signed_with_another_key_signs_nobody_in(oidc: Provider) -> None:
    oidc.forge = True
    landed = sign_in(Client())
    assert landed["Location"] == "/accounts/login/?oidc=failed"
    assert not User.objects.filter(username="zhangsan").exists()


def test_unreachable_provider_sends_the_button_back_to_the_login_page(oidc: Provider, settings: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings.ZHENGGAI_OIDC_ISSUER = closed
    start = Client().get("/accounts/oidc/start/")
    assert start.status_code == 302
    assert start["Location"] == "/accounts/login/?oidc=failed"


def test_deactivated_account_cannot_sign_in_through_the_provider(oidc: Provider) -> None:
    User.objects.create(username="zhangsan", is_active=False)
    client = Client()
    landed = sign_in(client)
    assert landed["Location"] == "/accounts/login/?oidc=failed"
    assert not client.get("/").wsgi_request.user.is_authenticated
