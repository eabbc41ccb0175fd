"""No lost updates: an edit made on a version someone else has changed since is refused, and explained."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.errors import Conflict, NotPermitted
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _version(obj: Measure | Finding | Inspection) -> int:
    obj.refresh_from_db()
    return obj.version


def test_every_change_of_a_measure_raises_its_version(world: World) -> None:
    measure = world.measure_a
    seen = [_version(measure)]
    services.edit_measure(by=world.leader_a, measure=measure, text="重新制定接待审批制度")
    seen.append(_version(measure))
    report_with_evidence(world.staff_a, measure)
    seen.append(_version(measure))
    extension = services.request_extension(
        by=world.staff_a, measure=measure, new_deadline=dt.date(2030, 9, 15), reason="需上级审批"
    )
    seen.append(_version(measure))  # a request alone changes no field of the measure
    services.approve_extension(by=world.leader_a, extension=extension)
    seen.append(_version(measure))
    signoff = services.request_signoff(by=world.staff_a, measure=measure)
    seen.append(_version(measure))
    services.reject_signoff(by=world.leader_a, signoff=signoff, reason="佐证不足")
    seen.append(_version(measure))
    signoff = services.request_signoff(by=world.staff_a, measure=measure)
    seen.append(_version(measure))
    services.approve_signoff(by=world.leader_a, signoff=signoff)
    seen.append(_version(measure))
    services.reopen_measure(by=world.leader_a, measure=measure, reason="回头看发现反弹")
    seen.append(_version(measure))

    assert seen == [1, 2, 3, 3, 4, 5, 6, 7, 8, 9]


def test_stale_measure_edit_is_refused_and_keeps_the_first_save(world: World) -> None:
    measure = world.measure_a
    seen_by_both = _version(measure)
    old_text, old_person = measure.text, measure.responsible_person
    with time_machine.travel(dt.datetime(2026, 11, 30, 14, 5, 31, tzinfo=SHANGHAI), tick=False):
        services.edit_measure(
            by=world.leader_a, measure=measure, expected_version=seen_by_both, text="A改写的措施内容"
        )
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as refused:
        services.edit_measure(
            by=world.deputy_a,
            measure=measure,
            expected_version=seen_by_both,
            text=old_text,  # B's form still shows the text as it was
            responsible_person="B填写的责任人",
        )

    assert refused.value.message == "该措施已被他人修改（2026年11月30日 14:05，leader_a），请刷新后重试"
    assert refused.value.changes == [("整改措施", old_text, "A改写的措施内容")]
    measure.refresh_from_db()
    assert (measure.text, measure.responsible_person) == ("A改写的措施内容", old_person)
    assert measure.version == seen_by_both + 1
    assert AuditEvent.objects.count() == events


def test_edit_on_the_current_version_is_saved(world: World) -> None:
    measure = world.measure_a
    services.edit_measure(by=world.leader_a, measure=measure, text="A改写的措施内容")
    current = _version(measure)

    services.edit_measure(
        by=world.deputy_a, measure=measure, expected_version=current, responsible_person="张某某"
    )

    measure.refresh_from_db()
    assert (measure.text, measure.responsible_person, measure.version) == (
        "A改写的措施内容",
        "张某某",
        current + 1,
    )


def test_conflict_lists_every_field_changed_since_including_state_changes(world: World) -> None:
    measure = world.measure_a
    seen = _version(measure)
    services.edit_measure(by=world.leader_a, measure=measure, responsible_person="甲", kind="immediate")
    services.report_progress(by=world.staff_a, measure=measure, text="已整改", progress=40)

    with pytest.raises(Conflict) as refused:
        services.edit_measure(by=world.deputy_a, measure=measure, expected_version=seen, text="新内容")

    assert "staff_a" in refused.value.message  # the latest change was the progress report
    labels = {label: (before, after) for label, before, after in refused.value.changes}
    assert labels["责任人"][1] == "甲"
    assert labels["类型"][1] == "立行立改"
    assert labels["状态"] == ("未启动", "整改中")
    assert labels["进度（%）"] == ("0", "40")


def test_a_user_who_may_not_edit_learns_nothing_from_a_stale_version(world: World) -> None:
    with pytest.raises(NotPermitted):
        services.edit_measure(by=world.leader_b, measure=world.measure_a, expected_version=99, text="x")


def test_stale_inspection_edit_is_refused(world: World) -> None:
    inspection = world.inspection_a
    seen = _version(inspection)
    services.update_inspection(
        by=world.leader_a, inspection=inspection, expected_version=seen, inspector="区委巡察三组"
    )

    with pytest.raises(Conflict) as refused:
        services.update_inspection(
            by=world.deputy_a, inspection=inspection, expected_version=seen, organising_work="成立领导小组"
        )

    assert refused.value.message.startswith("该巡察已被他人修改（")
    assert refused.value.changes == [("巡察组", "区委巡察一组", "区委巡察三组")]
    inspection.refresh_from_db()
    assert (inspection.inspector, inspection.organising_work, inspection.version) == (
        "区委巡察三组",
        "",
        seen + 1,
    )


def test_stale_finding_edit_is_refused(world: World) -> None:
    finding = world.detail_a
    seen = _version(finding)
    services.edit_finding(by=world.leader_a, finding=finding, expected_version=seen, title="针对审批不全")

    with pytest.raises(Conflict) as refused:
        services.edit_finding(by=world.deputy_a, finding=finding, expected_version=seen, text="补充表述")

    assert refused.value.message.startswith("该问题已被他人修改（")
    assert refused.value.changes == [("标题", "针对接待审批手续不全的问题", "针对审批不全")]
    finding.refresh_from_db()
    assert (finding.title, finding.text, finding.version) == ("针对审批不全", "", seen + 1)


def test_finding_edit_is_audited_and_needs_a_manager(world: World) -> None:
    with pytest.raises(NotPermitted):
        services.edit_finding(by=world.staff_a, finding=world.detail_a, title="改")

    services.edit_finding(by=world.leader_a, finding=world.detail_a, title="针对审批不全")

    event = AuditEvent.objects.for_object(world.detail_a).get()
    assert (event.action, event.before, event.after) == (
        "edit_finding",
        {"title": "针对接待审批手续不全的问题", "text": ""},
        {"title": "针对审批不全", "text": "", "version": 2},
    )


def test_signed_off_measure_conflict_comes_before_the_lifecycle_refusal(world: World) -> None:
    """A stale form on a measure signed off meanwhile says who changed it, not only that it is done."""
    measure = world.measure_a
    seen = _version(measure)
    report_with_evidence(world.staff_a, measure)
    signoff = services.request_signoff(by=world.staff_a, measure=measure)
    services.approve_signoff(by=world.leader_a, signoff=signoff)
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.DONE

    with pytest.raises(Conflict) as refused:
        services.edit_measure(by=world.deputy_a, measure=measure, expected_version=seen, text="新内容")

    assert ("状态", "未启动", "已完成") in refused.value.changes


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_on_one_version_keep_exactly_one(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole transactions)")
    measure = world.measure_a
    seen = _version(measure)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user: Any, person: str) -> None:
        try:
            barrier.wait()
            services.edit_measure(by=user, measure=measure, expected_version=seen, responsible_person=person)
            outcomes[person] = "saved"
        except Conflict as refused:
            outcomes[person] = refused.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(world.leader_a, "甲")),
        threading.Thread(target=save, args=(world.deputy_a, "乙")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()).count("saved") == 1
    winner = next(person for person, outcome in outcomes.items() if outcome == "saved")
    loser = next(outcome for outcome in outcomes.values() if outcome != "saved")
    assert loser.startswith("该措施已被他人修改（")
    measure.refresh_from_db()
    assert (measure.responsible_person, measure.version) == (winner, seen + 1)
