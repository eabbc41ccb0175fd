"""Sign-in with the unit's OpenID Connect 统一身份认证 (mozilla-django-oidc, authorization code flow).

Configured by environment (docs/运维手册.md): the issuer (its endpoints are read from its discovery document
at the first sign-in, unless given one by one), the client id and secret, the claims that carry the account
name, the display name and the groups. Users are created at their first login and given units and roles by
ZHENGGAI_DIRECTORY_RULES, as for LDAP: a "group" rule matches a value of the groups claim, an
"attribute"/"value" rule a claim's value (or one of its values when the claim is a list):

    [{"group": "wenlv-leaders", "unit": "区文旅局", "role": "leader"},
     {"attribute": "department", "value": "wl-bgs", "unit": "文旅局办公室", "role": "staff"}]

mozilla-django-oidc checks the id_token's signature (RS256 against the provider's JWKS) and its nonce; we
also check its issuer and audience.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from functools import cache
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from zhenggai.directory import apply_rules, parse_rules

logger = logging.getLogger(__name__)

# mozilla-django-oidc setting → the discovery document's field (OpenID Connect Discovery 1.0).
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


@cache
def discovery(issuer: str) -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, read once per process."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            document: dict[str, Any] = json.loads(response.read())
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"OIDC discovery at {url} failed: {error}") from None
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint not set is taken from the issuer's discovery document."""
    value = getattr(settings, attr, "")
    if attr in DISCOVERED and not value and settings.ZHENGGAI_OIDC_ISSUER:
        found = discovery(settings.ZHENGGAI_OIDC_ISSUER).get(DISCOVERED[attr], "")
        if found:
            return found
    return import_from_settings(attr, *default)


def _values(claim: Any) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim]
    return [str(claim)]


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Matches users by the account-name claim; keeps rule-given roles in step at every login.

    Django builds every backend for each password login and each request's session user: the provider's
    endpoints are looked up only when a sign-in with a code actually comes back from it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User
        self._configured = False

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not enabled() or "code" not in request.GET or "state" not in request.GET:
            return None
        if not self._configured:
            super().__init__()
            self._configured = True
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, ImproperlyConfigured, requests.RequestException) as error:
            # A bad or foreign token, or the provider unreachable: the login page says it did not work.
            logger.warning("OIDC sign-in refused: %s", error)
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any] | None:
        payload: dict[str, Any] | None = super().verify_token(token, **kwargs)
        if payload is None:
            return None
        issuer = settings.ZHENGGAI_OIDC_ISSUER
        if issuer and payload.get("iss", "").rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("id_token from another issuer")
        if settings.OIDC_RP_CLIENT_ID not in _values(payload.get("aud")):
            raise SuspiciousOperation("id_token for another client")
        return payload

    def _username(self, claims: dict[str, Any]) -> str:
        return str(claims.get(settings.ZHENGGAI_OIDC_USERNAME_CLAIM) or "").strip()[:150]

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(username=self._username(claims))

    def create_user(self, claims: dict[str, Any]) -> User:
        user = User(username=self._username(claims))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        name = str(claims.get(settings.ZHENGGAI_OIDC_NAME_CLAIM) or "")[:150]
        email = str(claims.get("email") or "")[:254]
        if user.pk is None or (name and name != user.first_name) or (email and email != user.email):
            user.first_name = name or user.first_name
            user.email = email or user.email
            user.save()
        groups = set(_values(claims.get(settings.ZHENGGAI_OIDC_GROUPS_CLAIM)))
        attributes = {str(k).lower(): _values(v) for k, v in claims.items()}
        apply_rules(user, groups, attributes, parse_rules(settings.ZHENGGAI_DIRECTORY_RULES))
        return user


class OIDCStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider's authorization endpoint (back to the login page when the provider
    cannot be reached for its discovery document)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.unavailable = False
        try:
            super().__init__(*args, **kwargs)
        except ImproperlyConfigured:
            self.unavailable = True

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return HttpResponseRedirect(reverse("login"))
        if self.unavailable:
            return HttpResponseRedirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        response: HttpResponse = super().get(request)
        return response

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)


class OIDCCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider sends the browser back here with a code; a failure returns to the login page."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)
