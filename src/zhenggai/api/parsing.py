"""Request parsing that refuses a NUL character before it can reach the database.

PostgreSQL cannot store U+0000 in text: psycopg raises DataError and the request ended as a 500 (SQLite stores it
silently). The pages are safe because Django's form fields refuse it (ProhibitNullCharactersValidator); the API's
inputs are pydantic models, so every query parameter, form field, uploaded file name and JSON string is checked
here, once, whatever the endpoint.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from zhenggai.api.problems import ApiError

NUL = "\x00"


class NulRefused(ApiError):
    """A parameter holds U+0000; answered as a 422 problem."""

    def __init__(self, name: str | None) -> None:
        where = f"参数 {name} " if name else "请求体"
        super().__init__(422, f"{where}含有空字符（U+0000），请删除后重试。")


def _holds_nul(value: Any) -> bool:
    """Whether `value` (decoded JSON: str, list, dict, numbers) holds a NUL in any string, key or item."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class NulRefusingParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if isinstance(data, dict):
            for key, value in data.items():
                if _holds_nul(key) or _holds_nul(value):
                    raise NulRefused(key.replace(NUL, "") or None)
        elif _holds_nul(data):
            raise NulRefused(None)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            for value in values:
                text = value if isinstance(value, str) else getattr(value, "name", "") or ""
                if NUL in key or NUL in text:
                    raise NulRefused(key.replace(NUL, "") or None)
        return super().parse_querydict(data, list_fields, request)
