"""Importing a parsed notice into the ledger: the ledger's own figures match the notice, all or nothing,
never twice, only by the unit's leaders and supervisors."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import World
from tests.notices.test_parse_structure import LINJIANG
from zhenggai.ledger.choices import FindingLevel, InspectionKind, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure
from zhenggai.ledger.services import FindingSpec
from zhenggai.notices.document import NoticeDoc, NoticeFinding, NoticeMeasure
from zhenggai.notices.importing import (
    TITLE_MAX,
    ImportPlan,
    import_notice,
    plan_import,
    read_notice,
    sha256_of,
)


def ledger_rows() -> tuple[int, int, int, int]:
    return (
        Inspection.objects.count(),
        Finding.objects.count(),
        Measure.objects.count(),
        AuditEvent.objects.count(),
    )


def linjiang_plan(name: str = "临江水利局通报.txt") -> ImportPlan:
    return read_notice(LINJIANG.encode("gbk"), name)


@pytest.mark.seeds
def test_seed_000_gives_the_ledger_the_notices_figures(world: World, seed: Callable[[str], Path]) -> None:
    path = seed("000")
    data = path.read_bytes()

    result = import_notice(read_notice(data, path.name), by=world.leader_a, unit=world.unit_a)

    assert result.inspection_id is not None
    figures = inspection_figures(result.inspection_id)
    assert figures is not None
    assert (figures["problems"], figures["details"], figures["measures"], figures["done"]) == (6, 11, 14, 13)
    inspection = Inspection.objects.get(pk=result.inspection_id)
    assert inspection.inspected_unit == world.unit_a
    assert inspection.inspector == "区委巡察二组"
    assert (inspection.onsite_start, inspection.onsite_end, inspection.feedback_date) == (
        dt.date(2024, 1, 4),
        dt.date(2024, 2, 2),
        dt.date(2024, 3, 18),
    )
    assert inspection.source_sha256 == sha256_of(data)
    assert "3个方面6项共11个问题" in inspection.organising_work
    assert Finding.objects.filter(inspection=inspection, level=FindingLevel.ASPECT).count() == 3
    open_measure = Measure.objects.get(inspection=inspection, status=MeasureStatus.DRAFT)
    assert open_measure.deadline == dt.date(2025, 3, 1)
    assert open_measure.finding.title == "学术社团建设不够有力"
    assert open_measure.finding.level == FindingLevel.DETAIL
    event = AuditEvent.objects.get(action="create_inspection", object_id=str(inspection.pk))
    assert event.note == f"导入自 {path.name}"
    assert event.actor == world.leader_a


@pytest.mark.seeds
def test_seed_000_imported_done_measures_are_done_on_the_inspection_figures(
    world: World, seed: Callable[[str], Path]
) -> None:
    path = seed("000")
    result = import_notice(read_notice(path.read_bytes(), path.name), by=world.supervisor, unit=world.unit_a)

    row = Inspection.objects.with_figures().get(pk=result.inspection_id)
    assert (row.n_measures, row.n_done) == (14, 13)  # type: ignore[attr-defined]
    done = Measure.objects.filter(inspection_id=result.inspection_id, status=MeasureStatus.DONE)
    assert all(m.progress == 100 and m.completed_date is not None for m in done)


def test_linjiang_statuses_deadlines_and_counts(world: World) -> None:
    plan = linjiang_plan()

    result = import_notice(plan, by=world.leader_a, unit=world.unit_a)

    assert result.figures["measures"] == 8
    assert result.figures["done"] == 3
    measures = Measure.objects.filter(inspection_id=result.inspection_id)
    # "(持续推进)" as a marker: still under way; the ledger's 持续推进 is a sign-off outcome
    assert measures.get(text__contains="建立月度抽查机制").status == MeasureStatus.IN_PROGRESS
    assert measures.get(text__contains="正在修订质量监督办法").status == MeasureStatus.IN_PROGRESS
    unfinished = measures.get(finding__title="基层站所人员培训少")
    assert (unfinished.status, unfinished.deadline) == (MeasureStatus.DRAFT, dt.date(2024, 6, 30))
    assert any("问题线索" in note for note in plan.notes)  # the clues paragraph is not turned into clue rows
    assert not world.unit_a.inspections.filter(pk=result.inspection_id, clues__isnull=False).exists()


def test_same_file_twice_is_refused_naming_the_first_import_and_writes_nothing(world: World) -> None:
    first = import_notice(linjiang_plan("a.txt"), by=world.leader_a, unit=world.unit_a)
    before = ledger_rows()

    with pytest.raises(InvalidInput) as refused:
        import_notice(linjiang_plan("renamed copy.txt"), by=world.leader_a, unit=world.unit_a)

    assert "不能重复导入" in refused.value.message
    assert f"巡察编号 {first.inspection_id}" in refused.value.message
    assert ledger_rows() == before


def test_duplicate_from_another_unit_does_not_reveal_that_units_inspection(world: World) -> None:
    import_notice(linjiang_plan(), by=world.leader_a, unit=world.unit_a)

    with pytest.raises(InvalidInput) as refused:
        import_notice(linjiang_plan(), by=world.leader_b, unit=world.unit_b)

    assert "已被其他单位导入" in refused.value.message
    assert world.unit_a.name not in refused.value.message


def test_leader_of_unit_b_cannot_import_into_unit_a(world: World) -> None:
    before = ledger_rows()

    with pytest.raises(NotPermitted):
        import_notice(linjiang_plan(), by=world.leader_b, unit=world.unit_a)

    assert ledger_rows() == before


def test_without_permission_the_refusal_says_nothing_about_earlier_imports(world: World) -> None:
    import_notice(linjiang_plan(), by=world.leader_a, unit=world.unit_a)

    with pytest.raises(NotPermitted) as refused:
        import_notice(linjiang_plan(), by=world.leader_b, unit=world.unit_a)

    assert "权限" in refused.value.message
    assert "重复导入" not in refused.value.message


@pytest.mark.parametrize("actor", ["staff_a", "viewer_a", "outsider"])
def test_only_leaders_and_supervisors_import(world: World, actor: str) -> None:
    with pytest.raises(NotPermitted):
        import_notice(linjiang_plan(), by=getattr(world, actor), unit=world.unit_a)


def test_dry_run_reports_the_ledger_figures_and_writes_nothing(world: World) -> None:
    before = ledger_rows()

    result = import_notice(linjiang_plan(), by=world.leader_a, unit=world.unit_a, dry_run=True)

    assert result.inspection_id is None
    assert (result.figures["problems"], result.figures["details"], result.figures["measures"]) == (3, 4, 8)
    assert ledger_rows() == before
    # and it did not count as an import: the real one still goes through
    assert import_notice(linjiang_plan(), by=world.leader_a, unit=world.unit_a).inspection_id


def test_a_refusal_halfway_through_the_tree_leaves_nothing_behind(world: World) -> None:
    plan = linjiang_plan()
    # a node the ledger refuses, after every other finding and measure has been written
    plan.findings.append(FindingSpec(level=FindingLevel.DETAIL, title="无所归属的具体问题"))
    before = ledger_rows()

    with pytest.raises(InvalidInput):
        import_notice(plan, by=world.leader_a, unit=world.unit_a)

    assert ledger_rows() == before


def test_notice_without_findings_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_notice("今天天气很好。\n我们去公园散步。".encode(), "prose.txt")
    assert "未识别出问题清单" in refused.value.message


def test_long_title_is_shortened_and_kept_whole_in_the_text(world: World) -> None:
    title = "资金管理" * 200  # 800 characters
    doc = NoticeDoc(
        findings=[NoticeFinding("problem", title, measures=[NoticeMeasure("已整改到位", "done")])],
    )
    plan = plan_import(doc, filename="long.txt", sha256="0" * 64)

    result = import_notice(plan, by=world.leader_a, unit=world.unit_a)

    finding = Finding.objects.get(inspection_id=result.inspection_id)
    assert len(finding.title) == TITLE_MAX
    assert finding.title.endswith("…")
    assert finding.text.startswith(title)
    assert any("已缩短" in note for note in plan.adjustments)


def test_tree_is_fitted_to_the_ledger_levels_and_the_changes_are_listed(world: World) -> None:
    doc = NoticeDoc(
        findings=[
            NoticeFinding("detail", "没有上级问题的具体问题", measures=[NoticeMeasure("措施甲", "done")]),
            NoticeFinding(
                "problem",
                "既有措施又有具体问题",
                measures=[NoticeMeasure("总体措施", "unknown")],
                children=[NoticeFinding("detail", "具体问题乙", measures=[NoticeMeasure("措施乙", "open")])],
            ),
        ]
    )
    plan = plan_import(doc, filename="fit.txt", sha256="1" * 64)

    result = import_notice(plan, by=world.leader_a, unit=world.unit_a)

    findings = Finding.objects.filter(inspection_id=result.inspection_id)
    assert findings.get(title="没有上级问题的具体问题").level == FindingLevel.PROBLEM
    holder = findings.get(title="既有措施又有具体问题（总体整改措施）")
    assert holder.level == FindingLevel.DETAIL
    assert holder.parent is not None
    assert holder.parent.title == "既有措施又有具体问题"
    assert list(holder.measures.values_list("text", flat=True)) == ["总体措施"]
    assert result.figures["measures"] == 3
    assert len([note for note in plan.adjustments if "导入为" in note]) == 2


def test_long_term_wording_makes_a_standing_measure(world: World) -> None:
    doc = NoticeDoc(
        findings=[
            NoticeFinding(
                "problem",
                "制度执行不严格",
                measures=[
                    NoticeMeasure("建立常态化督查机制,长期坚持。", "ongoing"),
                    NoticeMeasure("正在修订内控制度。", "ongoing"),
                    NoticeMeasure("梳理制度清单。", "unknown"),
                ],
            )
        ]
    )
    result = import_notice(
        plan_import(doc, filename="s.txt", sha256="3" * 64), by=world.leader_a, unit=world.unit_a
    )

    measures = Measure.objects.filter(inspection_id=result.inspection_id).order_by("position")
    assert [(m.status, m.kind) for m in measures] == [
        (MeasureStatus.ONGOING, MeasureKind.LONG_TERM),
        (MeasureStatus.IN_PROGRESS, MeasureKind.DEADLINE),
        (MeasureStatus.DRAFT, MeasureKind.DEADLINE),
    ]


def test_inspection_kind_and_missing_inspector_come_from_the_notice(world: World) -> None:
    doc = NoticeDoc(
        title="中共某某局党组关于省委巡视整改进展情况的通报",
        findings=[NoticeFinding("problem", "关于某问题", measures=[NoticeMeasure("措施", "done")])],
    )
    plan = plan_import(doc, filename="xunshi.txt", sha256="2" * 64)

    result = import_notice(plan, by=world.leader_a, unit=world.unit_a)

    inspection = Inspection.objects.get(pk=result.inspection_id)
    assert inspection.kind == InspectionKind.XUNSHI
    assert inspection.inspector == "（通报未写明巡察组）"
    assert any("补填" in note for note in plan.adjustments)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_file_make_one_inspection(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole transactions)")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            import_notice(linjiang_plan(), by=world.leader_a, unit=world.unit_a)
            outcomes.append("imported")
        except InvalidInput as refused:
            outcomes.append(refused.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("imported") == 1
    assert any("不能重复导入" in outcome for outcome in outcomes)
    assert Inspection.objects.filter(source_sha256=sha256_of(LINJIANG.encode("gbk"))).count() == 1
