"""`zhenggai audit verify` over a long 全程纪实 chain (a script, not a test).

    .venv/bin/python benchmarks/audit_verify.py                   # 1,000,000 events, SQLite
    .venv/bin/python benchmarks/audit_verify.py --events 100000
    scripts/with-postgres .venv/bin/python benchmarks/audit_verify.py   # on PostgreSQL (DATABASE_URL)

Fills a fresh database in a temporary data directory with chained events shaped like the services' (before and
after snapshots of a measure), then times the walk, which streams the rows in chunks. Prints the rows per
second. Goal: 1,000,000 events verified in under 120 seconds. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

GOAL_SECONDS = 120.0
_BATCH = 5000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-audit-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhenggai.ledger.audit_chain import CHAIN_COLUMNS, GENESIS, event_hash
    from zhenggai.ledger.audit_export import verify_chain
    from zhenggai.ledger.choices import UnitKind
    from zhenggai.ledger.models import AuditEvent, Unit

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-audit", password="Bench-pass-123")
    unit = Unit(name="测试区", kind=UnitKind.REGION)
    unit.save()

    start = time.perf_counter()
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    previous = GENESIS
    batch: list[AuditEvent] = []
    for seq in range(1, args.events + 1):
        event = AuditEvent(
            at=at + dt.timedelta(seconds=seq),
            actor=user,
            action="edit_measure",
            object_type="measure",
            object_id=str(seq % 5000 + 1),
            object_repr=f"措施{seq % 5000 + 1}：完善接待审批制度",
            unit=unit,
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
        if len(batch) == _BATCH:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    print(f"filled {args.events} events in {time.perf_counter() - start:.1f} s ({connection.vendor})")

    start = time.perf_counter()
    verdict = verify_chain()
    seconds = time.perf_counter() - start
    assert verdict.broken is None, verdict
    assert verdict.count == args.events, verdict
    ok = seconds <= GOAL_SECONDS * args.events / 1_000_000
    print(
        f"verify    {seconds:6.1f} s  {args.events / seconds:,.0f} events/s  "
        f"(goal {GOAL_SECONDS:.0f} s per 1,000,000, {'ok' if ok else 'MISSED'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
