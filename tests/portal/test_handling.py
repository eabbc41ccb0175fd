"""群众意见 inside: the unit's queue, the handling steps with audit, the working-day calendar, masking, the
sweep's red warning on the 16th working day, the Monday summary line and the erasure of contact data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from zhenggai.ledger.errors import InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Clue
from zhenggai.portal.choices import FeedbackState
from zhenggai.portal.models import CalendarDay, PublicFeedback
from zhenggai.portal.services import (
    Submission,
    accept_feedback,
    answer_feedback,
    create_clue,
    mask_phone,
    reject_feedback,
    submit_feedback,
    visible_feedback,
)
from zhenggai.portal.workdays import add_working_days
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.digest import digest_for
from zhenggai.supervision.models import Notification
from zhenggai.supervision.services import run_sweep

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def submit(world: World, nonce: str = "n1", **kw: Any) -> PublicFeedback:
    fields: dict[str, Any] = {
        "unit": world.unit_a,
        "category": "problem",
        "content": "办公室接待仍无审批单。",
        "captcha_nonce": nonce,
        "ip": "10.0.0.1",
        "name": "李四",
        "phone": "13912345678",
        "email": "li@example.cn",
    }
    feedback, _code = submit_feedback(Submission(**(fields | kw)))
    return feedback


def test_the_shipped_calendar_knows_2026_holidays_and_tiaoxiu_workdays(shipped_calendar: None) -> None:
    assert CalendarDay.objects.get(day=dt.date(2026, 10, 1)).is_workday is False
    assert CalendarDay.objects.get(day=dt.date(2026, 10, 10)).is_workday is True  # Saturday 调休
    assert CalendarDay.objects.filter(day__year=2027).exists()
    # Wednesday 30 September 2026: the 国庆 week is skipped, Saturday 10 October counts
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # an ordinary fortnight: 15 working days from Monday 30 November 2026 is Monday 21 December
    assert add_working_days(dt.date(2026, 11, 30), 15) == dt.date(2026, 12, 21)


def test_the_admin_can_add_a_holiday_and_it_counts(db: Any) -> None:
    CalendarDay.objects.create(day=dt.date(2026, 12, 1), is_workday=False, note="测试")
    assert add_working_days(dt.date(2026, 11, 30), 1) == dt.date(2026, 12, 2)


def test_feedback_lands_in_the_units_queue_with_an_unread_message_for_its_leaders(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        feedback = submit(world)
    assert list(visible_feedback(world.leader_a)) == [feedback]
    assert list(visible_feedback(world.supervisor)) == [feedback]
    assert not visible_feedback(world.leader_b).exists()
    assert not visible_feedback(world.staff_a).exists()
    note = Notification.objects.get(user=world.leader_a, kind=NotificationKind.FEEDBACK)
    assert note.read_at is None
    assert note.link == f"/feedback/{feedback.pk}/"
    assert "13912345678" not in note.body
    page = Client()
    page.force_login(world.leader_a)
    assert page.get(reverse("feedback:detail", args=[feedback.pk])).status_code == 200
    page.force_login(world.leader_b)
    assert page.get(reverse("feedback:detail", args=[feedback.pk])).status_code == 404


def test_contact_is_masked_except_for_the_handler_and_the_supervisor(world: World) -> None:
    feedback = submit(world)
    client = Client()
    client.force_login(world.leader_a)
    page = client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "李某" in page
    client.force_login(world.supervisor)
    assert "13912345678" in client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    accept_feedback(by=world.leader_a, feedback=feedback, handler=world.staff_a)
    client.force_login(world.staff_a)
    assert "13912345678" in client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert mask_phone("13812341234") == "138****1234"


def test_handling_steps_are_checked_and_audited(world: World) -> None:
    feedback = submit(world)
    with pytest.raises(NotPermitted):
        accept_feedback(by=world.staff_a, feedback=feedback, handler=world.staff_a)
    with pytest.raises(NotPermitted):
        accept_feedback(by=world.leader_b, feedback=feedback, handler=world.leader_b)
    handled = accept_feedback(by=world.leader_a, feedback=feedback, handler=world.staff_a)
    assert (handled.state, handled.handler) == (FeedbackState.HANDLING, world.staff_a)
    answered = answer_feedback(by=world.staff_a, feedback=handled, answer="已补办审批手续。")
    assert answered.state == FeedbackState.ANSWERED
    assert answered.answered_on_time
    with pytest.raises(InvalidTransition):
        reject_feedback(by=world.leader_a, feedback=answered, reason="重复")
    actions = list(
        AuditEvent.objects.filter(object_type="publicfeedback", object_id=str(feedback.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["submit_feedback", "accept_feedback", "answer_feedback"]


def test_feedback_can_become_a_clue_and_be_rejected_with_a_reason(world: World) -> None:
    feedback = submit(world)
    clue = create_clue(by=world.leader_a, feedback=feedback, inspection=world.inspection_a)
    assert clue.inspection == world.inspection_a
    assert "13912345678" not in clue.summary
    assert Clue.objects.count() == 1
    rejected = reject_feedback(by=world.leader_a, feedback=feedback, reason="已转纪检监察机关办理。")
    assert rejected.state == FeedbackState.REJECTED
    assert rejected.closed_at is not None


def test_the_16th_working_day_without_an_answer_turns_it_red_in_the_sweep(world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=False):
        feedback = submit(world)
    assert feedback.due_on == dt.date(2026, 12, 21)  # the 15th working day
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=SHANGHAI), tick=False):
        run_sweep()
        assert PublicFeedback.objects.get(pk=feedback.pk).red_since is None
    with time_machine.travel(dt.datetime(2026, 12, 22, 9, tzinfo=SHANGHAI), tick=False):
        run = run_sweep()
        assert run.counts["feedback_red_new"] == 1
        assert PublicFeedback.objects.get(pk=feedback.pk).red_since == dt.date(2026, 12, 22)
        warned = Notification.objects.filter(
            kind=NotificationKind.WARNING, title__contains="群众意见超期未答复"
        )
        assert {n.user for n in warned} >= {world.leader_a, world.supervisor}
        assert digest_for(world.supervisor).feedback_overdue == 1
        client = Client()
        client.force_login(world.leader_a)
        assert "feedback-overdue" in client.get(reverse("feedback:queue")).content.decode()
        assert run_sweep().counts["feedback_red_new"] == 0  # warned once


def test_contact_data_is_erased_a_year_after_closing_by_the_sweep(world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=False):
        feedback = submit(world)
        answer_feedback(by=world.leader_a, feedback=feedback, answer="已办理。")
    with time_machine.travel(dt.datetime(2027, 11, 29, 10, tzinfo=SHANGHAI), tick=False):
        assert run_sweep().counts["feedback_contacts_erased"] == 0
    with time_machine.travel(dt.datetime(2027, 12, 1, 10, tzinfo=SHANGHAI), tick=False):
        assert run_sweep().counts["feedback_contacts_erased"] == 1
    kept = PublicFeedback.objects.get(pk=feedback.pk)
    assert (kept.name, kept.phone, kept.email) == ("", "", "")
    assert kept.contact_erased_at is not None
    assert kept.content
    assert AuditEvent.objects.filter(action="erase_feedback_contact", object_id=str(feedback.pk)).exists()
    assert timezone.now()  # the clock is back


def test_the_system_administrator_keeps_the_holiday_table_in_the_admin(world: World) -> None:
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", "root@example.cn", "pw-123456789")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/portal/calendarday/add/", {"day": "2027-02-04", "is_workday": "", "note": "春节调休"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(day=dt.date(2027, 2, 4)).is_workday is False
    assert AuditEvent.objects.filter(action="admin_add_calendarday").exists()


def test_attachments_are_downloaded_only_by_those_who_see_the_item(world: World) -> None:
    import io

    from zhenggai.ledger.services.evidence import UploadedEvidence

    feedback = submit(world, files=[UploadedEvidence("现场.pdf", io.BytesIO(b"%PDF-1.4 scene"))])
    attachment = feedback.attachments.get()
    url = reverse("feedback:attachment", args=[feedback.pk, attachment.pk])
    client = Client()
    client.force_login(world.leader_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scene"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    client.force_login(world.leader_b)
    assert client.get(url).status_code == 404


def test_the_overview_shows_each_units_feedback_figures(world: World) -> None:
    submit(world)
    late = submit(world, nonce="n2", phone="")
    PublicFeedback.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 2))
    done = submit(world, nonce="n3", phone="")
    answer_feedback(by=world.leader_a, feedback=done, answer="已办理。")
    client = Client()
    client.force_login(world.supervisor)
    page = client.get(reverse("overview")).content.decode()
    assert "共收到3条，按时答复1条" in page
    assert "超期未答复1条" in page


def test_a_published_answer_appears_on_the_units_public_page_without_the_senders_message(
    world: World,
) -> None:
    from tests.portal.conftest import published

    published(world)
    feedback = submit(world)
    url = reverse("portal:unit", args=[world.unit_a.pk])
    client = Client()
    assert "群众意见答复" not in client.get(url).content.decode()
    answered = answer_feedback(by=world.leader_a, feedback=feedback, answer="已补办接待审批手续。")
    assert "已补办接待审批手续" not in client.get(url).content.decode()  # answered, not published
    from zhenggai.portal.services import publish_answer

    publish_answer(by=world.leader_a, feedback=answered)
    page = client.get(url).content.decode()
    assert "已补办接待审批手续" in page
    assert "办公室接待仍无审批单" not in page
    assert "13912345678" not in page
    assert "李四" not in page
