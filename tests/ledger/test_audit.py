"""全程纪实: every service call leaves exactly one audit event, with who, what, before and after."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.choices import ClueStatus, FindingLevel, RegulationKind
from zhenggai.ledger.models import AuditEvent, Clue, Extension, SignOff

PDF = b"%PDF-1.4\n%demo evidence\n"


def _pending(w: World) -> None:
    report_with_evidence(w.staff_a, w.measure_a)
    services.request_signoff(by=w.staff_a, measure=w.measure_a)


def _extension(w: World) -> None:
    services.request_extension(
        by=w.staff_a, measure=w.measure_a, new_deadline=dt.date(2030, 8, 1), reason="x"
    )


def _done(w: World) -> None:
    _pending(w)
    services.approve_signoff(by=w.leader_a, signoff=SignOff.objects.get())


def _clue(w: World) -> None:
    services.record_clue(by=w.leader_a, inspection=w.inspection_a, summary="线索")


Case = tuple[str, Callable[[World], Any] | None, Callable[[World], Any], bool]
CASES: list[Case] = [
    ("create_inspection", None, lambda w: services.create_inspection(
        by=w.leader_a, inspected_unit=w.unit_a, inspector="区委巡察三组",
        findings=[services.FindingSpec(FindingLevel.PROBLEM, "关于X的问题", measures=[services.MeasureSpec("措施")])],
    ), False),
    ("add_finding", None, lambda w: services.add_finding(
        by=w.leader_a, inspection=w.inspection_a, level=FindingLevel.PROBLEM, title="关于Y的问题"), False),
    ("update_inspection", None, lambda w: services.update_inspection(
        by=w.leader_a, inspection=w.inspection_a, organising_work="成立领导小组"), True),
    ("add_measure", None, lambda w: services.add_measure(
        by=w.leader_a, finding=w.detail_a, spec=services.MeasureSpec("新增措施")), False),
    ("edit_measure", None, lambda w: services.edit_measure(
        by=w.leader_a, measure=w.measure_a, responsible_person="张某某"), True),
    ("report_progress", None, lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="推进", progress=20,
        files=[services.UploadedEvidence("制度.pdf", io.BytesIO(PDF))]), True),
    ("request_signoff", lambda w: report_with_evidence(w.staff_a, w.measure_a),
     lambda w: services.request_signoff(by=w.staff_a, measure=w.measure_a), True),
    ("approve_signoff", _pending, lambda w: services.approve_signoff(by=w.leader_a, signoff=SignOff.objects.get()), True),
    ("reject_signoff", _pending, lambda w: services.reject_signoff(
        by=w.leader_a, signoff=SignOff.objects.get(), reason="不足"), True),
    ("request_extension", None, _extension, True),
    ("approve_extension", _extension, lambda w: services.approve_extension(
        by=w.leader_a, extension=Extension.objects.get()), True),
    ("reject_extension", _extension, lambda w: services.reject_extension(
        by=w.leader_a, extension=Extension.objects.get(), reason="不同意"), True),
    ("reopen_measure", _done, lambda w: services.reopen_measure(by=w.supervisor, measure=w.measure_a, reason="回头看"), True),
    ("record_regulation", None, lambda w: services.record_regulation(
        by=w.leader_a, inspection=w.inspection_a, kind=RegulationKind.REVISED, title="接待管理规定"), False),
    ("record_clue", None, _clue, False),
    ("update_clue", _clue, lambda w: services.update_clue(
        by=w.leader_a, clue=Clue.objects.get(), handling="已核查", outcome="已了结", status=ClueStatus.CLOSED), True),
]  # fmt: skip


@pytest.mark.parametrize(("action", "arrange", "act", "has_before"), CASES, ids=[c[0] for c in CASES])
def test_every_service_call_leaves_exactly_one_audit_event(
    world: World, action: str, arrange: Any, act: Any, has_before: bool
) -> None:
    if arrange:
        arrange(world)
    start = AuditEvent.objects.count()
    act(world)
    assert AuditEvent.objects.count() == start + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == action
    assert event.actor is not None
    assert event.unit == world.unit_a
    assert event.after
    if has_before:
        assert event.before
        assert event.before != event.after


def test_audit_event_carries_the_request_id_of_the_web_request(world: World) -> None:
    # The health check changes nothing; an audited admin change through a request carries its id.
    client = Client()
    client.force_login(world.supervisor)
    world.supervisor.is_staff = True
    world.supervisor.is_superuser = True
    world.supervisor.save()
    response = client.post(
        f"/admin/ledger/unit/{world.dept_a.pk}/change/",
        {"name": "文旅局综合办公室", "short_name": "", "kind": "department", "parent": world.unit_a.pk},
        headers={"x-request-id": "req-42"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.request_id) == ("admin_change_unit", "req-42")
    assert (event.before["name"], event.after["name"]) == ("文旅局办公室", "文旅局综合办公室")


def test_audit_is_written_in_the_same_transaction(world: World) -> None:
    """If the change fails after the audit row is written, neither survives."""
    from zhenggai.ledger.models import Measure

    before = AuditEvent.objects.count()

    def change_then_fail() -> None:
        with transaction.atomic():
            services.edit_measure(by=world.leader_a, measure=world.measure_a, text="将被回滚")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        change_then_fail()
    assert AuditEvent.objects.count() == before
    assert Measure.objects.get(pk=world.measure_a.pk).text != "将被回滚"
