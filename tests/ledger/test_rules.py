"""Rules that keep the figures honest: 销号 only at 100 % with evidence, sane extensions, 逾期完成 counted apart,
and a reopened measure counting again as unfinished."""

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
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.models import AuditEvent, Extension, InspectionTally, Measure, SignOff

DEADLINE = dt.date(2030, 6, 30)  # world.measure_a's


def _written(measure: Measure) -> tuple[Any, ...]:
    measure.refresh_from_db()
    return (measure.status, measure.version, AuditEvent.objects.count(), SignOff.objects.count())


def _at(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC), tick=False)


def _sign_off(world: World, on: dt.date) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    with _at(on):
        services.approve_signoff(by=world.leader_a, signoff=signoff)


# --- 销号 -------------------------------------------------------------------------------------------------


def test_signoff_is_refused_below_100_percent(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a, progress=10)
    before = _written(world.measure_a)
    with pytest.raises(InvalidInput, match="当前进度为10%，进度达到100%方可申请销号"):
        services.request_signoff(by=world.staff_a, measure=world.measure_a)
    assert _written(world.measure_a) == before


def test_signoff_is_refused_without_evidence_on_any_report(world: World) -> None:
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="全部完成", progress=100)
    before = _written(world.measure_a)
    with pytest.raises(InvalidTransition, match="尚无佐证材料"):
        services.request_signoff(by=world.staff_a, measure=world.measure_a)
    assert _written(world.measure_a) == before


def test_evidence_on_an_earlier_report_is_enough(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a, progress=60)
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="全部完成", progress=100)
    services.request_signoff(by=world.staff_a, measure=world.measure_a)
    world.measure_a.refresh_from_db()
    assert world.measure_a.status == MeasureStatus.PENDING_SIGNOFF


def test_long_term_measure_below_100_percent_is_signed_off_as_ongoing_with_a_periodic_review(
    world: World,
) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(kind=MeasureKind.LONG_TERM, deadline=None)
    report_with_evidence(world.staff_a, world.measure_a, progress=60)
    with pytest.raises(InvalidInput, match="须写明定期复查安排") as refused:
        services.request_signoff(by=world.staff_a, measure=world.measure_a)
    assert refused.value.field == "periodic_review"

    signoff = services.request_signoff(
        by=world.staff_a, measure=world.measure_a, periodic_review="每季度报送一次进展"
    )
    with pytest.raises(InvalidInput, match="不能按“已完成”销号"):
        services.approve_signoff(by=world.leader_a, signoff=signoff)
    services.approve_signoff(by=world.leader_a, signoff=signoff, outcome=MeasureStatus.ONGOING)
    signoff.refresh_from_db()
    world.measure_a.refresh_from_db()
    assert (world.measure_a.status, world.measure_a.progress) == (MeasureStatus.ONGOING, 60)
    assert (signoff.decision, signoff.periodic_review) == (Decision.APPROVED, "每季度报送一次进展")


def test_ongoing_signoff_needs_a_stated_periodic_review(world: World) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(kind=MeasureKind.LONG_TERM)
    report_with_evidence(world.staff_a, world.measure_a)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    with pytest.raises(InvalidInput, match="定期复查安排"):
        services.approve_signoff(by=world.leader_a, signoff=signoff, outcome=MeasureStatus.ONGOING)
    services.approve_signoff(
        by=world.leader_a, signoff=signoff, outcome=MeasureStatus.ONGOING, periodic_review="每半年复查一次"
    )
    signoff.refresh_from_db()
    assert signoff.periodic_review == "每半年复查一次"


def test_only_long_term_measures_may_ask_for_ongoing(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    with pytest.raises(InvalidInput, match="只有长期坚持"):
        services.request_signoff(by=world.staff_a, measure=world.measure_a, periodic_review="每季度")


def test_returning_a_signoff_needs_a_written_opinion(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    with pytest.raises(InvalidInput, match="退回理由不能为空"):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason=" ")
    services.reject_signoff(by=world.leader_a, signoff=signoff, reason="佐证材料不全")
    signoff.refresh_from_db()
    assert signoff.review_note == "佐证材料不全"


# --- 延期 -------------------------------------------------------------------------------------------------


def test_extension_to_9999_12_31_is_refused_with_a_message(world: World) -> None:
    with pytest.raises(InvalidInput, match="超过1095天，不予受理") as refused:
        services.request_extension(
            by=world.staff_a, measure=world.measure_a, new_deadline=dt.date(9999, 12, 31), reason="无限期"
        )
    assert refused.value.field == "new_deadline"
    assert "9999年12月31日" in refused.value.message
    assert not Extension.objects.exists()


def test_extension_must_move_the_deadline_later(world: World) -> None:
    with pytest.raises(InvalidInput, match="应晚于现有整改时限"):
        services.request_extension(
            by=world.staff_a, measure=world.measure_a, new_deadline=DEADLINE, reason="x"
        )


def test_refusal_limit_comes_from_the_settings(world: World, settings: Any) -> None:
    settings.EXTENSION_REFUSE_DAYS = 100
    with pytest.raises(InvalidInput, match="超过100天"):
        services.request_extension(
            by=world.staff_a,
            measure=world.measure_a,
            new_deadline=DEADLINE + dt.timedelta(days=101),
            reason="x",
        )


def test_extension_limits_name_what_is_beyond_them(world: World, settings: Any) -> None:
    short = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=DEADLINE + dt.timedelta(days=90), reason="x"
    )
    assert services.extension_limits(short) == []
    services.reject_extension(by=world.leader_a, extension=short, reason="不同意")
    long = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=DEADLINE + dt.timedelta(days=200), reason="x"
    )
    assert services.extension_limits(long) == ["延期200天，超过90天"]
    settings.EXTENSION_MAX_DAYS = 365
    settings.EXTENSION_MAX_COUNT = 0
    assert services.extension_limits(long) == ["已延期0次，每条措施至多0次"]


# --- 逾期完成 and reopening --------------------------------------------------------------------------------


def test_measure_signed_off_after_its_deadline_is_done_late(world: World) -> None:
    _sign_off(world, DEADLINE + dt.timedelta(days=5))
    world.measure_a.refresh_from_db()
    assert world.measure_a.is_done_late
    assert world.measure_a.status_label == "逾期完成"
    figures = inspection_figures(world.inspection_a.pk)
    assert figures is not None
    assert (figures["done"], figures["done_late"]) == (1, 1)
    assert InspectionTally.objects.get(pk=world.inspection_a.pk).done_late == 1


def test_measure_signed_off_on_its_deadline_is_done_on_time(world: World) -> None:
    _sign_off(world, DEADLINE)
    world.measure_a.refresh_from_db()
    assert not world.measure_a.is_done_late
    assert world.measure_a.status_label == "已完成"
    figures = inspection_figures(world.inspection_a.pk)
    assert figures is not None
    assert (figures["done"], figures["done_late"]) == (1, 0)


def test_reopened_measure_returns_to_work_and_counts_again_as_unfinished(world: World) -> None:
    _sign_off(world, DEADLINE + dt.timedelta(days=5))
    tally = InspectionTally.objects.get(pk=world.inspection_a.pk)
    assert (tally.done, tally.done_late, tally.ongoing, tally.completion_rate) == (1, 1, 0, 100.0)

    services.reopen_measure(by=world.supervisor, measure=world.measure_a, reason="回头看发现整改不实")

    world.measure_a.refresh_from_db()
    assert (world.measure_a.status, world.measure_a.completed_date) == (MeasureStatus.IN_PROGRESS, None)
    tally.refresh_from_db()
    assert (tally.done, tally.done_late, tally.ongoing, tally.completion_rate) == (0, 0, 1, 0.0)
    figures = inspection_figures(world.inspection_a.pk)
    assert figures is not None
    assert (figures["done"], figures["done_late"], figures["completion_rate"]) == (0, 0, 0.0)


def test_a_supervisor_sets_an_inspections_own_extension_limits(world: World) -> None:
    extension = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=DEADLINE + dt.timedelta(days=120), reason="x"
    )
    assert services.extension_limits(extension) == ["延期120天，超过90天"]
    with pytest.raises(NotPermitted):
        services.set_extension_limits(
            by=world.leader_a, inspection=world.inspection_a, max_days=180, max_count=3
        )

    services.set_extension_limits(
        by=world.supervisor, inspection=world.inspection_a, max_days=180, max_count=3
    )

    assert services.extension_limits(extension) == []
    event = AuditEvent.objects.get(action="set_extension_limits")
    assert event.before == {"extension_max_days": None, "extension_max_count": None}
    assert (event.after or {})["extension_max_days"] == 180
    services.set_extension_limits(
        by=world.supervisor, inspection=world.inspection_a, max_days=None, max_count=None
    )
    assert services.extension_limits(extension) == ["延期120天，超过90天"]


def test_extension_limits_out_of_range_are_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match="单次延期上限应在1至1095天之间") as refused:
        services.set_extension_limits(
            by=world.supervisor, inspection=world.inspection_a, max_days=5000, max_count=2
        )
    assert refused.value.field == "extension_max_days"
