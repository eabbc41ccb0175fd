"""Writing 全程纪实: one event per service call, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction

from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure, Unit
from zhenggai.ledger.tally import refresh_tally

MEASURE_FIELDS = (
    "code",
    "text",
    "kind",
    "responsible_leader",
    "lead_department_id",
    "responsible_person",
    "start_date",
    "deadline",
    "status",
    "progress",
    "completed_date",
)


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in fields}


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    unit: Unit | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Write the audit event for a state change, and refresh the figures of the inspection it touched.
    Must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the state change's transaction")
    if after is not None and isinstance(obj, Measure | Finding | Inspection):
        # The version the change left the row at: a stale edit is explained by the events after its version.
        after = after | {"version": obj.version}
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        unit=unit,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        note=note,
        request_id=current_request_id.get(),
    )
    # Every state change passes here, so this is where the overview's stored figures are kept current.
    inspection_id = obj.pk if isinstance(obj, Inspection) else getattr(obj, "inspection_id", None)
    if isinstance(inspection_id, int):
        refresh_tally(inspection_id)
    return event
