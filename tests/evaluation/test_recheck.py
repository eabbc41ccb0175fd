"""回头看: a seeded, stratified draw is reproducible; findings reopen measures and count in the evaluation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from zhenggai.evaluation import services
from zhenggai.evaluation.choices import RecheckResult, RuleKind
from zhenggai.evaluation.models import RecheckItem
from zhenggai.ledger.errors import InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Inspection, Measure


def test_sample_is_stratified_and_the_same_seed_gives_the_same_sample() -> None:
    population = [(i, "甲单位·立行立改" if i % 3 else "乙单位·限期整改") for i in range(1, 31)]
    first = services.sample(population, 6, seed=2024)
    assert first == services.sample(list(reversed(population)), 6, seed=2024)
    assert {stratum for _, stratum in first} == {"甲单位·立行立改", "乙单位·限期整改"}
    assert sum(1 for _, s in first if s == "甲单位·立行立改") == 4  # 20 of 30 → 4 of 6
    assert any(services.sample(population, 6, seed=s) != first for s in range(1, 6))
    assert len(services.sample(population, 100, seed=1)) == 30


def test_a_draw_with_a_fixed_seed_is_reproducible_and_audited(demo: Inspection) -> None:
    supervisor = User.objects.get(username="xunchaban")
    unit = demo.inspected_unit
    one = services.draw_recheck(by=supervisor, unit=unit, size=5, seed=99)
    two = services.draw_recheck(by=supervisor, unit=unit, size=5, seed=99)
    ids = list(one.items.values_list("measure_id", flat=True).order_by("measure_id"))
    assert ids == list(two.items.values_list("measure_id", flat=True).order_by("measure_id"))
    assert all(m.status == "done" for m in Measure.objects.filter(pk__in=ids))
    event = AuditEvent.objects.filter(action="draw_recheck").first()
    assert event is not None
    assert event.after is not None
    assert event.after["seed"] == 99
    with pytest.raises(NotPermitted):
        services.draw_recheck(by=User.objects.get(username="lingdao"), unit=unit, size=5, seed=1)


def test_inadequate_and_false_reopen_and_are_deducted_confirmed_is_not(demo: Inspection) -> None:
    supervisor = User.objects.get(username="xunchaban")
    recheck = services.draw_recheck(by=supervisor, unit=demo.inspected_unit, size=3, seed=7)
    inadequate, false, confirmed = list(RecheckItem.objects.filter(recheck=recheck).order_by("id"))
    services.record_recheck(
        by=supervisor, item=inadequate, result=RecheckResult.INADEQUATE, note="整改不彻底。"
    )
    services.record_recheck(by=supervisor, item=false, result=RecheckResult.FALSE, note="台账系事后补写。")
    services.record_recheck(
        by=supervisor, item=confirmed, result=RecheckResult.CONFIRMED, note="与台账一致。"
    )
    statuses = {
        m.pk: m.status
        for m in Measure.objects.filter(
            pk__in=[inadequate.measure_id, false.measure_id, confirmed.measure_id]
        )
    }
    assert statuses[inadequate.measure_id] == "in_progress"
    assert statuses[false.measure_id] == "in_progress"
    assert statuses[confirmed.measure_id] == "done"
    with pytest.raises(InvalidTransition):
        services.record_recheck(by=supervisor, item=confirmed, result=RecheckResult.FALSE, note="改判。")
    evaluation = services.evaluate(by=supervisor, inspection=demo)
    item = next(d for d in evaluation.deductions if d["title"].startswith("回头看"))
    assert item["cases"] == 3  # 不到位 1 + 虚假 2
    assert "整改不到位" in item["reasons"][0]
    assert "虚假整改" in item["reasons"][1]
    assert item["reasons"][2] == "本项最多扣10.0分。"  # 3 cases x 5 points, capped at the item's 10
    assert RuleKind.RECHECK.label == "回头看"
