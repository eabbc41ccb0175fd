"""台账完整性检查: each rule fires on the gap it names and stays quiet on a complete ledger."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory, report_with_evidence
from tests.web.conftest import login
from zhenggai.evaluation.coverage import check_ledger
from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.models import Clue, Inspection

TODAY = dt.date(2024, 5, 1)


def gaps(world: World, code: str) -> list[str]:
    coverage = check_ledger(world.inspection_a, today=TODAY)
    return [gap.label for rule in coverage.rules if rule.code == code for gap in rule.gaps]


def test_complete_ledger_scores_full_marks(world: World) -> None:
    world.measure_a.responsible_person = "张某某"
    world.measure_a.save()
    coverage = check_ledger(world.inspection_a, today=TODAY)
    assert coverage.gap_count == 0
    assert coverage.score == 100.0


def test_detail_without_measure_and_measure_without_owner_are_listed(world: World) -> None:
    FindingFactory(
        inspection=world.inspection_a,
        parent=world.detail_a.parent,
        level=FindingLevel.DETAIL,
        title="针对无措施的问题",
    )
    assert gaps(world, "findings") == ["针对无措施的问题"]
    coverage = check_ledger(world.inspection_a, today=TODAY)
    owners = next(rule for rule in coverage.rules if rule.code == "owners")
    assert [gap.message for gap in owners.gaps] == ["缺少责任人。"]
    assert coverage.score < 100


def test_immediate_measure_due_later_than_thirty_days_after_feedback(world: World) -> None:
    # feedback 2024-03-18: 04-17 is day 30, 04-18 day 31
    MeasureFactory(
        finding=world.detail_a, code="I1", kind=MeasureKind.IMMEDIATE, deadline=dt.date(2024, 4, 17)
    )
    MeasureFactory(
        finding=world.detail_a, code="I2", kind=MeasureKind.IMMEDIATE, deadline=dt.date(2024, 4, 18)
    )
    assert gaps(world, "immediate") == ["I2"]


def test_done_measure_without_evidence_is_listed_and_with_evidence_is_not(world: World) -> None:
    MeasureFactory(finding=world.detail_a, code="D1", status=MeasureStatus.DONE, progress=100)
    with_file = MeasureFactory(finding=world.detail_a, code="D2", lead_department=world.dept_a)
    report_with_evidence(world.staff_a, with_file)
    with_file.status = MeasureStatus.DONE
    with_file.save()
    assert gaps(world, "evidence") == ["D1"]


def test_long_term_ongoing_without_review_period_and_clue_without_dates(world: World) -> None:
    MeasureFactory(
        finding=world.detail_a, code="L1", kind=MeasureKind.LONG_TERM, status=MeasureStatus.ONGOING
    )
    Clue.objects.create(inspection=world.inspection_a, summary="线索一", received_on=dt.date(2024, 3, 20))
    Clue.objects.create(
        inspection=world.inspection_a,
        summary="线索二",
        received_on=dt.date(2024, 3, 20),
        deadline=dt.date(2024, 6, 1),
    )
    assert gaps(world, "review_period") == ["L1"]
    assert gaps(world, "outstanding") == ["线索一"]


def test_overdue_open_measure_needs_a_new_date(world: World) -> None:
    MeasureFactory(finding=world.detail_a, code="O1", deadline=dt.date(2024, 4, 1), responsible_person="李某")
    assert gaps(world, "outstanding") == ["O1"]


def test_check_ledger_command_prints_json_and_refuses_unknown_id(world: World) -> None:
    out = StringIO()
    call_command("check-ledger", str(world.inspection_a.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["inspection"] == world.inspection_a.pk
    assert {rule["code"] for rule in data["rules"]} >= {"findings", "owners", "evidence"}
    assert 0 <= data["score"] <= 100
    with pytest.raises(CommandError, match="不存在"):
        call_command("check-ledger", "99999")


def test_coverage_page_links_gaps_and_is_scoped(demo: Inspection, db: Any) -> None:
    page = login("lingdao").get(f"/evaluation/inspections/{demo.pk}/coverage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "完整性得分" in html
    assert "/measures/" in html
    other = Inspection.objects.exclude(pk=demo.pk).first()
    assert other is not None
    assert login("lingdao").get(f"/evaluation/inspections/{other.pk}/coverage/").status_code == 404
    assert Client().get(f"/evaluation/inspections/{demo.pk}/coverage/").status_code == 302
