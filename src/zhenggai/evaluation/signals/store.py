"""Stored signal runs: `zhenggai signals --store` scans the whole ledger once (one run at a time, under the
scheduled jobs' lock) and keeps the result, so the pages do not scan at province scale."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from zhenggai.evaluation.models import SignalRun, StoredSignal
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import scan
from zhenggai.ledger.models import Inspection, Measure
from zhenggai.supervision.jobs import job_lock

JOB = "signals"
KEEP_RUNS = 2  # the latest and the one before it; older runs are deleted
LINKS = 20


def common_path(paths: list[str]) -> str:
    """The path of the nearest unit above all `paths` ("" when they share no unit: only a superuser sees it)."""
    if not paths:
        return ""
    low, high = min(paths), max(paths)  # the common prefix of all is that of the two extremes
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    prefix = low[:n]
    return prefix[: prefix.rfind("/") + 1]


def store_run() -> SignalRun:
    """Scan every measure and store the signals; raises JobSkipped when another store is running."""
    with job_lock(JOB, timezone.localdate()):
        started, clock = timezone.now(), time.perf_counter()
        data = load(Measure.objects.all())
        found = scan(data)
        codes = {m.id: (m.unit_name, m.code) for m in data.measures}
        unit_paths = dict(Inspection.objects.values_list("pk", "inspected_unit__path"))
        with transaction.atomic():
            run = SignalRun.objects.create(
                started_at=started,
                finished_at=timezone.now(),
                measures=len(data.measures),
                signals=len(found),
                seconds=0,
            )
            StoredSignal.objects.bulk_create(
                (
                    StoredSignal(
                        run=run,
                        kind=s.kind,
                        summary=s.summary,
                        evidence=s.evidence,
                        measure_ids=list(s.measure_ids),
                        links=[[pk, *codes[pk]] for pk in s.measure_ids[:LINKS]],
                        inspection_ids=list(s.inspection_ids),
                        notice_id=s.notice_id,
                        scope_path=common_path([unit_paths[i] for i in s.inspection_ids if i in unit_paths]),
                    )
                    for s in found
                ),
                batch_size=1000,
            )
            run.finished_at = timezone.now()
            run.seconds = round(time.perf_counter() - clock, 2)
            run.save(update_fields=["finished_at", "seconds"])
            old = SignalRun.objects.order_by("-finished_at", "-id").values_list("pk", flat=True)[KEEP_RUNS:]
            SignalRun.objects.filter(pk__in=list(old)).delete()
        return run


def latest_run() -> SignalRun | None:
    return SignalRun.objects.order_by("-finished_at", "-id").first()
