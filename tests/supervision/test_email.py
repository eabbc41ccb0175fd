"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1), read back as delivered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.factories import MeasureFactory
from tests.supervision.conftest import Mailbox, free_port
from zhenggai.ledger import services
from zhenggai.supervision.choices import RunOutcome
from zhenggai.supervision.models import Notification, SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]


def give_addresses(world: World) -> None:
    for user in (world.supervisor, world.leader_a, world.staff_a, world.leader_b):
        user.email = f"{user.username}@example.org"
        user.save()


def test_warning_mail_reaches_the_unit_in_chinese(
    world: World, clock: Clock, sweep: Sweep, smtp: Mailbox
) -> None:
    give_addresses(world)
    clock(D(2025, 4, 12))
    late = MeasureFactory(
        finding=world.detail_a,
        lead_department=world.dept_a,
        code="A9",
        text="整改公务接待超标准问题",
        start_date=D(2025, 1, 1),
        deadline=D(2025, 4, 11),
    )
    services.report_progress(by=world.staff_a, measure=late, text="推进中", progress=60)
    run = sweep()
    assert run.outcome == RunOutcome.OK
    by_recipient = {tuple(rcpt): i for i, rcpt in enumerate(smtp.recipients)}
    assert set(by_recipient) == {
        ("supervisor@example.org",),
        ("leader_a@example.org",),
        ("staff_a@example.org",),
        ("leader_b@example.org",),
    }
    staff = by_recipient[("staff_a@example.org",)]
    message = smtp.messages[staff]
    # Folded headers unfold with their leading space; mail clients show the subject trimmed.
    assert (
        str(message["Subject"]).strip() == "整改预警提醒：红色预警1条、黄色预警1条"
    )  # A9, and measure_a behind
    assert "巡察整改管理系统" in str(message["From"])
    body = smtp.text(staff)
    assert "整改措施A9“整改公务接待超标准问题”：红色预警（已逾期）" in body
    assert "http://127.0.0.1:8000/supervision/warnings/" in body
    assert run.counts["emails_sent"] == 4
    assert run.counts["emails_failed"] == 0
    assert not Notification.objects.filter(emailed_at__isnull=True, user__email__gt="").exists()

    clock(D(2025, 4, 12))
    sweep()  # nothing changed: nothing sent
    assert len(smtp.messages) == 4


def test_weekly_summary_is_an_html_mail(
    world: World, clock: Clock, sweep: Sweep, smtp: Mailbox, weekly: Any
) -> None:
    give_addresses(world)
    clock(D(2025, 4, 1))
    MeasureFactory(
        finding=world.detail_a,
        lead_department=world.dept_a,
        code="A5",
        text="建立接待台账",
        deadline=D(2025, 4, 16),
        progress=80,
        last_reported_at=None,
    )
    clock(D(2025, 4, 14))
    run = weekly()
    assert run is not None
    assert run.outcome == RunOutcome.OK
    index = smtp.recipients.index(["leader_a@example.org"])
    assert str(smtp.messages[index]["Subject"]).strip() == "整改工作每周汇总（2025年4月7日至2025年4月13日）"
    html = smtp.html(index)
    assert "<table" in html
    assert "区文旅局" in html
    assert "建立接待台账" in html
    assert "http://127.0.0.1:8000/supervision/weekly.docx?date=2025-04-14" in html
    assert "下周到期1条" in smtp.text(index)


def test_mail_failure_is_recorded_on_the_run_and_the_notification(
    world: World, clock: Clock, sweep: Sweep, settings: Any
) -> None:
    give_addresses(world)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        free_port(),
        2,
    )  # nobody listens
    clock(D(2025, 4, 12))
    run = sweep()
    assert run.outcome == RunOutcome.FAILED
    assert "邮件发送失败" in run.error
    with_address = Notification.objects.exclude(user__email="")
    assert run.counts["emails_failed"] == with_address.count() == 4
    errors = with_address.values_list("email_error", flat=True)
    assert all(error.startswith("ConnectionRefusedError") for error in errors)
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0
    assert Notification.objects.count() == run.counts["notifications"]  # the in-app messages stand


def test_no_mail_when_email_is_not_configured(
    world: World, clock: Clock, sweep: Sweep, settings: Any
) -> None:
    from django.core import mail

    settings.EMAIL_HOST = ""
    give_addresses(world)
    clock(D(2025, 4, 12))
    run = sweep()
    assert run.counts["notifications"] > 0
    assert "emails_sent" not in run.counts
    assert mail.outbox == []
