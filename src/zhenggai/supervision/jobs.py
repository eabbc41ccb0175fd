"""One run at a time per scheduled job, however many processes or servers start it.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on the job's key, held on the connection for
the whole run (the recorded run, its transaction and the mail sent after commit) and released in `finally`;
a process that dies loses its connection and with it the lock. (A pooler in transaction mode, such as
pgbouncer's, would hand the session to others: connect the scheduled commands directly.)

Other databases (SQLite): a JobLock row per job, inserted in a write transaction and deleted at the end. A
row left by a crash stops counting when it expires, or at once when its process is gone on this host.

A start that finds its job held raises JobSkipped and records nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from zhenggai.supervision.models import JobLock

log = logging.getLogger(__name__)

RUNNING = "已有同一任务在运行，本次跳过。"
DONE = "本周期的任务已完成，本次跳过。"
LEASE = dt.timedelta(hours=2)  # a JobLock row older than this no longer counts (its holder crashed)
NAMESPACE = 0x5A47  # "ZG": the first half of every zhenggai advisory-lock key
HOST = socket.gethostname()[:255]


class JobSkipped(Exception):
    """This start does nothing: the job is running elsewhere, or its period is done."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def job_lock(job: str, period: dt.date) -> Iterator[None]:
    """Hold `job`'s lock for the block, or raise JobSkipped(RUNNING) at once when another start holds it.

    Call it outside any transaction: a lock row inserted inside one would be invisible to the others."""
    if connection.vendor == "postgresql":
        with _advisory(job):
            yield
    else:
        with _row(job, period):
            yield


def advisory_key(job: str) -> int:
    """The second half of the job's advisory-lock key: a stable signed 32-bit number."""
    crc = zlib.crc32(job.encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


@contextmanager
def _advisory(job: str) -> Iterator[None]:
    key = advisory_key(job)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, key])
        row = cursor.fetchone()
    if not (row and row[0]):
        raise JobSkipped(RUNNING)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, key])
        except DatabaseError as exc:  # the lock lives until this connection closes (at the latest, exit)
            log.warning("could not release the lock of job %s: %s", job, exc)


@contextmanager
def _row(job: str, period: dt.date) -> Iterator[None]:
    mine = _take(job, period)
    if mine is None:
        raise JobSkipped(RUNNING)
    try:
        yield
    finally:
        JobLock.objects.filter(pk=mine.pk, token=mine.token).delete()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def _stale(lock: JobLock, now: dt.datetime) -> bool:
    return lock.expires_at <= now or (lock.host == HOST and not _alive(lock.pid))


def _take(job: str, period: dt.date) -> JobLock | None:
    """Insert this process's lock row, or None when a live one is there."""
    now = timezone.now()
    held = JobLock.objects.filter(job=job).first()  # a read never waits for a writer (WAL)
    if held is not None and not _stale(held, now):
        return None
    try:
        # SQLite begins it IMMEDIATE (settings): one writer at a time reads and decides.
        with transaction.atomic():
            held = JobLock.objects.filter(job=job).first()
            if held is not None:
                if not _stale(held, now):
                    return None
                log.warning("job %s: taking over the expired lock of %s:%s", job, held.host, held.pid)
                held.delete()
            return JobLock.objects.create(
                job=job,
                period=period,
                host=HOST,
                pid=os.getpid(),
                token=uuid.uuid4().hex,
                acquired_at=now,
                expires_at=now + LEASE,
            )
    except IntegrityError:  # another start inserted its row first
        return None
    except OperationalError:
        # The database stayed locked for the whole timeout: if a live holder is writing its run, skip.
        if JobLock.objects.filter(job=job, expires_at__gt=timezone.now()).exists():
            return None
        raise
