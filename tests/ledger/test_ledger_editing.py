"""Shaping a ledger in the browser: pasted rows, moves, deletes of rows without history, planned deadlines,
and 整改完成 — each change permission-checked and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Finding, Measure
from zhenggai.ledger.services.editing import split_lines


def test_pasted_lines_lose_their_list_numbers_and_blank_lines() -> None:
    pasted = "一、政治建设方面\n\n  1. 关于学习不深入的问题\n（1）针对学习流于形式的问题\n① 制定学习计划\n2、第二项"
    assert split_lines(pasted) == [
        "政治建设方面",
        "关于学习不深入的问题",
        "针对学习流于形式的问题",
        "制定学习计划",
        "第二项",
    ]


def test_leader_pastes_aspects_problems_details_and_measures(world: World) -> None:
    inspection = services.create_inspection(
        by=world.leader_a, inspected_unit=world.unit_a, inspector="区委巡察一组"
    )
    aspects = services.add_findings(
        by=world.leader_a, inspection=inspection, level=FindingLevel.ASPECT, lines="一、甲方面\n二、乙方面"
    )
    problems = services.add_findings(
        by=world.leader_a,
        inspection=inspection,
        level=FindingLevel.PROBLEM,
        parent=aspects[0],
        lines="1.关于甲的问题\n2.关于乙的问题",
    )
    details = services.add_findings(
        by=world.leader_a,
        inspection=inspection,
        level=FindingLevel.DETAIL,
        parent=problems[0],
        lines="（1）针对甲一的问题",
    )
    measures = services.add_measures(
        by=world.leader_a,
        finding=details[0],
        lines="一是建立台账\n二是完善制度",
        spec=services.MeasureSpec(text="", lead_department=world.dept_a, deadline=dt.date(2030, 6, 30)),
    )
    assert [f.title for f in problems] == ["关于甲的问题", "关于乙的问题"]
    assert [f.position for f in problems] == [1, 2]
    assert [m.text for m in measures] == ["一是建立台账", "二是完善制度"]
    assert all(m.lead_department == world.dept_a and m.status == MeasureStatus.DRAFT for m in measures)
    assert AuditEvent.objects.filter(action="add_finding").count() == 5
    assert AuditEvent.objects.filter(action="add_measure").count() == 2
    inspection.tally.refresh_from_db()
    assert (inspection.tally.problems, inspection.tally.measures) == (2, 2)


def test_a_detail_cannot_go_directly_under_an_aspect(world: World) -> None:
    aspect = services.add_findings(
        by=world.leader_a, inspection=world.inspection_a, level=FindingLevel.ASPECT, lines="甲方面"
    )[0]
    with pytest.raises(InvalidInput, match="下不能直接列具体问题"):
        services.add_findings(
            by=world.leader_a,
            inspection=world.inspection_a,
            level=FindingLevel.DETAIL,
            parent=aspect,
            lines="针对某某的问题",
        )


def test_staff_and_other_units_leaders_cannot_shape_the_ledger(world: World) -> None:
    for user in (world.staff_a, world.viewer_a, world.leader_b):
        with pytest.raises(NotPermitted):
            services.add_findings(
                by=user, inspection=world.inspection_a, level=FindingLevel.PROBLEM, lines="关于某的问题"
            )
    assert not Finding.objects.filter(title="关于某的问题").exists()


def test_supervisor_shapes_the_ledger_of_a_unit_below(world: World) -> None:
    added = services.add_findings(
        by=world.supervisor, inspection=world.inspection_a, level=FindingLevel.PROBLEM, lines="关于某的问题"
    )
    assert added[0].inspection == world.inspection_a


def test_one_bad_line_in_a_paste_writes_nothing(world: World) -> None:
    with pytest.raises(InvalidInput):
        services.add_findings(
            by=world.leader_a,
            inspection=world.inspection_a,
            level=FindingLevel.PROBLEM,
            lines="关于甲的问题\n" + "长" * 501,
        )
    assert not Finding.objects.filter(title="关于甲的问题").exists()


def test_moving_a_finding_swaps_it_with_its_neighbour_and_is_audited(world: World) -> None:
    inspection = services.create_inspection(
        by=world.leader_a, inspected_unit=world.unit_a, inspector="区委巡察一组"
    )
    first, _second, third = services.add_findings(
        by=world.leader_a, inspection=inspection, level=FindingLevel.ASPECT, lines="甲\n乙\n丙"
    )
    services.move_finding(by=world.leader_a, finding=third, direction=-1)
    order = list(
        Finding.objects.filter(inspection=inspection, level=FindingLevel.ASPECT)
        .order_by("position", "id")
        .values_list("title", flat=True)
    )
    assert order == ["甲", "丙", "乙"]
    assert AuditEvent.objects.filter(action="move_finding", object_id=str(third.pk)).exists()
    with pytest.raises(InvalidInput, match="已经是第一条"):
        services.move_finding(by=world.leader_a, finding=first, direction=-1)


def test_moving_a_measure_stays_within_its_finding(world: World) -> None:
    second = services.add_measures(by=world.leader_a, finding=world.detail_a, lines="第二条")[0]
    services.move_measure(by=world.leader_a, measure=second, direction=-1)
    order = list(
        Measure.objects.filter(finding=world.detail_a)
        .order_by("position", "id")
        .values_list("text", flat=True)
    )
    assert order == ["第二条", world.measure_a.text]
    with pytest.raises(InvalidInput, match="已经是最后一条"):
        services.move_measure(by=world.leader_a, measure=world.measure_a, direction=1)


def test_a_draft_measure_without_history_can_be_deleted(world: World) -> None:
    pk = world.measure_a.pk
    services.delete_measure(by=world.leader_a, measure=world.measure_a, expected_version=1)
    assert not Measure.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="delete_measure")
    assert event.object_id == str(pk)
    assert event.before is not None
    assert event.before["text"] == world.measure_a.text


def test_a_measure_with_a_progress_report_cannot_be_deleted(world: World) -> None:
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="已开始", progress=10)
    with pytest.raises(InvalidTransition, match="已有进展报送，不能删除"):
        services.delete_measure(by=world.leader_a, measure=world.measure_a)
    assert Measure.objects.filter(pk=world.measure_a.pk).exists()


def test_a_finding_with_measures_or_children_cannot_be_deleted(world: World) -> None:
    with pytest.raises(InvalidTransition, match="下还有整改措施"):
        services.delete_finding(by=world.leader_a, finding=world.detail_a)
    assert world.detail_a.parent is not None
    with pytest.raises(InvalidTransition, match="下还有下级条目"):
        services.delete_finding(by=world.leader_a, finding=world.detail_a.parent)
    services.delete_measure(by=world.leader_a, measure=world.measure_a)
    services.delete_finding(by=world.leader_a, finding=world.detail_a)
    assert not Finding.objects.filter(pk=world.detail_a.pk).exists()
    assert AuditEvent.objects.filter(action="delete_finding", object_id=str(world.detail_a.pk)).exists()


def test_staff_cannot_delete_a_measure(world: World) -> None:
    with pytest.raises(NotPermitted):
        services.delete_measure(by=world.staff_a, measure=world.measure_a)


def test_deadline_is_planned_on_a_draft_and_then_only_by_extension(world: World) -> None:
    measure = services.plan_deadline(
        by=world.leader_a, measure=world.measure_a, deadline=dt.date(2031, 1, 31), expected_version=1
    )
    assert (measure.deadline, measure.original_deadline) == (dt.date(2031, 1, 31), dt.date(2031, 1, 31))
    assert AuditEvent.objects.filter(action="plan_deadline").count() == 1
    services.report_progress(by=world.staff_a, measure=measure, text="已开始", progress=10)
    with pytest.raises(InvalidTransition, match="只能通过延期申请"):
        services.plan_deadline(by=world.leader_a, measure=measure, deadline=dt.date(2032, 1, 31))


def test_complete_inspection_is_refused_with_the_unfinished_measures(world: World) -> None:
    MeasureFactory(finding=world.detail_a, status=MeasureStatus.DONE, progress=100)
    with pytest.raises(services.UnfinishedMeasures) as refused:
        services.complete_inspection(by=world.leader_a, inspection=world.inspection_a)
    assert refused.value.measures == [world.measure_a]
    assert world.measure_a.code in refused.value.message
    world.inspection_a.refresh_from_db()
    assert world.inspection_a.rectified_at is None


def test_complete_inspection_when_all_measures_are_done_or_ongoing(world: World) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(status=MeasureStatus.ONGOING)
    MeasureFactory(finding=world.detail_a, status=MeasureStatus.DONE, progress=100)
    inspection = services.complete_inspection(by=world.leader_a, inspection=world.inspection_a)
    assert inspection.rectified_at is not None
    assert inspection.rectified_by == world.leader_a
    assert AuditEvent.objects.filter(action="complete_inspection").count() == 1
    with pytest.raises(InvalidTransition, match="不能再增加"):
        services.add_measures(by=world.leader_a, finding=world.detail_a, lines="补一条")
    services.reopen_inspection(by=world.leader_a, inspection=inspection, reason="回头看发现遗漏")
    inspection.refresh_from_db()
    assert inspection.rectified_at is None


def test_staff_cannot_mark_the_inspection_complete(world: World) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(status=MeasureStatus.DONE)
    with pytest.raises(NotPermitted):
        services.complete_inspection(by=world.staff_a, inspection=world.inspection_a)
