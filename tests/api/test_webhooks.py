"""Webhooks against a real HTTP receiver on 127.0.0.1 that checks the signatures as DingTalk and we specify."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookKind
from zhenggai.api.webhooks import DISABLE_AFTER, MAX_ATTEMPTS, deliver_due
from zhenggai.ledger.services import approve_signoff, request_signoff
from zhenggai.supervision.notices import issue_supervision_notice

SECRET = "SEC0123456789abcdef"


@dataclass
class Receiver:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int = 0  # answer this status instead of 200 when set


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            path = urllib.parse.urlsplit(self.path).path
            ok = True
            if path == "/dingtalk":
                stamp, sign = query["timestamp"][0], query["sign"][0]
                expected = base64.b64encode(
                    hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
                ).decode()
                ok = sign == expected  # parse_qs has already undone the URL encoding
            elif path == "/json":
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                ok = self.headers.get("X-Zhenggai-Signature") == expected
            state.received.append({"path": path, "ok": ok, "body": json.loads(body)})
            status = state.fail_with or (200 if ok else 401)
            answer = {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def endpoint(unit: Any, kind: str, url: str, events: list[str] | None = None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        unit=unit, name=kind, kind=kind, url=url, secret=SECRET, events=events or []
    )


def test_signoff_events_reach_dingtalk_signed_and_nothing_is_sent_inside_the_request(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint(world.unit_a, WebhookKind.DINGTALK, receiver.url + "/dingtalk?access_token=abc")
    endpoint(world.unit_b, WebhookKind.DINGTALK, receiver.url + "/dingtalk?access_token=other")
    report_with_evidence(world.staff_a, world.measure_a)
    with django_capture_on_commit_callbacks(execute=True):
        signoff = request_signoff(by=world.staff_a, measure=world.measure_a)
    assert receiver.received == []  # queued only
    with django_capture_on_commit_callbacks(execute=True):
        approve_signoff(by=world.leader_a, signoff=signoff)
    assert deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert [r["ok"] for r in receiver.received] == [True, True]
    titles = [r["body"]["markdown"]["title"] for r in receiver.received]
    assert titles[0].startswith("销号申请")
    assert titles[1].startswith("销号已通过")
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2  # unit B got nothing


def test_supervisors_json_webhook_gets_the_notice_signed_over_the_body(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint(world.district, WebhookKind.JSON, receiver.url + "/json", [WebhookEvent.NOTICE_ISSUED])
    with django_capture_on_commit_callbacks(execute=True):
        issue_supervision_notice(
            by=world.supervisor,
            measures=[world.measure_a],
            title="推进缓慢",
            content="请于期限内回复",
            reply_deadline=timezone.localdate() + dt.timedelta(days=5),
        )
    deliver_due()
    (message,) = receiver.received
    assert message["ok"]
    assert message["body"]["event"] == "notice_issued"
    assert message["body"]["unit"] == world.unit_a.name


def test_wecom_robot_gets_markdown(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint(world.unit_a, WebhookKind.WECOM, receiver.url + "/wecom?key=k")
    report_with_evidence(world.staff_a, world.measure_a)
    with django_capture_on_commit_callbacks(execute=True):
        request_signoff(by=world.staff_a, measure=world.measure_a)
    deliver_due()
    assert "整改措施" in receiver.received[0]["body"]["markdown"]["content"]


def test_failures_back_off_then_give_up_and_disable_the_endpoint(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    target = endpoint(world.unit_a, WebhookKind.JSON, receiver.url + "/json")
    receiver.fail_with = 500
    report_with_evidence(world.staff_a, world.measure_a)
    with django_capture_on_commit_callbacks(execute=True):
        request_signoff(by=world.staff_a, measure=world.measure_a)
    now = timezone.now()
    assert deliver_due(now) == {"sent": 0, "retry": 1, "failed": 0}
    assert deliver_due(now) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet: backoff
    later = now
    for _ in range(MAX_ATTEMPTS - 1):
        later += dt.timedelta(days=1)
        deliver_due(later)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.last_status == 500
    target.refresh_from_db()
    assert target.failures == MAX_ATTEMPTS
    assert target.active == (MAX_ATTEMPTS < DISABLE_AFTER)
    WebhookEndpoint.objects.filter(pk=target.pk).update(failures=DISABLE_AFTER - 1)
    WebhookDelivery.objects.create(
        endpoint=target,
        event=WebhookEvent.WEEKLY_READY,
        payload={"title": "x", "text": "y"},
        next_attempt_at=later,
    )
    deliver_due(later)
    target.refresh_from_db()
    assert not target.active
    assert target.disabled_at is not None


def test_wrong_dingtalk_secret_is_a_failure_the_log_explains(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    target = endpoint(world.unit_a, WebhookKind.DINGTALK, receiver.url + "/dingtalk?access_token=abc")
    target.secret = "SECwrong"
    target.save()
    report_with_evidence(world.staff_a, world.measure_a)
    with django_capture_on_commit_callbacks(execute=True):
        request_signoff(by=world.staff_a, measure=world.measure_a)
    deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "401" in delivery.last_error or "310000" in delivery.last_error


def test_sweep_announces_red_measures_per_unit_and_delivers_after_its_transaction(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from zhenggai.supervision.services import run_sweep

    endpoint(world.unit_b, WebhookKind.JSON, receiver.url + "/json", [WebhookEvent.WARNING_RED])
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep()  # measure_b is overdue since 2024
    deliver_due()
    bodies = [r["body"] for r in receiver.received]
    assert [b["event"] for b in bodies] == ["warning_red"]
    assert bodies[0]["unit"] == world.unit_b.name
    assert bodies[0]["data"] == {"measures": 1}
