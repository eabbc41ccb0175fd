"""Webhooks: events go to the robots (钉钉, 企业微信) and JSON receivers of the unit and the units above it.

`announce` is called inside the state change's transaction and queues a WebhookDelivery per matching endpoint
once it commits (a rolled-back change announces nothing). Nothing is sent inside a request: the sweep, or
`zhenggai webhooks deliver`, drains the queue with retries and backoff; an endpoint failing again and again is
disabled. Signatures: 钉钉 per its robot "加签" rule (timestamp + "\\n" + secret, HMAC-SHA256, base64,
urlencoded into the URL); the generic JSON body carries X-Zhenggai-Signature: sha256=<hex HMAC of the body>.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhenggai.api.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookKind,
)
from zhenggai.ledger.models import Unit

logger = logging.getLogger(__name__)

# Wait before attempt n+1 (after n failures); after the last the delivery is given up.
BACKOFF = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
MAX_ATTEMPTS = len(BACKOFF) + 1
DISABLE_AFTER = 10  # consecutive failed attempts of one endpoint
TIMEOUT_SECONDS = 5
BATCH = 200


def announce(
    event: WebhookEvent, unit: Unit | None, title: str, text: str, link: str = "", **data: Any
) -> None:
    """Queue `event` for the endpoints of `unit` and its ancestors (all endpoints when unit is None)."""
    announce_many(event, [(unit, title, text, link, data)])


Message = tuple[Unit | None, str, str, str, dict[str, Any]]


def announce_many(event: WebhookEvent, messages: list[Message]) -> None:
    """Several messages of one event, queued on commit with one query for the endpoints."""
    if not messages:
        return
    now = timezone.now().isoformat()
    queued = [
        (
            unit.ancestor_paths() if unit is not None else None,
            {
                "event": str(event),
                "event_label": event.label,
                "unit": unit.name if unit is not None else "",
                "unit_id": unit.pk if unit is not None else None,
                "title": title,
                "text": text,
                "link": settings.SITE_URL + link if link.startswith("/") else link,
                "occurred_at": now,
                "data": data,
            },
        )
        for unit, title, text, link, data in messages
    ]
    transaction.on_commit(lambda: _queue(event, queued))


def _queue(event: WebhookEvent, queued: list[tuple[list[str] | None, dict[str, Any]]]) -> None:
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True).select_related("unit") if e.wants(str(event))
    ]
    if not endpoints:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event=event, payload=payload, next_attempt_at=now)
        for paths, payload in queued
        for e in endpoints
        if paths is None or e.unit.path in paths
    )


# --- what goes on the wire -------------------------------------------------------------------------------


@dataclass
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot signature: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), urlencoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def body_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _markdown(payload: dict[str, Any]) -> str:
    lines = [f"#### {payload['title']}", "", payload["text"].replace("\n", "\n\n")]
    if payload.get("link"):
        lines += ["", f"[在系统中查看]({payload['link']})"]
    return "\n".join(lines)


def build_request(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Request:
    payload = delivery.payload
    json_headers = {"Content-Type": "application/json; charset=utf-8"}
    if endpoint.kind == WebhookKind.DINGTALK:
        body = {"msgtype": "markdown", "markdown": {"title": payload["title"], "text": _markdown(payload)}}
        url = endpoint.url
        if endpoint.secret:
            stamp = int(time.time() * 1000)
            sep = "&" if "?" in url else "?"
            url += f"{sep}timestamp={stamp}&sign={dingtalk_sign(endpoint.secret, stamp)}"
        return Request(url, json.dumps(body, ensure_ascii=False).encode(), json_headers)
    if endpoint.kind == WebhookKind.WECOM:
        body = {"msgtype": "markdown", "markdown": {"content": _markdown(payload)}}
        return Request(endpoint.url, json.dumps(body, ensure_ascii=False).encode(), json_headers)
    raw = json.dumps(payload | {"delivery_id": delivery.pk}, ensure_ascii=False).encode()
    headers = json_headers | {"X-Zhenggai-Event": delivery.event, "X-Zhenggai-Delivery": str(delivery.pk)}
    if endpoint.secret:
        headers["X-Zhenggai-Signature"] = body_signature(endpoint.secret, raw)
    return Request(endpoint.url, raw, headers)


def _post(request: Request) -> tuple[int, str]:
    """(status, error) — error is empty on success. Robots answer 200 with errcode ≠ 0 when they refuse."""
    http = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            text = response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return 0, str(error)[:500]
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        return status, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500]
    return status, ""


# --- draining the queue ------------------------------------------------------------------------------------


def deliver_due(now: dt.datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send what is due; returns counts by outcome. Each delivery is claimed in its own short transaction."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        outcome = _attempt(pk, now)
        if outcome:
            counts[outcome] += 1
    return counts


def _attempt(pk: int, now: dt.datetime) -> str:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=pk, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return ""
        # Claim it: another drainer skips it until the request below has had its time.
        delivery.next_attempt_at = now + dt.timedelta(seconds=TIMEOUT_SECONDS * 4)
        delivery.save(update_fields=["next_attempt_at"])
    endpoint = delivery.endpoint
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=pk).update(
            status=DeliveryStatus.FAILED, last_error="推送地址已停用"
        )
        return "failed"
    status, error = _post(build_request(endpoint, delivery))
    delivery.attempts += 1
    delivery.last_status = status or None
    delivery.last_error = error
    if not error:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        outcome = "sent"
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failures=0)
    else:
        outcome = _failed(delivery, endpoint, now)
    delivery.save(
        update_fields=["attempts", "last_status", "last_error", "status", "sent_at", "next_attempt_at"]
    )
    return outcome


def _failed(delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: dt.datetime) -> str:
    logger.warning("webhook %s to %s failed: %s", delivery.pk, endpoint.pk, delivery.last_error)
    endpoint.refresh_from_db(fields=["failures"])
    endpoint.failures += 1
    fields = ["failures"]
    if endpoint.failures >= DISABLE_AFTER:
        endpoint.active = False
        endpoint.disabled_at = timezone.now()
        fields += ["active", "disabled_at"]
    endpoint.save(update_fields=fields)
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        return "failed"
    delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    return "retry"


# --- events raised by the sweep and the weekly summary -------------------------------------------------------


def announce_red_warnings(run_id: int) -> int:
    """One message per unit for the measures the sweep just turned red (a fixed number of queries)."""
    from zhenggai.supervision.choices import Colour
    from zhenggai.supervision.models import Warning

    counts = dict(
        Warning.objects.filter(run_id=run_id, colour=Colour.RED, measure__isnull=False)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    if not counts:
        return 0
    units = Unit.objects.in_bulk(list(counts))
    announce_many(
        WebhookEvent.WARNING_RED,
        [
            (
                unit,
                f"红灯预警：{unit.display_name}{counts[pk]}条整改措施",
                f"{unit.display_name}有{counts[pk]}条整改措施转为红灯（逾期或进度严重滞后），请尽快督促整改。",
                "/supervision/warnings/",
                {"measures": counts[pk]},
            )
            for pk, unit in sorted(units.items())
        ],
    )
    return len(units)
