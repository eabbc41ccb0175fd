"""Writing 全程纪实: one event per service call, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from zhenggai.ledger.audit_chain import ADVISORY_LOCK_KEY, CHAIN_COLUMNS, GENESIS, event_hash
from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure, Unit
from zhenggai.ledger.tally import refresh_tally

_INF = float("inf")

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
    if isinstance(value, float) and ("e" in repr(value) or value != value or value in (_INF, -_INF)):
        # Exponent forms come back from PostgreSQL's jsonb as integers, and JSON has no NaN: keep the text.
        return repr(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _chain_head() -> tuple[int, str]:
    """(seq, hash) of the last event, with the chain locked until the transaction ends: an advisory lock on
    PostgreSQL; on SQLite the transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(ADVISORY_LOCK_KEY))
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "chain_hash").first()
    return last if last is not None else (0, GENESIS)


def append(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    unit: Unit | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside a transaction (the change's, or its own)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside a transaction")
    seq, prev_hash = _chain_head()
    # Through JSON and back: the hash covers exactly what the database returns.
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        unit=unit,
        before=json.loads(json.dumps(jsonable(before))) if before is not None else None,
        after=json.loads(json.dumps(jsonable(after))) if after is not None else None,
        note=note,
        request_id=current_request_id.get(),
        seq=seq + 1,
        prev_hash=prev_hash,
    )
    event.chain_hash = event_hash(*(getattr(event, column) for column in CHAIN_COLUMNS))
    event.save(force_insert=True)
    return event


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
    event = append(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        unit=unit,
        before=before,
        after=after,
        note=note,
    )
    # Every state change passes here, so this is where the overview's stored figures are kept current.
    inspection_id = obj.pk if isinstance(obj, Inspection) else getattr(obj, "inspection_id", None)
    if isinstance(inspection_id, int):
        refresh_tally(inspection_id)
    return event
