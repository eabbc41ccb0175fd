"""Errors as RFC 9457 problem details (application/problem+json), with our Chinese message in `detail`."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from zhenggai.ledger.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotPermitted

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

TITLES = {
    400: "请求有误",
    401: "未登录或令牌无效",
    403: "没有权限",
    404: "未找到",
    405: "不支持的请求方法",
    409: "状态冲突",
    413: "请求过大",
    422: "参数不正确",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None


class ApiError(HttpError):
    """An error an endpoint raises itself, with our message."""


def problem(status: int, detail: str, **extra: Any) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "请求有误"),
        "status": status,
        "detail": detail,
    }
    body |= {key: value for key, value in extra.items() if value is not None}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)


_LOCATIONS = {"query": "查询参数", "path": "路径参数", "body": "请求体", "form": "表单", "file": "文件"}


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        where = _LOCATIONS.get(loc[0], loc[0]) if loc else ""
        fields.append(f"{where} {'.'.join(loc[1:])}".strip())
    detail = "以下参数缺失或格式不正确：" + "、".join(fields) + "。" if fields else "请求参数不正确。"
    return problem(422, detail, field=fields[0] if fields else None)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        response = problem(429, "请求过于频繁，请稍后再试。")
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response
    if isinstance(exc, AuthenticationError):
        return problem(401, "需要有效的 API 令牌（Authorization: Bearer …），或在浏览器中登录。")
    if isinstance(exc.__cause__, ApiError):
        # ninja turns any error of the body parser into its own English 400; ours keeps its status and message.
        return problem(exc.__cause__.status_code, str(exc.__cause__))
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return problem(400, "请求体无法解析：应为 UTF-8 编码的 JSON。")
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":
        return problem(403, "跨站请求校验失败：浏览器调用须带 X-CSRFToken 请求头，请刷新页面后重试。")
    return problem(exc.status_code, str(exc))


def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotPermitted):
        return problem(403, exc.message)
    if isinstance(exc, InvalidInput):
        return problem(422, exc.message, field=exc.field)
    if isinstance(exc, InvalidTransition | Conflict):
        return problem(409, exc.message)
    return problem(400, exc.message)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "未找到该对象，或您无权查看。")


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "服务器内部错误，请联系管理员（附上响应头中的 X-Request-ID）。")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, _server_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _not_found)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, _http_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, _validation)  # type: ignore[arg-type]
    api.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
