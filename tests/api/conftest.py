"""API test helpers: a token per actor, and a client that sends it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhenggai.api.models import TokenScope
from zhenggai.api.tokens import create_token


class ApiClient:
    """Django's test client with a bearer token on every call."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        if "content_type" not in kwargs and not isinstance(data, dict | type(None)):
            kwargs["content_type"] = "application/json"
        if kwargs.pop("json", False):
            kwargs["content_type"] = "application/json"
        return self.client.post("/api/v1" + path, data, headers=self.headers, **kwargs)


def api_as(user: Any, scope: str = TokenScope.READ_WRITE) -> ApiClient:
    _, secret = create_token(by=user, name="测试", scope=scope, days=30)
    return ApiClient(secret)


@pytest.fixture
def api_client_for() -> Any:
    return api_as
