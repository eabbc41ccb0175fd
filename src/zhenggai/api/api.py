"""The NinjaAPI object: authentication, rate limit, problem details, and the routers."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from zhenggai.api import problems
from zhenggai.api.auth import BrowserSession, PerToken, TokenAuth
from zhenggai.api.parsing import NulRefusingParser
from zhenggai.api.routes import documents, ledger, reviews, supervision

DESCRIPTION = """巡察整改管理系统的接口。与页面使用同一套数据范围（只能看到本人所在单位及下级单位的数据）和同一套业务规则。

认证：在“个人设置 → API 令牌”中创建令牌，请求时带上 `Authorization: Bearer <令牌>`；
浏览器中已登录时也可直接调用（写操作须带 `X-CSRFToken` 请求头）。

错误按 RFC 9457 返回 `application/problem+json`，`detail` 为中文说明。"""

# Statuses every operation may answer with a problem document, beside its own success responses.
PROBLEM_STATUSES = {
    "400": "请求有误",
    "401": "未登录或令牌无效、过期、已吊销",
    "403": "没有权限（含只读令牌的写操作、跨站请求校验失败）",
    "404": "对象不存在，或不在您的数据范围内",
    "409": "业务状态不允许（如已销号的措施不能报送进展）",
    "413": "请求过大",
    "422": "参数缺失或格式不正确",
    "429": "请求过于频繁",
}


class ZhenggaiApi(NinjaAPI):
    """Adds the problem responses (RFC 9457) to every operation of the schema."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = problems.Problem.model_json_schema()
        ref = {"$ref": "#/components/schemas/Problem"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in PROBLEM_STATUSES.items():
                    responses.setdefault(
                        status, {"description": description, "content": {problems.PROBLEM: {"schema": ref}}}
                    )
        return schema


api = ZhenggaiApi(
    title="巡察整改管理系统 API",
    version="1.0.0",
    description=DESCRIPTION,
    auth=[TokenAuth(), BrowserSession()],
    throttle=[PerToken()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
    parser=NulRefusingParser(),
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
