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
import os
import sys
import tempfile
import time

GOAL_SECONDS = 120.0


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
    from audit_events import fill_chain
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from zhenggai.ledger.audit_export import verify_chain
    from zhenggai.ledger.choices import UnitKind
    from zhenggai.ledger.models import Unit

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-audit", password="Bench-pass-123")
    unit = Unit(name="测试区", kind=UnitKind.REGION)
    unit.save()

    start = time.perf_counter()
    fill_chain(args.events, user, lambda seq: unit)
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
