"""The supervision app's entry points: the recorded runs (sweep, weekly), 督办单, indicators, counts.

Every state change is a service that checks permission and writes one audit event in its transaction; the
scheduled runs are recorded in SupervisionRun whether they succeed or fail; mail leaves after commit. A
scheduled run holds its job's lock (jobs.py) from before it is recorded until its mail is sent: a concurrent
start raises JobSkipped and records nothing.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from zhenggai.ledger.models import Inspection, Unit
from zhenggai.ledger.tally import refresh_overdue, refresh_unit_tallies
from zhenggai.supervision.alerts import warning_notifications
from zhenggai.supervision.choices import RunKind, RunOutcome
from zhenggai.supervision.events import due_soon
from zhenggai.supervision.indicators import add_indicator, record_indicator_actual
from zhenggai.supervision.jobs import DONE, JobSkipped, job_lock
from zhenggai.supervision.models import SupervisionRun, Warning
from zhenggai.supervision.notices import (
    close_supervision_notice,
    escalate_notices,
    issue_supervision_notice,
    reply_supervision_notice,
)
from zhenggai.supervision.notify import deliver
from zhenggai.supervision.rules import rules
from zhenggai.supervision.snapshots import write_snapshots
from zhenggai.supervision.sweep import sweep_indicators, sweep_measures
from zhenggai.supervision.webhook_events import drain_webhooks, red_warnings, weekly_ready

__all__ = [
    "JobSkipped",
    "add_indicator",
    "close_supervision_notice",
    "issue_supervision_notice",
    "record_indicator_actual",
    "reply_supervision_notice",
    "run_sweep",
    "run_weekly",
    "warnings_sent",
]

Work = Callable[[SupervisionRun], dict[str, Any]]


def record_run(kind: RunKind, period: dt.date, work: Work) -> SupervisionRun:
    """Run `work` in one transaction and record it; a failure is recorded with its error and re-raised.

    Called with the job's lock held: a run of this kind still marked running was left by a crash."""
    SupervisionRun.objects.filter(kind=kind, outcome=RunOutcome.RUNNING).update(
        outcome=RunOutcome.FAILED,
        finished_at=timezone.now(),
        error="运行中断：进程在完成前退出（在下一次运行时发现）。",
    )
    run = SupervisionRun.objects.create(kind=kind, period=period, started_at=timezone.now())
    try:
        with transaction.atomic():
            counts = work(run)
            SupervisionRun.objects.filter(pk=run.pk).update(
                counts=counts, outcome=RunOutcome.OK, finished_at=timezone.now()
            )
    except Exception as exc:
        SupervisionRun.objects.filter(pk=run.pk).update(
            outcome=RunOutcome.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"[-8000:],
        )
        raise
    run.refresh_from_db()  # after commit: mail callbacks may have added their counts
    return run


def run_sweep() -> SupervisionRun:
    """`zhenggai supervise sweep`: recolour, record changes as warnings, escalate 督办单, notify on change.

    Raises JobSkipped when another sweep is running; a later sweep on the same day runs again (and, nothing
    having changed, notifies nobody)."""
    from zhenggai.portal.sweep import sweep_feedback

    today, now = timezone.localdate(), timezone.now()

    def work(run: SupervisionRun) -> dict[str, Any]:
        r = rules()
        measure_changes = sweep_measures(run, today, now, r)
        indicator_changes = sweep_indicators(run, today, now, r)
        escalated = escalate_notices(run, today, r)
        refresh_overdue(today, unit_rows=False)
        snapshots = write_snapshots(today)
        # the overview rows, once: the recounted overdue figures and the lights of the snapshots just written
        refresh_unit_tallies(None)
        reminders = due_soon(today)
        notes = deliver(warning_notifications(run, today, r) + reminders, run)
        feedback = sweep_feedback(today, now)  # 群众意见: overdue turns red; old contact data erased
        red_units = red_warnings(run.pk)
        colours = dict(
            Warning.objects.filter(run=run)
            .values_list("colour")
            .annotate(n=Count("pk"))
            .values_list("colour", "n")
        )
        return {
            "measure_changes": measure_changes,
            "indicator_changes": indicator_changes,
            "colours": colours,
            "escalated": escalated,
            "notifications": len(notes),
            "due_soon_notifications": len(reminders),
            "snapshots": snapshots,
            **feedback,
            "webhook_red_units": red_units,
        }

    with job_lock(RunKind.SWEEP, today):
        run = record_run(RunKind.SWEEP, today, work)
    drain_webhooks()  # after the sweep's transaction: the messages it queued are committed
    return run


def run_weekly(*, force: bool = False) -> SupervisionRun:
    """`zhenggai supervise weekly`: the Monday summary, once a day unless forced, never two at once.

    Raises JobSkipped when another start is sending it, or (unless forced) today's was sent; the check is
    made under the lock, so a start that waited for nothing still sees the other's finished run."""
    from zhenggai.supervision.digest import send_weekly

    today = timezone.localdate()
    with job_lock(RunKind.WEEKLY, today):
        done = SupervisionRun.objects.filter(kind=RunKind.WEEKLY, period=today, outcome=RunOutcome.OK)
        if not force and done.exists():
            raise JobSkipped(DONE)
        run = record_run(RunKind.WEEKLY, today, lambda run: send_weekly(run, today))
    weekly_ready(run)
    drain_webhooks()
    return run


def warnings_sent(target: Inspection | Unit, since: dt.datetime | dt.date | None = None) -> int:
    """How many warnings were issued for an inspection, or for a unit and the units under it (for 通报:
    "已发出预警提醒22次"). Each measure's colour change into red, yellow, blue or stale counts once. An
    indicator's warning counts once a calendar month: each project on an issued 预算项目执行率预警单
    (issue_indicator_notices records it as a Warning without a sweep run) counts, and the sweep's colour change
    of an indicator counts only when no 预警单 covers that indicator in the same month."""
    issued = Warning.objects.issued()
    if isinstance(target, Inspection):
        issued = issued.filter(unit=target.inspected_unit_id, inspection=target)
    else:
        issued = issued.filter(unit__path__startswith=target.path)
    if isinstance(since, dt.datetime):
        issued = issued.filter(issued_at__gte=since)
    elif isinstance(since, dt.date):
        issued = issued.filter(issued_at__date__gte=since)
    on_notice = (
        Warning.objects.issued()
        .filter(indicator=OuterRef("indicator"), run__isnull=True)
        .annotate(month=TruncMonth("issued_at"))
        .filter(month=OuterRef("month"))
    )
    counted = Q(indicator__isnull=True) | Q(run__isnull=True) | ~Exists(on_notice)
    return issued.annotate(month=TruncMonth("issued_at")).filter(counted).count()
