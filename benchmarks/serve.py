"""Requests per second on the overview page: `zhenggai serve` (gunicorn) next to `runserver`, same run.

    .venv/bin/python benchmarks/serve.py

Builds a demo data directory (SQLite), starts each server on a free loopback port, logs in as 巡察办 and
requests /overview/ from BENCH_CLIENTS threads (default 8) for BENCH_SECONDS (default 10) or BENCH_REQUESTS
(default 2000) requests, whichever ends first, then prints req/s and the median latency. When granian is
installed it is measured too (`granian --interface wsgi zhenggai.wsgi:application`), for comparison only.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ops.server import (
    Browser,
    free_port,
    make_demo,
    production_env,
    wait_until_up,
)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
WORKERS = os.environ.get("ZHENGGAI_WORKERS", "2")
THREADS = os.environ.get("ZHENGGAI_THREADS", "4")


def measure(base: str) -> tuple[float, float, int]:
    """req/s, median ms and the request count over CLIENTS logged-in threads."""
    sessions = []
    for _ in range(CLIENTS):
        browser = Browser(base)
        browser.login("xunchaban")
        assert browser.get("/overview/")[0] == 200
        sessions.append(browser)
    latencies: list[float] = []
    lock = threading.Lock()
    budget = [REQUESTS]
    deadline = time.monotonic() + SECONDS

    def client(browser: Browser) -> None:
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            started = time.perf_counter()
            status = browser.get("/overview/")[0]
            elapsed = time.perf_counter() - started
            assert status == 200, status
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return len(latencies) / wall, statistics.median(latencies) * 1000, len(latencies)


def run(name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)  # type: ignore[arg-type]
        rate, median, count = measure(f"http://127.0.0.1:{port}")
        print(
            f"{name:<40} {rate:7.1f} req/s   median {median:6.1f} ms   ({count} requests, {CLIENTS} clients)"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="zhenggai-bench-serve-"))
    try:
        data_dir = root / "data"
        env = production_env(
            data_dir, ZHENGGAI_WORKERS=WORKERS, ZHENGGAI_THREADS=THREADS, ZHENGGAI_ACCESS_LOG=""
        )
        make_demo(data_dir, env)
        zhenggai = [sys.executable, "-m", "zhenggai"]
        port = free_port()
        run(
            "runserver (Django, threaded)",
            [*zhenggai, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env,
            port,
            root / "runserver.log",
        )
        port = free_port()
        label = f"zhenggai serve (gunicorn {WORKERS}×{THREADS} gthread)"
        run(label, [*zhenggai, "serve", "--bind", f"127.0.0.1:{port}"], env, port, root / "serve.log")
        granian = Path(sys.executable).parent / "granian"
        if granian.exists():
            port = free_port()
            command = [str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
            command += [
                "--workers",
                WORKERS,
                "--blocking-threads",
                THREADS,
                "--no-ws",
                "zhenggai.wsgi:application",
            ]
            env_granian = env | {"ZHENGGAI_STATIC_MANIFEST": "1"}
            run(
                f"granian ({WORKERS} workers × {THREADS} threads)",
                command,
                env_granian,
                port,
                root / "granian.log",
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
