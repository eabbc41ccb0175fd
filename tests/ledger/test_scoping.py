"""A user of unit A can neither read nor change unit B's records, through any queryset or service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel, RegulationKind
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.models import (
    AuditEvent,
    Clue,
    Evidence,
    Extension,
    Finding,
    Inspection,
    Measure,
    ProgressReport,
    Regulation,
    SignOff,
    Unit,
)


@pytest.fixture
def activity(world: World) -> World:
    """Reports, sign-offs, extensions, regulations and clues in both units."""
    for leader, measure, inspection in (
        (world.leader_a, world.measure_a, world.inspection_a),
        (world.leader_b, world.measure_b, world.inspection_b),
    ):
        report_with_evidence(leader, measure)
        services.request_signoff(by=leader, measure=measure)
        services.record_regulation(by=leader, inspection=inspection, kind=RegulationKind.NEW, title="制度")
        services.record_clue(by=leader, inspection=inspection, summary="线索")
    return world


MODELS = [Inspection, Finding, Measure, ProgressReport, SignOff, Extension, Regulation, Clue, Evidence]


def test_unit_users_see_only_their_unit(activity: World) -> None:
    w = activity
    for user in (w.leader_a, w.viewer_a):
        assert set(Inspection.objects.visible_to(user)) == {w.inspection_a}
        assert set(Measure.objects.visible_to(user)) == {w.measure_a}
        assert set(Finding.objects.visible_to(user)) == set(Finding.objects.filter(inspection=w.inspection_a))
        assert set(ProgressReport.objects.visible_to(user)) == set(
            ProgressReport.objects.filter(measure=w.measure_a)
        )
        assert set(SignOff.objects.visible_to(user)) == set(SignOff.objects.filter(measure=w.measure_a))
        assert set(Regulation.objects.visible_to(user)) == set(
            Regulation.objects.filter(inspection=w.inspection_a)
        )
        assert set(Clue.objects.visible_to(user)) == set(Clue.objects.filter(inspection=w.inspection_a))
        assert set(Unit.objects.visible_to(user)) == {w.unit_a, w.dept_a}
        assert all(e.unit_id == w.unit_a.pk for e in AuditEvent.objects.visible_to(user))


def test_department_staff_see_their_departments_measures(activity: World) -> None:
    w = activity
    assert set(Measure.objects.visible_to(w.staff_a)) == {w.measure_a}
    assert set(Inspection.objects.visible_to(w.staff_a)) == {w.inspection_a}
    other = Measure.objects.create(
        inspection=w.inspection_a, finding=w.detail_a, code="X1", text="另一部门的措施", lead_department=None
    )
    assert other not in Measure.objects.visible_to(w.staff_a)
    other.cooperating_departments.add(w.dept_a)
    assert other in Measure.objects.visible_to(w.staff_a)


def test_supervisor_sees_every_unit_below(activity: World) -> None:
    w = activity
    assert set(Measure.objects.visible_to(w.supervisor)) == {w.measure_a, w.measure_b}
    assert set(Inspection.objects.visible_to(w.supervisor)) == {w.inspection_a, w.inspection_b}


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_user_without_roles_sees_nothing(activity: World, model: Any) -> None:
    assert not model.objects.visible_to(activity.outsider).exists()


CROSS_UNIT_CALLS = [
    ("report", lambda w: services.report_progress(by=w.staff_a, measure=w.measure_b, text="越权", progress=10)),
    ("request sign-off", lambda w: services.request_signoff(by=w.leader_a, measure=w.measure_b)),
    ("approve sign-off", lambda w: services.approve_signoff(by=w.leader_a, signoff=SignOff.objects.get(measure=w.measure_b))),
    ("reject sign-off", lambda w: services.reject_signoff(by=w.leader_a, signoff=SignOff.objects.get(measure=w.measure_b), reason="x")),
    ("edit", lambda w: services.edit_measure(by=w.leader_a, measure=w.measure_b, text="越权修改")),
    ("extend", lambda w: services.request_extension(by=w.leader_a, measure=w.measure_b, new_deadline=dt.date(2031, 1, 1), reason="x")),
    ("reopen", lambda w: services.reopen_measure(by=w.leader_a, measure=w.measure_b, reason="x")),
    ("add finding", lambda w: services.add_finding(by=w.leader_a, inspection=w.inspection_b, level=FindingLevel.PROBLEM, title="越权")),
    ("add measure", lambda w: services.add_measure(by=w.leader_a, finding=w.measure_b.finding, spec=services.MeasureSpec(text="越权"))),
    ("regulation", lambda w: services.record_regulation(by=w.leader_a, inspection=w.inspection_b, kind=RegulationKind.NEW, title="越权")),
    ("clue", lambda w: services.record_clue(by=w.leader_a, inspection=w.inspection_b, summary="越权")),
    ("update clue", lambda w: services.update_clue(by=w.leader_a, clue=Clue.objects.get(inspection=w.inspection_b), handling="越权")),
    ("update inspection", lambda w: services.update_inspection(by=w.leader_a, inspection=w.inspection_b, organising_work="越权")),
    ("create inspection", lambda w: services.create_inspection(by=w.leader_a, inspected_unit=w.unit_b, inspector="越权组")),
    ("viewer edits own unit", lambda w: services.edit_measure(by=w.viewer_a, measure=w.measure_a, text="查看人员修改")),
    ("staff approves", lambda w: services.approve_signoff(by=w.staff_a, signoff=SignOff.objects.get(measure=w.measure_a))),
    ("outsider reports", lambda w: services.report_progress(by=w.outsider, measure=w.measure_a, text="x", progress=1)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call"), CROSS_UNIT_CALLS, ids=[c[0] for c in CROSS_UNIT_CALLS])
def test_services_refuse_other_units_and_write_nothing(activity: World, name: str, call: Any) -> None:
    counts = {model: model.objects.count() for model in [*MODELS, AuditEvent]}
    measure_b = Measure.objects.get(pk=activity.measure_b.pk)
    with pytest.raises(NotPermitted):
        call(activity)
    assert {model: model.objects.count() for model in counts} == counts
    assert Measure.objects.get(pk=activity.measure_b.pk).text == measure_b.text


def test_a_user_reaching_every_unit_sees_every_measure_and_no_more_once_a_root_is_added(world: World) -> None:
    """A membership at every root of the tree: every measure, with no reach check per row on SQLite (each
    measure is reached through its inspection's unit); a new root outside the user's subtree brings the check
    back, and its measures stay out of sight."""
    from django.contrib.auth.models import User
    from django.db import connection

    from tests.factories import FindingFactory, InspectionFactory, MeasureFactory, UnitFactory

    supervisor = User.objects.get(pk=world.supervisor.pk)
    seen = Measure.objects.visible_to(supervisor)
    assert set(seen) == set(Measure.objects.all()) == {world.measure_a, world.measure_b}
    if connection.vendor == "sqlite":
        assert "ledger_reach" not in str(seen.query)
    assert "ledger_reach" in str(Measure.objects.visible_to(world.leader_a).query)
    assert set(Measure.objects.visible_to(world.leader_a)) == {world.measure_a}

    elsewhere = UnitFactory(name="另一区", parent=None)
    outside = MeasureFactory(finding=FindingFactory(inspection=InspectionFactory(inspected_unit=elsewhere)))
    supervisor = User.objects.get(pk=world.supervisor.pk)  # a new request: wholeness is asked again
    seen = Measure.objects.visible_to(supervisor)
    assert "ledger_reach" in str(seen.query)
    assert outside not in set(seen)
    assert set(seen) == {world.measure_a, world.measure_b}
