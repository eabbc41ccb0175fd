"""销号 and 延期 through the API: the lists page by cursor as /measures does (`limit` alone still works); the four
decide endpoints share one shape: a read-only token is a 403, another unit's request a 404, and nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.api.conftest import ApiClient, api_as
from tests.conftest import World
from tests.factories import MeasureFactory, report_with_evidence
from zhenggai.api.models import TokenScope
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.models import AuditEvent, Extension, SignOff
from zhenggai.ledger.services import approve_signoff, request_extension, request_signoff


def _all_pages(client: ApiClient, path: str, **params: Any) -> tuple[list[int], int]:
    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        body = client.get(path, **params, **({"cursor": cursor} if cursor else {})).json()
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def _two_months_later(measure: Any) -> dt.date:
    return max(measure.deadline, timezone.localdate()) + dt.timedelta(days=60)


def _measures(world: World, count: int) -> list[Any]:
    return [MeasureFactory(finding=world.detail_a, lead_department=world.dept_a) for _ in range(count)]


def test_signoff_pages_follow_the_cursor_without_gaps_or_repeats(world: World) -> None:
    made = []
    for measure in [world.measure_a, *_measures(world, 4)]:
        report_with_evidence(world.staff_a, measure)
        made.append(request_signoff(by=world.staff_a, measure=measure, note="已完成"))
    approved = approve_signoff(by=world.leader_a, signoff=made.pop(), note="同意")
    client = api_as(world.leader_a)
    assert _all_pages(client, "/signoffs", limit=2) == ([s.pk for s in made], 2)
    assert _all_pages(client, "/signoffs", decision=Decision.APPROVED, limit=2) == ([approved.pk], 1)


def test_extension_pages_follow_the_cursor_and_limit_alone_is_the_first_page(world: World) -> None:
    made = [
        request_extension(by=world.staff_a, measure=m, new_deadline=_two_months_later(m), reason="待批复").pk
        for m in [world.measure_a, *_measures(world, 4)]
    ]
    client = api_as(world.leader_a)
    assert _all_pages(client, "/extensions", limit=2) == (made, 3)
    first = client.get("/extensions", limit=3).json()
    assert [row["id"] for row in first["items"]] == made[:3]
    assert first["next_cursor"] is not None
    everything = client.get("/extensions").json()  # default limit 100: one page
    assert [row["id"] for row in everything["items"]] == made
    assert everything["next_cursor"] is None


def test_a_cursor_that_is_not_ours_is_a_chinese_422(world: World) -> None:
    response = api_as(world.leader_a).get("/signoffs", cursor="不是游标")
    assert response.status_code == 422
    assert "翻页游标无效" in response.json()["detail"]


def _one_of_each(world: World) -> tuple[SignOff, Extension]:
    extension = request_extension(
        by=world.staff_a,
        measure=world.measure_a,
        new_deadline=_two_months_later(world.measure_a),
        reason="待批复",
    )
    other = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a)
    report_with_evidence(world.staff_a, other)
    return request_signoff(by=world.staff_a, measure=other, note="已完成"), extension


DECISIONS = [
    ("/signoffs/{}/approve", {"note": "同意"}),
    ("/signoffs/{}/reject", {"reason": "佐证不足"}),
    ("/extensions/{}/approve", {"note": "同意"}),
    ("/extensions/{}/reject", {"reason": "理由不足"}),
]


def test_decisions_on_another_units_requests_are_404_and_a_read_only_token_is_403(world: World) -> None:
    signoff, extension = _one_of_each(world)
    outsider = api_as(world.leader_b)
    read_only = api_as(world.leader_a, TokenScope.READ)
    before = AuditEvent.objects.count()
    for path, body in DECISIONS:
        target = signoff if path.startswith("/signoffs") else extension
        assert outsider.post(path.format(target.pk), body, json=True).status_code == 404, path
        refused = read_only.post(path.format(target.pk), body, json=True)
        assert refused.status_code == 403, path
        assert refused["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.count() == before
    assert SignOff.objects.get(pk=signoff.pk).decision == Decision.PENDING
    assert Extension.objects.get(pk=extension.pk).decision == Decision.PENDING


def test_each_decision_answers_the_decided_request_in_its_shape(world: World) -> None:
    signoff, extension = _one_of_each(world)
    client = api_as(world.leader_a)
    rejected = client.post(f"/signoffs/{signoff.pk}/reject", {"reason": "佐证不足"}, json=True).json()
    assert (rejected["id"], rejected["decision"], rejected["review_note"]) == (
        signoff.pk,
        Decision.REJECTED,
        "佐证不足",
    )
    assert "outcome" in rejected
    approved = client.post(f"/extensions/{extension.pk}/approve", {"note": "同意"}, json=True).json()
    assert (approved["id"], approved["decision"]) == (extension.pk, Decision.APPROVED)
    assert approved["new_deadline"] == _two_months_later(world.measure_a).isoformat()
