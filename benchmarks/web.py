"""Server time of the hot pages at province scale: p50/p95 over repeated requests, then req/s under load.

    .venv/bin/python benchmarks/web.py                                # SQLite in a temporary data dir
    scripts/with-postgres .venv/bin/python benchmarks/web.py          # PostgreSQL 15 (throwaway cluster)
    ZHENGGAI_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/web.py   # keep the SQLite data between runs

Builds 5,000 units and 300,000 measures with `zhenggai generate` (override with BENCH_UNITS/BENCH_MEASURES)
unless the database already has them, then requests each page through Django's test client (middleware,
views, templates; no network) and prints p50/p95, and the CPU p50 of this process (steadier on a loaded
machine). Then it starts `zhenggai serve` (gunicorn, BENCH_WORKERS=2 workers × BENCH_THREADS=4 threads,
production settings, the same database) on a loopback port and measures req/s at 8 concurrent connections
per page (BENCH_LOAD_SECONDS each, 0 to skip) with wrk (the Debian package,
installed when missing and we are root; BENCH_WRK=0 or no wrk: 8 Python client processes, one http.client
connection each), the bare logged-in view (the password page: session, user, template) first as the floor.

BENCH_ONLY (comma-separated URL parts) times only the matching pages.

Goals (issue 12), marked ✓/✗ per page and summed up at the end: every page p95 ≤ 50 ms; the all-measures list
p50 ≤ 25 ms; under load each page ≥ 25 % of the bare logged-in view's req/s.
"""

from __future__ import annotations

import http.client
import logging
import multiprocessing
import multiprocessing.pool
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("ZHENGGAI_DATA_DIR", tempfile.mkdtemp(prefix="zhenggai-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
os.environ["ZHENGGAI_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"

import django

django.setup()
logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
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
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "4")
P95_GOAL, LIST_P50_GOAL, LOAD_GOAL = 50.0, 25.0, 25.0
# BENCH_ONLY=/overview/,/accounts/password/ times only the pages whose URL contains one of these (a quick comparison)
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
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
    if not wanted(url):
        return url
    client = Client()
    client.force_login(User.objects.get(username=username))
    for _ in range(pages - 1):
        html = client.get(url).content.decode()
        if 'rel="next"' not in html:  # a smaller database (BENCH_MEASURES) has fewer pages: time the last
            break
        link = html[: html.index('rel="next"')]
        url = url.split("?")[0] + link[link.rindex('href="') + 6 : link.rindex('"')].replace("&amp;", "&")
    return url


def wanted(url: str) -> bool:
    return not ONLY or any(part in url for part in ONLY)


def timed(client: Client, url: str) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request (CPU of this process: on SQLite the database's work too, on
    PostgreSQL not the server's); on a loaded machine the CPU figure is the steadier one."""
    for _ in range(3):  # warm caches
        assert client.get(url).status_code == 200, url
    samples, cpu = [], []
    for _ in range(ROUNDS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, url
    return samples, cpu


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
        ("sheng", follow_next("sheng", "/tasks/?colour=red", 100), "  … red only, page 100"),
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
        ("sheng", follow_next("sheng", "/supervision/warnings/", 100), "  … page 100"),
        ("sheng", "/supervision/warnings/?colour=red", "  … red only"),
        ("keyuan1", "/supervision/warnings/", "warnings, department staff"),
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
        f"{ROUNDS} requests per page; load: {_load_average()}"
    )
    listed = [page for page in pages() if wanted(page[1])]
    print(
        f"{'page':<48}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}  goal p95 ≤ {P95_GOAL:.0f} ms (list p50 ≤ {LIST_P50_GOAL:.0f} ms)"
    )
    worst, worst_list = 0.0, 0.0
    fast: list[bool] = []
    for username, url, label in listed:
        client = Client()
        client.force_login(User.objects.get(username=username))
        wall, cpu = timed(client, url)
        samples = sorted(wall)
        p50 = statistics.median(samples)
        p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
        worst = max(worst, p95)
        ok = p95 <= P95_GOAL
        if "all measures" in label:
            worst_list = max(worst_list, p50)
            ok = ok and p50 <= LIST_P50_GOAL
        fast.append(ok)
        print(f"{label:<48}{p50:>9.1f}{p95:>9.1f}{statistics.median(cpu):>9.1f}  {mark(ok)}", flush=True)
    print(f"load after the test-client pass: {_load_average()}")
    summary = [
        f"{mark(worst <= P95_GOAL)} every page p95 ≤ {P95_GOAL:.0f} ms: worst {worst:.1f} ms, "
        f"{fast.count(False)} of {len(fast)} pages miss"
        + (
            " ("
            + "; ".join(label for label, ok in zip(full_labels(listed), fast, strict=True) if not ok)
            + ")"
            if not all(fast)
            else ""
        ),
        f"{mark(worst_list <= LIST_P50_GOAL)} all-measures list p50 ≤ {LIST_P50_GOAL:.0f} ms: "
        f"worst {worst_list:.1f} ms",
    ]
    if LOAD_SECONDS > 0:
        met = load(listed)
        missing = [label for label, ok in zip(full_labels(listed), met, strict=True) if not ok]
        summary.append(
            f"{mark(not missing)} under load each page ≥ {LOAD_GOAL:.0f} % of the floor's req/s: "
            f"{len(missing)} of {len(met)} pages miss" + (f" ({'; '.join(missing)})" if missing else "")
        )
    print("\ngoals (issue 12):")
    for line in summary:
        print(f"  {line}")
    if os.environ.get("BENCH_PORTAL", "1") != "0":
        # The public pages (/gongkai/) on the same database: benchmarks/portal.py publishes a public notice
        # for every inspection the first time (BENCH_PORTAL=0 skips this part).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import portal

        print("public pages (anonymous):")
        portal.main()
    return 0


def full_labels(listed: list[tuple[str, str, str]]) -> list[str]:
    """Each page's label with its parent's prefixed to a "  … x" row ("all measures, supervisor (open): page 100")."""
    labels, parent = [], ""
    for _, _, label in listed:
        if label.startswith("  … "):
            labels.append(f"{parent}: {label[4:]}")
        else:
            parent = label
            labels.append(label)
    return labels


def ensure_wrk() -> str | None:
    """The wrk load tool: on PATH, else installed from Debian when we are root (BENCH_WRK=0: the Python client)."""
    if os.environ.get("BENCH_WRK", "1") == "0":
        return None
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing wrk (Debian package) …", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for args in (["update", "-qq"], ["install", "-y", "-qq", "wrk"]):
        subprocess.run(
            ["apt-get", "-o", "DPkg::Lock::Timeout=600", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    """`zhenggai serve` (gunicorn, WORKERS × THREADS) on the benchmark's database, as an operator starts it: no
    debug, the same secret key (so the sessions made here are valid there), no access log."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "ZHENGGAI_ENV_FILE": "",
        "ZHENGGAI_DATA_DIR": str(Path(os.environ["ZHENGGAI_DATA_DIR"]).resolve()),
        "ZHENGGAI_SECRET_KEY": settings.SECRET_KEY,
        "ZHENGGAI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ZHENGGAI_DEBUG": "false",
        "ZHENGGAI_WORKERS": WORKERS,
        "ZHENGGAI_THREADS": THREADS,
        "ZHENGGAI_ACCESS_LOG": "",
        "ZHENGGAI_LOG_LEVEL": "WARNING",
    }
    zhenggai = Path(sys.executable).parent / "zhenggai"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(zhenggai), "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"zhenggai serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if _get("127.0.0.1", port, "/healthz", {})[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit(f"zhenggai serve did not answer in 120 s:\n{log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _get(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _connection_loop(args: tuple[int, str, dict[str, str], float]) -> int:
    """One client process, one connection at a time: `path` back to back until `stop` (`zhenggai serve` closes
    the connection after each response; http.client opens the next one)."""
    port, path, headers, stop = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    count = 0
    while time.time() < stop:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        count += 1
    connection.close()
    return count


def rate_python(pool: multiprocessing.pool.Pool, port: int, path: str, headers: dict[str, str]) -> float:
    """req/s from CONNECTIONS client processes (one connection each at a time: no GIL shared with the others)."""
    started = time.time()
    stop = started + LOAD_SECONDS
    counts = pool.map(_connection_loop, [(port, path, headers, stop)] * CONNECTIONS)
    return sum(counts) / (time.time() - started)


def rate_wrk(wrk: str, port: int, path: str, headers: dict[str, str]) -> float:
    """req/s from wrk (2 threads, CONNECTIONS connections, reopened after each response as the server closes
    them); any non-2xx answer stops the run."""
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(LOAD_SECONDS))}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{path}: wrk saw answers other than 200:\n{output}")
    match = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    if not match:
        raise SystemExit(f"wrk printed no rate:\n{output}")
    return float(match.group(1))


def load(listed: list[tuple[str, str, str]]) -> list[bool]:
    """req/s at 8 connections through `zhenggai serve`, each page against the floor (the first page), same run.

    Returns one ✓/✗ per page against the goal (≥ 25 % of the floor)."""
    wrk = ensure_wrk()
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="zhenggai-bench-serve-")) / "serve.log"
    server = start_server(port, log)
    pool = None if wrk else multiprocessing.get_context("fork").Pool(CONNECTIONS)
    client_name = "wrk -t2" if wrk else "Python http.client, one process per connection"
    cookies: dict[str, str] = {}
    print(
        f"\nunder load: {CONNECTIONS} connections ({client_name}), {LOAD_SECONDS:.0f} s per page, "
        f"zhenggai serve (gunicorn {WORKERS} workers × {THREADS} threads); load before: {_load_average()}"
    )
    print(f"{'page':<48}{'req/s':>9}{'% floor':>9}  goal ≥ {LOAD_GOAL:.0f} %")
    floor = 0.0
    met = []
    try:
        for username, url, label in listed:
            if username not in cookies:
                client = Client()
                client.force_login(User.objects.get(username=username))
                cookies[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[username]}"}
            path = quote(url, safe=SAFE)
            status, _ = _get("127.0.0.1", port, path, headers)  # a redirect to the login page would be cheap
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status} from zhenggai serve (see {log})")
            rate = rate_wrk(wrk, port, path, headers) if wrk else rate_python(pool, port, path, headers)  # type: ignore[arg-type]
            floor = floor or rate
            share = rate * 100 / floor
            met.append(share >= LOAD_GOAL)
            print(f"{label:<48}{rate:>9.0f}{share:>8.0f}%  {mark(met[-1])}", flush=True)
    finally:
        if pool is not None:
            pool.terminate()
        stop_server(server)
    print(f"load after: {_load_average()}")
    return met


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


if __name__ == "__main__":
    sys.exit(main())
