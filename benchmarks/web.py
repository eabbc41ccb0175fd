"""Server time of the hot pages at province scale: p50/p95 over repeated requests.

    .venv/bin/python benchmarks/web.py                                # SQLite in a temporary data dir
    scripts/with-postgres .venv/bin/python benchmarks/web.py          # PostgreSQL 15 (throwaway cluster)
    ZHENGGAI_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/web.py   # keep the SQLite data between runs

Builds 5,000 units and 300,000 measures with `zhenggai generate` (override with BENCH_UNITS/BENCH_MEASURES)
unless the database already has them, then requests each page through Django's test client (middleware,
views, templates; no network) and prints the figures. Goal: p95 ≤ 100 ms for each page.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("ZHENGGAI_DATA_DIR", tempfile.mkdtemp(prefix="zhenggai-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
os.environ["ZHENGGAI_ALLOWED_HOSTS"] = "testserver,localhost"

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhenggai.evaluation.models import SignalRun  # noqa: E402
from zhenggai.evaluation.signals.store import store_run  # noqa: E402
from zhenggai.ledger.models import Inspection, Measure, Unit  # noqa: E402
from zhenggai.ledger.synthetic import ROOT_NAME  # noqa: E402
from zhenggai.supervision.models import DailySnapshot  # noqa: E402
from zhenggai.supervision.services import run_sweep  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", "5000"))
MEASURES = int(os.environ.get("BENCH_MEASURES", "300000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(name=ROOT_NAME).exists():
        started = time.perf_counter()
        call_command("generate", units=UNITS, measures=MEASURES, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"generated {UNITS} units / {MEASURES} measures in {time.perf_counter() - started:.1f} s")
    if not DailySnapshot.objects.exists():  # the charts and the light columns read the sweep's snapshots
        started = time.perf_counter()
        run_sweep()
        print(f"first sweep (lights and daily snapshots) in {time.perf_counter() - started:.1f} s")
    if not SignalRun.objects.exists():  # the signals page reads the latest stored run
        started = time.perf_counter()
        run = store_run()
        print(f"signals --store ({run.signals} signals) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str) -> list[float]:
    for _ in range(3):  # warm caches
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return samples


def main() -> int:
    prepare()
    inspection = Inspection.objects.get(inspected_unit__name__endswith="单位00001")
    print(
        f"database: {connection.vendor}; units {Unit.objects.count()}, measures {Measure.objects.count()}, "
        f"{ROUNDS} requests per page"
    )
    pages = [
        ("sheng", "/overview/", "overview, whole province (5,000 units)"),
        ("sheng", "/overview/?sort=-rate", "overview sorted by completion rate"),
        ("sheng", "/overview/?sort=-red", "overview sorted by red lights"),
        ("sheng", "/overview/charts/", "overview charts, whole province"),
        ("shi01", "/overview/", "overview, one city"),
        ("sheng", "/tasks/", "my tasks, province supervisor"),
        ("danwei1", "/tasks/", "my tasks, unit leader"),
        ("danwei1", "/tasks/?colour=red&sort=-progress", "my tasks, unit leader, red only"),
        ("keyuan1", "/tasks/", "my tasks, department staff"),
        ("danwei1", f"/inspections/{inspection.pk}/", "inspection tree (60 measures)"),
        ("danwei1", "/", "home, unit leader"),
        ("sheng", "/evaluation/signals/", "paper-rectification signals (stored run)"),
        ("shi01", "/evaluation/signals/", "signals (stored run), one city"),
    ]
    print(f"{'page':<44}{'p50 ms':>9}{'p95 ms':>9}")
    worst = 0.0
    for username, url, label in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        samples = sorted(timed(client, url))
        p50 = statistics.median(samples)
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        worst = max(worst, p95)
        print(f"{label:<44}{p50:>9.1f}{p95:>9.1f}")
    print(f"worst p95: {worst:.1f} ms (goal ≤ 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
