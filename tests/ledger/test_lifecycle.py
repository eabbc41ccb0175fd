"""The measure lifecycle of DESIGN.md §3, walked through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Measure, ProgressReport, SignOff


def _state(measure: Measure) -> tuple[Any, ...]:
    """Everything an illegal call must leave untouched."""
    measure.refresh_from_db()
    return (
        measure.status,
        measure.progress,
        measure.deadline,
        measure.completed_date,
        AuditEvent.objects.count(),
        ProgressReport.objects.count(),
        SignOff.objects.count(),
    )


def _report(world: World, progress: int = 100) -> None:
    report_with_evidence(world.staff_a, world.measure_a, progress, "已完成制度起草")


def test_first_report_starts_a_draft_measure(world: World) -> None:
    _report(world, 30)
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.IN_PROGRESS
    assert world.measure_a.progress == 30
    assert world.measure_a.last_reported_at is not None


def test_full_cycle_request_reject_report_again_approve(world: World) -> None:
    _report(world)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.PENDING_SIGNOFF

    services.reject_signoff(by=world.leader_a, signoff=signoff, reason="缺少制度印发文件")
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.IN_PROGRESS
    signoff.refresh_from_db()
    assert (signoff.decision, signoff.review_note) == (Decision.REJECTED, "缺少制度印发文件")

    _report(world, 100)
    second = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    with time_machine.travel(dt.datetime(2030, 5, 1, 10, tzinfo=dt.UTC)):
        services.approve_signoff(by=world.leader_a, signoff=second)
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.DONE
    assert world.measure_a.progress == 100
    assert world.measure_a.completed_date == dt.date(2030, 5, 1)


def test_long_term_measure_can_be_signed_off_as_ongoing_and_keeps_reporting(world: World) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(kind=MeasureKind.LONG_TERM, deadline=None)
    _report(world)
    signoff = services.request_signoff(
        by=world.staff_a, measure=world.measure_a, periodic_review="每季度报送一次进展"
    )
    services.approve_signoff(by=world.leader_a, signoff=signoff, outcome=MeasureStatus.ONGOING)
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.ONGOING
    _report(world, 80)  # periodic reports continue
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.ONGOING


def test_only_long_term_measures_may_be_signed_off_as_ongoing(world: World) -> None:
    _report(world)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    before = _state(world.measure_a)
    with pytest.raises(InvalidInput, match="长期坚持"):
        services.approve_signoff(by=world.leader_a, signoff=signoff, outcome=MeasureStatus.ONGOING)
    assert _state(world.measure_a) == before


def test_reopen_returns_a_done_measure_to_work(world: World) -> None:
    _report(world)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    services.approve_signoff(by=world.leader_a, signoff=signoff)
    services.reopen_measure(by=world.supervisor, measure=world.measure_a, reason="回头看发现整改不实")
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.IN_PROGRESS
    assert world.measure_a.completed_date is None


def _done(world: World) -> None:
    _report(world)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    services.approve_signoff(by=world.leader_a, signoff=signoff)


def _pending(world: World) -> None:
    _report(world)
    services.request_signoff(by=world.staff_a, measure=world.measure_a)


ILLEGAL = [
    ("draft: request sign-off", None, lambda w: services.request_signoff(by=w.staff_a, measure=w.measure_a)),
    (
        "in progress: request sign-off without any report",
        lambda w: Measure.objects.filter(pk=w.measure_a.pk).update(status=MeasureStatus.IN_PROGRESS),
        lambda w: services.request_signoff(by=w.staff_a, measure=w.measure_a),
    ),
    (
        "draft: reopen",
        None,
        lambda w: services.reopen_measure(by=w.leader_a, measure=w.measure_a, reason="x"),
    ),
    (
        "pending: report progress",
        _pending,
        lambda w: services.report_progress(by=w.staff_a, measure=w.measure_a, text="补充", progress=90),
    ),
    (
        "pending: request sign-off again",
        _pending,
        lambda w: services.request_signoff(by=w.staff_a, measure=w.measure_a),
    ),
    (
        "done: report progress",
        _done,
        lambda w: services.report_progress(by=w.staff_a, measure=w.measure_a, text="补充", progress=90),
    ),
    ("done: request sign-off", _done, lambda w: services.request_signoff(by=w.staff_a, measure=w.measure_a)),
    (
        "done: request extension",
        _done,
        lambda w: services.request_extension(
            by=w.staff_a, measure=w.measure_a, new_deadline=dt.date(2031, 1, 1), reason="x"
        ),
    ),
    ("done: edit", _done, lambda w: services.edit_measure(by=w.leader_a, measure=w.measure_a, text="改")),
    (
        "done: approve the old sign-off again",
        _done,
        lambda w: services.approve_signoff(by=w.leader_a, signoff=SignOff.objects.get()),
    ),
    (
        "in progress: reject a decided sign-off",
        lambda w: (_done(w), services.reopen_measure(by=w.leader_a, measure=w.measure_a, reason="回头看")),
        lambda w: services.reject_signoff(by=w.leader_a, signoff=SignOff.objects.get(), reason="x"),
    ),
]


@pytest.mark.parametrize(("name", "arrange", "act"), ILLEGAL, ids=[case[0] for case in ILLEGAL])
def test_illegal_transition_is_refused_and_writes_nothing(
    world: World, name: str, arrange: Any, act: Any
) -> None:
    if arrange:
        arrange(world)
    before = _state(world.measure_a)
    with pytest.raises(InvalidTransition) as refused:
        act(world)
    assert refused.value.message  # a Chinese sentence for the user
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert _state(world.measure_a) == before


def test_requester_cannot_approve_or_reject_own_signoff(world: World) -> None:
    report_with_evidence(world.leader_a, world.measure_a)
    signoff = services.request_signoff(by=world.leader_a, measure=world.measure_a)
    before = _state(world.measure_a)
    with pytest.raises(NotPermitted, match="本人"):
        services.approve_signoff(by=world.leader_a, signoff=signoff)
    with pytest.raises(NotPermitted, match="本人"):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason="自己退回")
    assert _state(world.measure_a) == before
    services.approve_signoff(by=world.deputy_a, signoff=signoff)  # another leader may
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.DONE


def test_staff_and_viewers_cannot_sign_off(world: World) -> None:
    _report(world)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    for user in (world.staff_a, world.viewer_a):
        with pytest.raises(NotPermitted):
            services.approve_signoff(by=user, signoff=signoff)


def test_rejection_needs_a_reason(world: World) -> None:
    _pending(world)
    before = _state(world.measure_a)
    with pytest.raises(InvalidInput, match="退回理由不能为空"):
        services.reject_signoff(by=world.leader_a, signoff=SignOff.objects.get(), reason="  ")
    assert _state(world.measure_a) == before
