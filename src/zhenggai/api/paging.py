"""Cursor pagination: pages follow the id order; the cursor is the last id seen, opaque to clients."""

from __future__ import annotations

import base64
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from zhenggai.api.problems import ApiError

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        raise ApiError(422, "翻页游标无效，请使用上一页响应中的 next_cursor。") from None
    if value < 0:
        raise ApiError(422, "翻页游标无效，请使用上一页响应中的 next_cursor。")
    return value


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def page(queryset: QuerySet[M], cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of `queryset` after `cursor`, in id order, and the cursor of the next page (None at the end)."""
    after = decode(cursor)
    rows: list[Any] = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode(rows[-1].pk) if more and rows else None
