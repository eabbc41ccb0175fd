"""Checks shared by the services; each failure is an InvalidInput with a Chinese message."""

from __future__ import annotations

import datetime as dt

from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Unit

UnitRef = Unit | int


def clean_text(value: str | None, label: str, field: str, *, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{label}不能为空。", field)
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(f"{label}不能超过{max_length}个字（现有{len(text)}个字）。", field)
    return text


def optional_text(value: str | None, label: str, field: str, *, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise InvalidInput(f"{label}不能超过{max_length}个字（现有{len(text)}个字）。", field)
    return text


def resolve_unit(ref: UnitRef | None, label: str, field: str, *, required: bool = True) -> Unit | None:
    if ref is None:
        if required:
            raise InvalidInput(f"请选择{label}。", field)
        return None
    if isinstance(ref, Unit):
        if ref.pk is None or not Unit.objects.filter(pk=ref.pk).exists():
            raise InvalidInput(f"{label}“{ref.name}”不存在。", field)
        return ref
    unit = Unit.objects.filter(pk=ref).first()
    if unit is None:
        raise InvalidInput(f"{label}不存在（编号 {ref}）。", field)
    return unit


def check_order(earlier: dt.date | None, later: dt.date | None, message: str, field: str) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise InvalidInput(message, field)


def clean_percent(value: int, field: str = "progress") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise InvalidInput("进度应为0到100之间的整数。", field)
    return value
