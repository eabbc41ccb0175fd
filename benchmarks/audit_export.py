"""The 全程纪实查询 page's export (`/audit/export.xlsx|.csv`) over a long chain (a script, not a test).

    .venv/bin/python benchmarks/audit_export.py                    # 100,000 events (the cap), SQLite
    .venv/bin/python benchmarks/audit_export.py --events 20000
    scripts/with-postgres .venv/bin/python benchmarks/audit_export.py   # on PostgreSQL (DATABASE_URL)

Fills a fresh database in a temporary data directory with chained events shaped like the services' (before and
after snapshots of a measure; every other one in a unit outside the supervisor's district), then downloads the
search “操作：修改措施” as the security auditor (every event: the cap) and as a supervisor (half), each as .xlsx and .csv,
through the Django test client, reading the body to the end. Prints wall and CPU seconds, rows, file size and
the process's peak resident memory after each download (it must stay far below the file's rows held twice).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-audit-export-")
    os.environ["ZHENGGAI_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django

    django.setup()
    from audit_events import fill_chain

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from zhenggai.ledger.choices import Role, UnitKind
    from zhenggai.ledger.duties import SECURITY_AUDITOR, ensure_system_roles
    from zhenggai.ledger.models import AuditEvent, Membership, Unit

    call_command("migrate", verbosity=0)
    ensure_system_roles()
    actor = User.objects.create_user("bench-actor", password="Bench-pass-123")
    district = Unit.objects.create(name="测试区", kind=UnitKind.REGION)
    inside = Unit.objects.create(name="测试区文旅局", kind=UnitKind.ORGAN, parent=district)
    outside = Unit.objects.create(name="外区", kind=UnitKind.REGION)
    supervisor = User.objects.create_user("bench-supervisor", password="Bench-pass-123")
    Membership.objects.create(user=supervisor, unit=district, role=Role.SUPERVISOR)
    auditor = User.objects.create_user("bench-auditor", password="Bench-pass-123", is_staff=True)
    auditor.groups.add(Group.objects.get(name=SECURITY_AUDITOR))

    start = time.perf_counter()
    fill_chain(
        args.events,
        actor,
        lambda seq: inside if seq % 2 else outside,
        lambda seq: f"措施{seq % 5000 + 1}：完善接待审批制度" if seq % 100 else '=HYPERLINK("x")',
    )
    print(f"filled {args.events} events in {time.perf_counter() - start:.1f} s ({connection.vendor})")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load {os.getloadavg()[0]:.1f}; peak RSS before the downloads {base:.0f} MB")

    for name, user in (("auditor", auditor), ("supervisor", supervisor)):
        client = Client()
        client.force_login(user)
        for fmt in ("xlsx", "csv"):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/audit/export.{fmt}", {"action": "edit_measure"})
            assert response.status_code == 200, (name, fmt, response.status_code)
            size = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            note = AuditEvent.objects.filter(action="export_audit").latest("seq").note
            rows = note.split("共 ")[1].split(" 条")[0]
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{name:10} .{fmt:4} {rows:>7} rows  {wall:6.1f} s wall  {cpu:6.1f} s CPU  "
                f"{size / 1e6:6.1f} MB  peak RSS {peak:5.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
