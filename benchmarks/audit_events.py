"""Fill a fresh database with a chained 全程纪实 (for benchmarks/audit_verify.py and audit_export.py).

Events are shaped like the services' (before and after snapshots of a measure), hashed into one chain and written
in batches. Import after django.setup().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

BATCH = 5000


def fill_chain(
    events: int, actor: Any, unit_for: Callable[[int], Any], repr_for: Callable[[int], str] | None = None
) -> None:
    """Write `events` chained edit_measure events by `actor`, event `seq` in unit `unit_for(seq)`."""
    from django.db import transaction

    from zhenggai.ledger.audit_chain import CHAIN_COLUMNS, GENESIS, event_hash
    from zhenggai.ledger.models import AuditEvent

    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    previous = GENESIS
    batch: list[AuditEvent] = []
    for seq in range(1, events + 1):
        measure = seq % 5000 + 1
        event = AuditEvent(
            at=at + dt.timedelta(seconds=seq),
            actor=actor,
            action="edit_measure",
            object_type="measure",
            object_id=str(measure),
            object_repr=repr_for(seq) if repr_for else f"措施{measure}：完善接待审批制度",
            unit=unit_for(seq),
            before={"responsible_person": "张某某", "progress": seq % 100, "deadline": "2025-06-30"},
            after={
                "responsible_person": "李某某",
                "progress": seq % 100 + 1,
                "deadline": "2025-06-30",
                "version": 3,
            },
            note="",
            request_id=f"{seq:032x}",
            seq=seq,
            prev_hash=previous,
        )
        event.chain_hash = previous = event_hash(*(getattr(event, c) for c in CHAIN_COLUMNS))
        batch.append(event)
        if len(batch) == BATCH:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
