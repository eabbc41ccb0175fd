"""Refuse a request whose body is larger than the total allowed, before anything reads it.

The per-file limit (EVIDENCE_MAX_BYTES) is checked once a file has arrived; this one bounds what a single
request may make the server receive at all (into memory or temporary files). Django's WSGI request reads at
most Content-Length bytes of the body (none when the header is missing), so checking the header is enough:
a body longer than it is never read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

MB = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def too_large_message(size: int, limit: int) -> str:
    return (
        f"上传内容过大（{_megabytes(size)} MB），超过单次提交上限 {_megabytes(limit)} MB，未予接收。"
        "请减少一次提交的文件，或分几次上传。"
    )


class RequestSizeLimitMiddleware:
    """HTTP 413 with a Chinese page (JSON for API clients) when Content-Length exceeds MAX_REQUEST_BYTES.

    Placed before every middleware that reads the body (CSRF reads POST)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.MAX_REQUEST_BYTES)
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:  # Django reads no body for a malformed length
            size = 0
        if size <= limit:
            return self.get_response(request)
        message = too_large_message(size, limit)
        response: HttpResponse
        if "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"detail": message}, status=413)
        else:
            response = HttpResponse(render_to_string("413.html", {"message": message}), status=413)
        # The unread body stays on the socket: the connection cannot be reused.
        response["Connection"] = "close"
        return response


RENEWED_KEY = "_zg_renewed"  # when the session's idle timeout was last pushed forward (epoch seconds)


def mark_renewed(session: Any) -> None:
    session[RENEWED_KEY] = int(time.time())


class SessionRenewalMiddleware:
    """Keep the idle timeout (SESSION_COOKIE_AGE) without writing the session on every request.

    A session is saved, with a new expiry and cookie, only when less than half its age is left; until then a
    request reads the session row and writes nothing. An idle session still ends between half the age and the
    full age after the last request that renewed it... and at most the full age after the last request at all.
    Placed after SessionMiddleware, so the renewal is marked before that middleware decides to save.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(RENEWED_KEY)
        if not isinstance(renewed, int) or now - renewed >= settings.SESSION_COOKIE_AGE // 2:
            session[RENEWED_KEY] = (
                now  # marks the session modified: SessionMiddleware saves it with a new expiry
            )
        return response


class SessionCookieGuardMiddleware:
    """Drops a session cookie that cannot be one of ours before the session store looks it up: our keys are
    lower-case letters and digits, while PostgreSQL refuses a NUL character in a query outright (a 500, where
    a forged cookie should only mean "not logged in")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = settings.SESSION_COOKIE_NAME
        value = request.COOKIES.get(name)
        if value is not None and not (value.isascii() and value.isalnum() and len(value) <= 64):
            del request.COOKIES[name]
        return self.get_response(request)
