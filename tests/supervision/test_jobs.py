"""Scheduled jobs run once: concurrent starts of the sweep or the weekly summary do one run and send one mail;
the other starts exit 0 with a message and record nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from tests.conftest import World
from tests.supervision.conftest import Mailbox, free_port
from zhenggai.supervision.choices import RunKind, RunOutcome
from zhenggai.supervision.jobs import DONE, HOST, NAMESPACE, RUNNING, advisory_key
from zhenggai.supervision.models import JobLock, SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
ZHENGGAI = [sys.executable, "-m", "zhenggai"]
REPO = Path(__file__).resolve().parents[2]


@contextmanager
def held_elsewhere(job: str) -> Iterator[None]:
    """The job's lock held by another start: another PostgreSQL session, or a live row from another server."""
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, advisory_key(job)])
            yield
        finally:
            # Unlock before closing: a closed connection's server process lets go of its locks a moment later,
            # and a start right after the block would find the lock still held on a loaded machine.
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, advisory_key(job)])
            other.close()
    else:
        now = timezone.now()
        lock = JobLock.objects.create(
            job=job,
            period=timezone.localdate(),
            host="app2.example",
            pid=4242,
            token="x",
            acquired_at=now,
            expires_at=now + dt.timedelta(hours=1),
        )
        try:
            yield
        finally:
            lock.delete()


def test_weekly_started_while_another_sends_it_is_skipped_and_records_nothing(
    world: World, clock: Clock
) -> None:
    clock(D(2025, 4, 14))
    out = io.StringIO()
    with held_elsewhere(RunKind.WEEKLY):
        call_command("supervise", "weekly", stdout=out)
        call_command("supervise", "weekly", "--force", stdout=out)  # forced, still never two at once
    assert out.getvalue() == f"{RUNNING}\n{RUNNING}\n"
    assert not SupervisionRun.objects.exists()


def test_sweep_started_while_another_runs_is_skipped_and_records_nothing(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 12))
    out = io.StringIO()
    with held_elsewhere(RunKind.SWEEP):
        call_command("supervise", "sweep", stdout=out)
        assert not SupervisionRun.objects.exists()
    assert out.getvalue() == f"{RUNNING}\n"
    call_command("supervise", "sweep", stdout=out)  # released: the next start runs
    assert SupervisionRun.objects.get().outcome == RunOutcome.OK


def test_one_job_does_not_block_the_other(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 14))
    with held_elsewhere(RunKind.SWEEP):
        call_command("supervise", "weekly", stdout=io.StringIO())
    assert SupervisionRun.objects.get().kind == RunKind.WEEKLY


def test_weekly_already_sent_today_is_skipped_as_done(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 14))
    call_command("supervise", "weekly", stdout=io.StringIO())
    out = io.StringIO()
    call_command("supervise", "weekly", stdout=out)
    assert out.getvalue().startswith(f"{DONE}\n")
    assert "--force" in out.getvalue()
    call_command("supervise", "weekly", "--force", stdout=out)
    assert SupervisionRun.objects.filter(kind=RunKind.WEEKLY, outcome=RunOutcome.OK).count() == 2


@pytest.mark.parametrize(
    ("host", "pid", "expires_in"),
    [
        ("app2.example", 4242, dt.timedelta(seconds=-1)),  # another server's, expired
        (HOST, 2**22 + 1, dt.timedelta(hours=1)),  # this host's, its process gone (above pid_max)
    ],
)
def test_lock_left_by_a_crashed_run_does_not_block_the_next(
    world: World, clock: Clock, host: str, pid: int, expires_in: dt.timedelta
) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("an advisory lock ends with its connection")
    clock(D(2025, 4, 12))
    now = timezone.now()
    JobLock.objects.create(
        job=RunKind.SWEEP,
        period=D(2025, 4, 11),
        host=host,
        pid=pid,
        token="old",
        acquired_at=now - dt.timedelta(hours=3),
        expires_at=now + expires_in,
    )
    call_command("supervise", "sweep", stdout=io.StringIO())
    assert SupervisionRun.objects.get().outcome == RunOutcome.OK
    assert not JobLock.objects.exists()  # taken over, then released


def test_lock_is_released_after_a_failed_run(world: World, clock: Clock, settings: Any) -> None:
    clock(D(2025, 4, 12))
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_day": 3}  # a typo in the configuration
    with pytest.raises(Exception, match="due_soon_day"):
        call_command("supervise", "sweep", stdout=io.StringIO())
    settings.ZHENGGAI_SUPERVISION_RULES = {}
    call_command("supervise", "sweep", stdout=io.StringIO())
    outcomes = list(SupervisionRun.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [RunOutcome.FAILED, RunOutcome.OK]
    assert not JobLock.objects.exists()


def test_run_left_running_by_a_crash_is_marked_failed_by_the_next(world: World, clock: Clock) -> None:
    clock(D(2025, 4, 12))
    crashed = SupervisionRun.objects.create(
        kind=RunKind.SWEEP, period=D(2025, 4, 11), started_at=timezone.now() - dt.timedelta(days=1)
    )
    call_command("supervise", "sweep", stdout=io.StringIO())
    crashed.refresh_from_db()
    assert crashed.outcome == RunOutcome.FAILED
    assert "运行中断" in crashed.error


# Real processes, as cron on three servers would start them, on a database of their own.


@dataclass
class GatedMailbox(Mailbox):
    """An SMTP server that holds every message until the gate opens: a slow mail server."""

    gate: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        while not self.gate.is_set():
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class Site:
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ZHENGGAI, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=REPO,
            timeout=180,
            check=True,
        )

    def start(self, *args: str, port: int) -> subprocess.Popen[str]:
        mail = {"ZHENGGAI_EMAIL_HOST": "127.0.0.1", "ZHENGGAI_EMAIL_PORT": str(port)}
        return subprocess.Popen(
            [*ZHENGGAI, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env | mail,
            cwd=REPO,
        )


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request: Any, tmp_path_factory: Any) -> Iterator[Site]:
    """A fresh database with the demo data and an e-mail address for every user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHENGGAI_EMAIL")}
    env |= {
        "ZHENGGAI_DATA_DIR": str(tmp_path_factory.mktemp("site")),
        "ZHENGGAI_EMAIL_TIMEOUT": "120",
        "ZHENGGAI_LOG_LEVEL": "WARNING",
    }
    server = os.environ.get("DATABASE_URL", "")
    created = ""
    if request.param == "postgresql":
        if not server.startswith("postgres"):
            pytest.skip("PostgreSQL: run under scripts/with-postgres")
        import psycopg

        created = f"zhenggai_jobs_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/{created}"
    else:
        env.pop("DATABASE_URL", None)
    try:
        s = Site(env)
        s.run("migrate", "-v0")
        s.run("demo", "--password", "demo-password-123")
        s.run(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; from django.db.models import F, Value; "
            "from django.db.models.functions import Concat; "
            "User.objects.update(email=Concat(F('username'), Value('@example.org')))",
        )
        yield s
    finally:
        if created:
            import psycopg

            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.mark.parametrize(("job", "label"), [("sweep", "预警巡检"), ("weekly", "每周一汇总")])
def test_three_concurrent_starts_do_one_run_and_send_each_mail_once(site: Site, job: str, label: str) -> None:
    box = GatedMailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        starts = [site.start("supervise", job, port=box.port) for _ in range(3)]
        # The winner holds its lock until its mail is accepted; the mail server waits until the other two
        # starts have finished (or a minute has passed, when they run too).
        deadline = time.monotonic() + 60
        while sum(p.poll() is not None for p in starts) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        box.gate.set()
        results = [(p.wait(timeout=180), *p.communicate()) for p in starts]
    finally:
        box.gate.set()
        controller.stop()

    assert [code for code, _, _ in results] == [0, 0, 0], results
    outputs = [out.strip() for _, out, _ in results]
    assert outputs.count(RUNNING) == 2, results
    (ran,) = [out for out in outputs if out != RUNNING]
    assert f" {label} " in ran, results
    assert "成功" in ran, results
    listing = site.run("supervise", "runs", "--limit", "50").stdout
    assert listing.count(f" {label} ") == 1
    assert box.messages, "the run sent mail"
    # Nobody got a second copy (one person may get a warning and a due-soon reminder: two subjects).
    recipients = sorted(
        (tuple(r), str(m["Subject"])) for r, m in zip(box.recipients, box.messages, strict=True)
    )
    assert len(recipients) == len(set(recipients)), recipients
    assert f'"emails_sent": {len(box.messages)}' in listing
