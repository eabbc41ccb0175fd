"""Server time of the hot pages at province scale: p50/p95 over repeated requests, then req/s under load.

    .venv/bin/python benchmarks/web.py                                # SQLite in a temporary data dir
    scripts/with-postgres .venv/bin/python benchmarks/web.py          # PostgreSQL 15 (throwaway cluster)
    ZHENGGAI_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/web.py   # keep the SQLite data between runs

Builds 5,000 units and 300,000 measures with `zhenggai generate` (override with BENCH_UNITS/BENCH_MEASURES)
unless the database already has them, then requests each page through Django's test client (middleware,
views, templates; no network) and prints p50/p95. Then it serves the app with a threaded WSGI server on a
loopback port (`zhenggai serve` is not there yet) and measures req/s at 8 connections per page
(BENCH_LOAD_SECONDS each, 0 to skip), the bare logged-in view (the password page: session, user, template) first
as the floor.

Goals (issue 12): every page p95 ≤ 50 ms; the all-measures list p50 ≤ 25 ms; under load each page ≥ 25 % of the
bare logged-in view's req/s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from socketserver import ThreadingMixIn
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ.setdefault("ZHENGGAI_DATA_DIR", tempfile.mkdtemp(prefix="zhenggai-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
os.environ["ZHENGGAI_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from zhenggai.evaluation.models import SignalRun  # noqa: E402
from zhenggai.evaluation.signals.store import store_run  # noqa: E402
from zhenggai.ledger.choices import Role  # noqa: E402
from zhenggai.ledger.models import Inspection, Measure, Membership, Unit  # noqa: E402
from zhenggai.ledger.synthetic import ROOT_NAME  # noqa: E402
from zhenggai.supervision.models import DailySnapshot  # noqa: E402
from zhenggai.supervision.services import run_sweep  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", "5000"))
MEASURES = int(os.environ.get("BENCH_MEASURES", "300000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "3"))
CONNECTIONS = 8
P95_GOAL, LIST_P50_GOAL = 50.0, 25.0
SAFE = "/?&=%:"  # kept as they are when a URL with Chinese query values is percent-encoded


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
    if not User.objects.filter(username="shengzhang").exists():  # a leader of the province root
        leader = User.objects.create_user("shengzhang", password="bench-pass-123")
        Membership.objects.create(user=leader, unit=Unit.objects.get(name=ROOT_NAME), role=Role.LEADER)
    if not SignalRun.objects.exists():  # the signals page reads the latest stored run
        started = time.perf_counter()
        run = store_run()
        print(f"signals --store ({run.signals} signals) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def follow_next(username: str, url: str, pages: int) -> str:
    """The URL of page `pages` of a list, reached by following its 下一页 links (keyset cursors)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(pages - 1):
        html = client.get(url).content.decode()
        if 'rel="next"' not in html:  # a smaller database (BENCH_MEASURES) has fewer pages: time the last
            break
        link = html[: html.index('rel="next"')]
        url = url.split("?")[0] + link[link.rindex('href="') + 6 : link.rindex('"')].replace("&amp;", "&")
    return url


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


def pages() -> list[tuple[str, str, str]]:
    inspection = Inspection.objects.get(inspected_unit__name__endswith="单位00001")
    city = Unit.objects.get(name="模拟市01")
    return [
        ("sheng", "/accounts/password/", "bare logged-in view (floor)"),
        ("sheng", "/overview/", "overview, whole province (5,000 units)"),
        ("sheng", "/overview/?sort=-red", "overview sorted by red lights"),
        ("sheng", "/overview/charts/", "overview charts, whole province"),
        ("shengzhang", "/tasks/?scope=all&show=all", "all measures, province leader, page 1"),
        ("shengzhang", follow_next("shengzhang", "/tasks/?scope=all&show=all", 100), "  … page 100"),
        ("sheng", "/tasks/", "all measures, supervisor (open)"),
        ("sheng", follow_next("sheng", "/tasks/", 100), "  … page 100"),
        ("sheng", "/tasks/?show=pending", "  … 待销号"),
        ("sheng", "/tasks/?show=all&sort=-progress", "  … all, by progress"),
        ("sheng", "/tasks/?sort=-updated", "  … last updated"),
        ("sheng", "/tasks/?sort=code", "  … by code"),
        ("sheng", "/tasks/?sort=deadline", "  … by deadline"),
        ("sheng", "/tasks/?status=draft", "  … status 未启动"),
        ("sheng", f"/tasks/?unit={city.pk}", "  … one city's subtree"),
        ("sheng", "/tasks/?colour=red", "  … red only"),
        ("sheng", "/tasks/?dept_name=办公室00042", "  … one department"),
        ("sheng", "/tasks/?due_from=2026-01-01&due_to=2026-01-31", "  … deadline range"),
        ("sheng", "/tasks/?q=完善制度", "search, frequent term"),
        ("sheng", "/tasks/?q=整改措施77：", "search, rare term"),
        ("sheng", "/tasks/?q=第2个具体问题", "search, finding title"),
        ("sheng", "/tasks/?q=办公室00042", "search, lead department"),
        ("sheng", "/tasks/?q=某某", "search, person (2 characters)"),
        ("sheng", "/tasks/?q=办公", "search, department (2 characters)"),
        ("sheng", "/tasks/?q=方面", "search, finding title (2 characters)"),
        ("sheng", "/tasks/?q=鑫", "search, 1 character found nowhere"),
        ("sheng", "/supervision/warnings/", "warnings, province supervisor"),
        ("sheng", "/", "home, province supervisor"),
        ("sheng", "/inspections/", "inspections list, province supervisor"),
        ("shi01", "/overview/", "overview, one city"),
        ("danwei1", "/tasks/", "my tasks, unit leader"),
        ("danwei1", "/tasks/?colour=red&sort=-progress", "my tasks, unit leader, red only"),
        ("keyuan1", "/tasks/", "my tasks, department staff"),
        ("danwei1", f"/inspections/{inspection.pk}/", "one unit: inspection tree (60 measures)"),
        ("danwei1", "/", "home, unit leader"),
        ("sheng", "/evaluation/signals/", "paper-rectification signals (stored run)"),
        ("shi01", "/evaluation/signals/", "signals (stored run), one city"),
    ]


def main() -> int:
    prepare()
    print(
        f"database: {connection.vendor}; units {Unit.objects.count()}, measures {Measure.objects.count()}, "
        f"{ROUNDS} requests per page"
    )
    listed = pages()
    print(f"{'page':<48}{'p50 ms':>9}{'p95 ms':>9}")
    worst, worst_list = 0.0, 0.0
    for username, url, label in listed:
        client = Client()
        client.force_login(User.objects.get(username=username))
        samples = sorted(timed(client, url))
        p50 = statistics.median(samples)
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        worst = max(worst, p95)
        if "all measures" in label:
            worst_list = max(worst_list, p50)
        print(f"{label:<48}{p50:>9.1f}{p95:>9.1f}", flush=True)
    print(f"worst p95: {worst:.1f} ms (goal ≤ {P95_GOAL:.0f} ms)")
    print(f"all-measures list, page 1 p50: {worst_list:.1f} ms (goal ≤ {LIST_P50_GOAL:.0f} ms)")
    if LOAD_SECONDS > 0:
        load(listed)
    if os.environ.get("BENCH_PORTAL", "1") != "0":
        # The public pages (/gongkai/) on the same database: benchmarks/portal.py publishes a public notice
        # for every inspection the first time (BENCH_PORTAL=0 skips this part).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import portal

        print("public pages (anonymous):")
        portal.main()
    return 0


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _hammer(url: str, headers: dict[str, str], stop: float, counts: list[int], n: int) -> None:
    """One connection: request `url` back to back until `stop`, counting the answers."""
    while time.perf_counter() < stop:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            response.read()
        counts[n] += 1


def load(listed: list[tuple[str, str, str]]) -> None:
    """req/s at 8 connections through a real HTTP server, each page against the floor (the first page)."""
    server = make_server("127.0.0.1", 0, get_wsgi_application(), _ThreadedServer, _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    cookies: dict[str, str] = {}
    print(f"\nunder load: {CONNECTIONS} connections, {LOAD_SECONDS:.0f} s per page, threaded WSGI server")
    print(f"{'page':<48}{'req/s':>9}{'% floor':>9}")
    floor = 0.0
    for username, url, label in listed:
        if username not in cookies:
            client = Client()
            client.force_login(User.objects.get(username=username))
            cookies[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[username]}"}
        stop = time.perf_counter() + LOAD_SECONDS
        counts = [0] * CONNECTIONS
        threads = [
            threading.Thread(
                target=_hammer,
                args=(f"http://127.0.0.1:{port}{quote(url, safe=SAFE)}", headers, stop, counts, n),
            )
            for n in range(CONNECTIONS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rate = sum(counts) / (time.perf_counter() - started)
        floor = floor or rate
        print(f"{label:<48}{rate:>9.0f}{rate * 100 / floor:>8.0f}%", flush=True)
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
