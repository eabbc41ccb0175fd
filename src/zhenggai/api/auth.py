"""Who calls: a personal API token (Authorization: Bearer zg_…) or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from zhenggai.api.models import ApiToken
from zhenggai.api.problems import ApiError
from zhenggai.api.tokens import authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = authenticate(token)
        if found is None:
            return None
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class BrowserSession(SessionAuth):
    """Same-site calls from our pages; unsafe methods need the CSRF token (X-CSRFToken)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_active else None


class PerToken(SimpleRateThrottle):
    """N requests a minute per token (per user for browser sessions), ZHENGGAI_API_RATE."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__(f"{settings.API_RATE_PER_MINUTE}/m")

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate per request: settings may change (tests), parsing is cheap.
        self.rate = f"{settings.API_RATE_PER_MINUTE}/m"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token: ApiToken | None = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


def caller(request: HttpRequest) -> User:
    user: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def writer(request: HttpRequest) -> User:
    """The caller of a write: a read-only token is refused."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise ApiError(403, f"令牌“{token.name}”为只读，不能修改数据。")
    return caller(request)
