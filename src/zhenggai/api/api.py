"""The NinjaAPI object: authentication, rate limit, problem details, and the routers."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Swagger

from zhenggai.api import problems
from zhenggai.api.auth import BrowserSession, PerToken, TokenAuth
from zhenggai.api.routes import documents, ledger, reviews, supervision

DESCRIPTION = """巡察整改管理系统的接口。与页面使用同一套数据范围（只能看到本人所在单位及下级单位的数据）和同一套业务规则。

认证：在“个人设置 → API 令牌”中创建令牌，请求时带上 `Authorization: Bearer <令牌>`；
浏览器中已登录时也可直接调用（写操作须带 `X-CSRFToken` 请求头）。

错误按 RFC 9457 返回 `application/problem+json`，`detail` 为中文说明。"""

api = NinjaAPI(
    title="巡察整改管理系统 API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=[TokenAuth(), BrowserSession()],
    throttle=[PerToken()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
problems.install(api)
api.add_router("", ledger.router)
api.add_router("", reviews.router)
api.add_router("", supervision.router)
api.add_router("", documents.router)


def urlpatterns() -> list[URLPattern | URLResolver]:
    """The API's URLs, exempt from the site's login redirect (the API answers 401 itself)."""
    patterns: list[Any] = api.urls[0]
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns
