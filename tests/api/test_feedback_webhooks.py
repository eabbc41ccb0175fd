"""群众意见 events on the webhook queue, delivered to the local receiver of test_webhooks that checks the
signatures: received (from the portal's submission) and overdue (from the sweep, once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.api.test_webhooks import Receiver, endpoint, receiver
from tests.conftest import World
from zhenggai.api.models import WebhookEvent, WebhookKind
from zhenggai.api.webhooks import deliver_due
from zhenggai.ledger.errors import InvalidInput
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.services import Submission, submit_feedback
from zhenggai.supervision.services import run_sweep

__all__ = ["receiver"]  # the fixture, shared with test_webhooks

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def submit(world: World, unit: Any = None) -> PublicFeedback:
    feedback, _code = submit_feedback(
        Submission(
            unit=unit or world.unit_a,
            category="problem",
            content="办公室接待仍无审批单。",
            captcha_nonce="n1",
            ip="10.0.0.1",
            name="李四",
            phone="13912345678",
        )
    )
    return feedback


def test_feedback_received_reaches_the_units_json_webhook_signed_without_the_sender(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint(world.district, WebhookKind.JSON, receiver.url + "/json", [WebhookEvent.FEEDBACK_RECEIVED])
    endpoint(world.unit_b, WebhookKind.JSON, receiver.url + "/json")
    with django_capture_on_commit_callbacks(execute=True):
        feedback = submit(world)
    assert receiver.received == []  # queued, not sent inside the submission
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    (message,) = receiver.received
    assert message["ok"]
    body = message["body"]
    assert body["event"] == "feedback_received"
    assert body["unit"] == world.unit_a.name
    assert body["data"]["feedback_id"] == feedback.pk
    assert body["link"].endswith(f"/feedback/{feedback.pk}/")
    sent = str(body)
    assert "李四" not in sent
    assert "13912345678" not in sent
    assert "审批单" not in sent


def test_rejected_submission_announces_nothing(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint(world.unit_a, WebhookKind.JSON, receiver.url + "/json")
    with django_capture_on_commit_callbacks(execute=True):
        submit(world)
    deliver_due()
    receiver.received.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvalidInput, match="验证码已使用过"),
    ):
        submit(world)  # the same captcha nonce: refused, rolled back
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}


def test_sweep_announces_overdue_feedback_once_to_dingtalk(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=False):
        feedback = submit(world)
    endpoint(
        world.unit_a, WebhookKind.DINGTALK, receiver.url + "/dingtalk?access_token=a", ["feedback_overdue"]
    )
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_sweep()  # the due day itself: not yet overdue
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    with time_machine.travel(dt.datetime(2026, 12, 22, 9, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_sweep()
        assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
        with django_capture_on_commit_callbacks(execute=True):
            run_sweep()  # warned once
        assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    (message,) = receiver.received
    assert message["ok"]
    markdown = message["body"]["markdown"]
    assert markdown["title"] == f"群众意见超期未答复（{world.unit_a.name}）"
    assert "2026年12月21日" in markdown["text"]
    assert f"/feedback/{feedback.pk}/" in markdown["text"]
