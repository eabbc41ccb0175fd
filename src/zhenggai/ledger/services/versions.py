"""No lost updates: every change raises the row's version, and an edit made on an older version is refused.

Measures, findings and inspections carry a `version`. The services that change such a row call `bump` under
the row lock; the edit services take the version the user saw (`expected_version`) and call `check_version`,
which raises `Conflict` naming who changed the row, when, and what changed since (from the audit events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from zhenggai.ledger.errors import Conflict
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure, Unit

Versioned = Measure | Finding | Inspection

NOUNS = {"measure": "措施", "finding": "问题", "inspection": "巡察"}
_RECENT_EVENTS = 50  # the events looked at to explain a conflict
_SHOWN_CHARS = 60


def bump(obj: Versioned) -> None:
    """Raise the version of a row the caller holds locked; the caller saves it (with "version")."""
    obj.version += 1


def check_version(obj: Versioned, expected: int | None) -> None:
    """Refuse the edit when the locked row `obj` is no longer at the version the user saw."""
    if expected is not None and obj.version != expected:
        raise conflict(obj, since_version=expected)


def conflict(obj: Versioned, *, since_version: int) -> Conflict:
    events = list(
        AuditEvent.objects.for_object(obj).select_related("actor").order_by("-at", "-id")[:_RECENT_EVENTS]
    )
    newer = [event for event in reversed(events) if _version_after(event) > since_version]
    latest = newer[-1] if newer else (events[0] if events else None)
    noun = NOUNS[obj._meta.model_name or ""]
    who = f"（{when_text(latest.at)}，{person(latest.actor)}）" if latest is not None else ""
    return Conflict(f"该{noun}已被他人修改{who}，请刷新后重试", changes_in(type(obj), newer))


def when_text(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def person(user: User | None) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


def _version_after(event: AuditEvent) -> int:
    after = event.after if isinstance(event.after, dict) else {}
    version = after.get("version")
    return version if isinstance(version, int) else 0


def changes_in(model: type[models.Model], events: list[AuditEvent]) -> list[tuple[str, str, str]]:
    """(field label, before, after) per field the events changed, first value before → last value after."""
    spans: dict[str, list[Any]] = {}
    for event in events:
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        for name, new in after.items():
            if name == "version" or name not in before or before[name] == new:
                continue
            if name in spans:
                spans[name][1] = new
            else:
                spans[name] = [before[name], new]
    units = _unit_names(spans)
    shown = []
    for name, (old, new) in spans.items():
        field = _field(model, name)
        if field is None or old == new:
            continue
        shown.append((str(field.verbose_name), _show(field, old, units), _show(field, new, units)))
    return shown


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:  # a key of the event that names no field (report, signoff, …)
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _unit_names(spans: dict[str, list[Any]]) -> dict[int, str]:
    ids: set[int] = set()
    for name, values in spans.items():
        if name in ("lead_department_id", "lead_department", "cooperating_departments"):
            for value in values:
                ids.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _show(field: models.Field[Any, Any], value: Any, units: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if field.is_relation:
        values = value if isinstance(value, list) else [value]
        return "、".join(units.get(v, str(v)) for v in values) or "（空）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
        return f"{day.year}年{day.month}月{day.day}日"
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


# Keys of an event that name no model field but mean something to a reader.
_EXTRA_LABELS = {"reason": "理由", "new_deadline": "申请延至", "note": "说明"}


def event_changes(
    model: type[models.Model] | None, events: list[AuditEvent]
) -> list[list[tuple[str, str, str]]]:
    """Per event: (field label, before, after) for each field it set or changed, with one query for the unit
    names of the whole list (the 全程纪实 page shows a page of events in a fixed number of queries)."""
    spans: dict[str, list[Any]] = {}
    for event in events:
        for side in (event.before, event.after):
            if isinstance(side, dict):
                for name, value in side.items():
                    spans.setdefault(name, []).append(value)
    units = _unit_names(spans)
    shown: list[list[tuple[str, str, str]]] = []
    for event in events:
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        rows = []
        for name in [*after, *(n for n in before if n not in after)]:
            if name == "version" or (name in before and name in after and before[name] == after[name]):
                continue
            field = _field(model, name) if model is not None else None
            if field is not None:
                old = _show(field, before[name], units) if name in before else "（无）"
                new = _show(field, after[name], units) if name in after else "（删除）"
                rows.append((str(field.verbose_name), old, new))
            elif name in _EXTRA_LABELS and name in after:
                rows.append((_EXTRA_LABELS[name], "", str(after[name])[:_SHOWN_CHARS]))
        shown.append(rows)
    return shown
