"""Server time of the API's measures list at province scale (300,000 measures): p50/p95 for a page of 50.

    .venv/bin/python benchmarks/api.py                                # SQLite in a temporary data dir
    scripts/with-postgres .venv/bin/python benchmarks/api.py          # PostgreSQL (throwaway cluster)
    ZHENGGAI_DATA_DIR=/tmp/bench .venv/bin/python benchmarks/api.py   # reuse benchmarks/web.py's data

Builds the database as benchmarks/web.py does (same generator, same sizes: BENCH_UNITS/BENCH_MEASURES), makes
an API token per user and calls /api/v1/measures through Django's test client with the token (authentication,
rate limit, scoping, serialisation; no network). Goal: p95 ≤ 50 ms for a page of 50.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

# benchmarks/web.py sets the environment up, calls django.setup() and builds the database.
from web import ROUNDS, prepare


def timed(client: Any, url: str, headers: dict[str, str]) -> list[float]:
    for _ in range(3):
        assert client.get(url, headers=headers).status_code == 200, url
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.content[:200])
    return samples


def second_page(client: Any, url: str, headers: dict[str, str]) -> str:
    cursor = client.get(url, headers=headers).json()["next_cursor"]
    return f"{url}{'&' if '?' in url else '?'}cursor={cursor}" if cursor else url


def main() -> int:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from zhenggai.api.models import TokenScope
    from zhenggai.api.tokens import create_token
    from zhenggai.ledger.models import Measure, Unit

    prepare()
    settings.API_RATE_PER_MINUTE = 1_000_000  # measure the endpoint, not the limiter's refusals
    print(
        f"database: {connection.vendor}; units {Unit.objects.count()}, measures {Measure.objects.count()}, "
        f"{ROUNDS} requests per call"
    )
    calls = [
        ("sheng", "/api/v1/measures?limit=50", "measures, province supervisor, first page"),
        ("sheng", "/api/v1/measures?limit=50&status=in_progress", "measures, province, status filter"),
        (
            "sheng",
            "/api/v1/measures?limit=50&deadline_from=2026-12-01&deadline_to=2026-12-31",
            "measures, province, one month's deadlines",
        ),
        (
            "sheng",
            "/api/v1/measures?limit=50&deadline_to=2020-01-01",
            "measures, province, no match (full walk)",
        ),
        ("shi01", "/api/v1/measures?limit=50", "measures, one city"),
        ("danwei1", "/api/v1/measures?limit=50", "measures, unit leader"),
        ("danwei1", "/api/v1/measures?limit=50&colour=red", "measures, unit leader, red only"),
        ("keyuan1", "/api/v1/measures?limit=50", "measures, department staff"),
    ]
    print(f"{'call':<48}{'p50 ms':>9}{'p95 ms':>9}")
    worst = 0.0
    for username, url, label in calls:
        _, secret = create_token(
            by=User.objects.get(username=username), name="bench", scope=TokenScope.READ, days=1
        )
        headers = {"Authorization": f"Bearer {secret}"}
        client = Client()
        for name, target in ((label, url), (label + " (page 2)", second_page(client, url, headers))):
            samples = sorted(timed(client, target, headers))
            p50 = statistics.median(samples)
            p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
            worst = max(worst, p95)
            print(f"{name:<48}{p50:>9.1f}{p95:>9.1f}")
    print(f"worst p95: {worst:.1f} ms (goal ≤ 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
