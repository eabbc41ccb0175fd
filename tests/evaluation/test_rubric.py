"""整改评估: the default rubric on the demo explains every deduction; edits, adjustments and grades are audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.evaluation import services
from zhenggai.evaluation.choices import Grade
from zhenggai.evaluation.models import Rubric
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import AuditEvent, Inspection, Regulation


def test_rubric_on_the_demo_explains_every_deduction(demo: Inspection) -> None:
    supervisor = User.objects.get(username="xunchaban")
    evaluation = services.evaluate(by=supervisor, inspection=demo)
    total = Decimal(0)
    for d in evaluation.deductions:
        deducted = Decimal(d["deducted"])
        total += deducted
        assert deducted <= Decimal(d["points"])
        # a deduction without reasons is impossible, and each case has its own reason
        assert bool(deducted) == bool(d["reasons"])
        assert all("扣" in reason or "最多扣" in reason for reason in d["reasons"])
    assert total > 0
    assert evaluation.computed_score == Decimal(100) - total
    assert evaluation.grade == evaluation.rubric.grade(evaluation.score)
    assert AuditEvent.objects.filter(action="evaluate_inspection", object_id=str(evaluation.pk)).exists()


def test_grades_follow_thresholds_and_a_clean_ledger_is_good(world: World) -> None:
    world.measure_a.responsible_person = "张某"
    world.measure_a.save()
    for i in range(3):
        Regulation.objects.create(inspection=world.inspection_a, kind="new", title=f"制度{i}")
    evaluation = services.evaluate(by=world.supervisor, inspection=world.inspection_a)  # type: ignore[arg-type]
    assert evaluation.score == Decimal(100)
    assert evaluation.grade == Grade.GOOD
    rubric = evaluation.rubric
    assert rubric.grade(Decimal("89.9")) == Grade.FAIRLY_GOOD
    assert rubric.grade(Decimal(60)) == Grade.AVERAGE
    assert rubric.grade(Decimal("59.9")) == Grade.POOR


def test_missing_regulations_and_capped_items_are_explained(world: World) -> None:
    for i in range(20):
        MeasureFactory(
            finding=world.detail_a, code=f"L{i}", responsible_person="张某", lead_department=world.dept_a
        )
    evaluation = services.evaluate(by=world.supervisor, inspection=world.inspection_a)  # type: ignore[arg-type]
    by_title = {d["title"].split("：")[0]: d for d in evaluation.deductions}
    regulations = by_title["建章立制"]
    assert regulations["deducted"] == "15.0"
    assert "建章立制0项，少于要求的3项" in regulations["reasons"][0]
    on_time = by_title["按期完成整改"]  # 21 overdue measures x 2 points, capped at 30
    assert on_time["deducted"] == "30.0"
    assert on_time["reasons"][-1] == "本项最多扣30.0分。"


def test_adjustment_needs_a_reason_changes_the_grade_and_is_audited(world: World) -> None:
    evaluation = services.evaluate(by=world.supervisor, inspection=world.inspection_a)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        services.adjust_evaluation(
            by=world.supervisor, evaluation=evaluation, adjustment=Decimal(5), reason=" "
        )  # type: ignore[arg-type]
    adjusted = services.adjust_evaluation(
        by=world.supervisor,  # type: ignore[arg-type]
        evaluation=evaluation,
        adjustment=Decimal(-30),
        reason="群众反映问题整改不彻底，经实地核实扣减。",
    )
    assert adjusted.score == max(Decimal(0), evaluation.computed_score - 30)
    assert adjusted.grade == adjusted.rubric.grade(adjusted.score)
    event = AuditEvent.objects.get(action="adjust_evaluation")
    assert event.after is not None
    assert event.after["adjustment_reason"] == "群众反映问题整改不彻底，经实地核实扣减。"


def test_only_a_supervisor_evaluates_and_edits_the_rubric(world: World) -> None:
    with pytest.raises(NotPermitted):
        services.evaluate(by=world.leader_a, inspection=world.inspection_a)  # type: ignore[arg-type]
    rubric = services.ensure_rubric(by=world.supervisor, unit=world.district)  # type: ignore[arg-type]
    item = rubric.items.get(rule="regulations")
    change = services.ItemChange(item, "建章立制", Decimal(20), Decimal(4), 5, True)
    with pytest.raises(NotPermitted):
        services.edit_rubric(
            by=world.leader_a,  # type: ignore[arg-type]
            rubric=rubric,
            good_from=Decimal(90),
            fairly_good_from=Decimal(80),
            average_from=Decimal(60),
            items=[change],
        )
    with pytest.raises(InvalidInput):
        services.edit_rubric(
            by=world.supervisor,  # type: ignore[arg-type]
            rubric=rubric,
            good_from=Decimal(70),
            fairly_good_from=Decimal(80),
            average_from=Decimal(60),
            items=[],
        )
    services.edit_rubric(
        by=world.supervisor,  # type: ignore[arg-type]
        rubric=rubric,
        good_from=Decimal(95),
        fairly_good_from=Decimal(85),
        average_from=Decimal(60),
        items=[change],
    )
    rubric = Rubric.objects.get(pk=rubric.pk)
    assert rubric.good_from == Decimal(95)
    assert rubric.items.get(rule="regulations").target == 5
    assert AuditEvent.objects.filter(action="edit_rubric").count() == 1
