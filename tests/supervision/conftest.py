"""Helpers for the supervision tests: frozen clocks, sweeps that run their after-commit mail, SMTP."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller

from zhenggai.supervision.jobs import JobSkipped
from zhenggai.supervision.models import SupervisionRun
from zhenggai.supervision.services import run_sweep, run_weekly

TZ = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def clock() -> Iterator[Callable[[dt.date], None]]:
    """clock(day) moves the frozen time to 09:00 on `day` (Asia/Shanghai)."""
    traveller: list[Any] = []

    def move(day: dt.date, hour: int = 9) -> None:
        if traveller:
            traveller.pop().stop()
        travel = time_machine.travel(at(day, hour), tick=False)
        travel.start()
        traveller.append(travel)

    yield move
    if traveller:
        traveller.pop().stop()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any) -> Callable[[], SupervisionRun]:
    """Run the sweep and the mail it leaves behind after commit, as cron would."""

    def run() -> SupervisionRun:
        with django_capture_on_commit_callbacks(execute=True):
            result = run_sweep()
        result.refresh_from_db()
        return result

    return run


@pytest.fixture
def weekly(django_capture_on_commit_callbacks: Any) -> Callable[..., SupervisionRun | None]:
    """Run the weekly summary and its mail; None when the start is skipped (already sent today)."""

    def run(force: bool = False) -> SupervisionRun | None:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                result = run_weekly(force=force)
            except JobSkipped:
                return None
        result.refresh_from_db()
        return result

    return run


@dataclass
class Mailbox:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def text(self, index: int) -> str:
        body = self.messages[index].get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]

    def html(self, index: int) -> str:
        body = self.messages[index].get_body(preferencelist=("html",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """Start an SMTP server on a free local port and point the project's e-mail settings at it."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = box.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "巡察整改管理系统 <zhenggai@example.org>"
    try:
        yield box
    finally:
        controller.stop()
