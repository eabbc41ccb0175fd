"""The notice built from a ledger says what the ledger says, and reads back the same through the parser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World
from tests.factories import FindingFactory, InspectionFactory, MeasureFactory, UnitFactory
from zhenggai.ledger import services
from zhenggai.ledger.choices import (
    OPEN_STATUSES,
    FindingLevel,
    InspectionKind,
    MeasureKind,
    MeasureStatus,
)
from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.models import Finding, Inspection, Measure, Round
from zhenggai.notices.document import Counts, NoticeDoc, NoticeFinding
from zhenggai.notices.from_ledger import notice_from_ledger, plain_title, stated_figures
from zhenggai.notices.parse import parse_bytes, parse_text
from zhenggai.notices.render import build_blocks, render_docx, render_html
from zhenggai.notices.render.text import fullwidth

Shape = list[tuple[int, str, str, list[str]]]


def _shape(findings: list[NoticeFinding], depth: int = 0) -> Shape:
    out: Shape = []
    for f in findings:
        out.append((depth, f.level, f.title, [m.status for m in f.measures]))
        out.extend(_shape(f.children, depth + 1))
    return out


def _due_findings(inspection: Inspection, today: dt.date) -> set[int]:
    """Findings with a measure not finished whose deadline is past or within 30 days."""
    horizon = today + dt.timedelta(days=30)
    return set(
        Measure.objects.filter(
            inspection=inspection, status__in=OPEN_STATUSES, deadline__lte=horizon
        ).values_list("finding_id", flat=True)
    )


def _ledger_shape(inspection: Inspection, today: dt.date) -> Shape:
    """The tree as the ledger holds it; a measure not done reads 未完成 once overdue or when not started."""
    findings = list(Finding.objects.filter(inspection=inspection).order_by("position", "id"))
    measures = list(Measure.objects.filter(inspection=inspection).order_by("position", "id"))

    def marker(m: Measure) -> str:
        if m.status == MeasureStatus.DONE:
            return "done"
        if m.status == MeasureStatus.ONGOING:
            return "ongoing"
        not_started = m.status == MeasureStatus.DRAFT
        return "open" if not_started or (m.deadline and m.deadline < today) else "ongoing"

    def walk(parent: int | None, depth: int) -> Shape:
        out: Shape = []
        for f in (f for f in findings if f.parent_id == parent):
            statuses = [marker(m) for m in measures if m.finding_id == f.pk]
            out.append((depth, f.level, fullwidth(plain_title(f.title, f.level)), statuses))
            out.extend(walk(f.pk, depth + 1))
        return out

    return walk(None, 0)


def _via_text(doc: NoticeDoc) -> NoticeDoc:
    return parse_text("\n".join(block.plain for block in build_blocks(doc)))


def _via_docx(doc: NoticeDoc) -> NoticeDoc:
    return parse_bytes(render_docx(doc), "notice.docx")


def _via_html(doc: NoticeDoc) -> NoticeDoc:
    return parse_bytes(render_html(doc).encode("utf-8"), "notice.html")


VIA = pytest.mark.parametrize("via", [_via_text, _via_docx, _via_html], ids=["text", "docx", "html"])


@pytest.fixture
def demo(db: Any) -> Inspection:
    return load_demo(password="demo-pass-123").inspection


@VIA
def test_demo_ledger_reads_back_with_the_same_tree_statuses_figures_and_unfinished_items(
    demo: Inspection, via: Callable[[NoticeDoc], NoticeDoc]
) -> None:
    today = timezone.localdate()

    back = via(notice_from_ledger(demo).doc)

    # the tree, each measure's status, and the totals a reader would count
    assert _shape(back.findings) == _ledger_shape(demo, today)
    figures = inspection_figures(demo.pk)
    assert figures is not None
    assert back.counts == Counts(
        aspects=3,
        problems=figures["problems"],
        details=figures["details"],
        measures=figures["measures"],
        done=figures["done"],
    )
    # the figures sentence, and the parser's own check of it against the tree
    assert back.stated.problems == 8
    assert (back.stated.aspects, back.stated.details) == (3, 17)
    assert (back.stated.measures, back.stated.completed) == (30, 11)
    assert back.stated.completion_rate == 36.7
    assert (back.stated.regulations, back.stated.regulations_new, back.stated.regulations_revised) == (
        5,
        3,
        2,
    )
    assert all(check.ok for check in back.checks), [c.note for c in back.checks if not c.ok]
    # 四、: every finding with a measure past or near its deadline, each with reason and deadline
    due = Finding.objects.filter(pk__in=_due_findings(demo, today))
    assert {item.finding for item in back.outstanding} == {
        fullwidth(plain_title(f.title, f.level)) for f in due
    }
    assert all(item.reason and item.deadline for item in back.outstanding)
    assert back.warnings == []


def test_demo_notice_frame_comes_from_the_inspection(demo: Inspection) -> None:
    back = _via_docx(notice_from_ledger(demo, date=dt.date(2024, 9, 20)).doc)

    assert back.title == "临江区文化和旅游局关于十一届区委第四轮巡察整改情况的通报"
    assert back.issuer == "临江区文化和旅游局"
    assert back.date == "2024-09-20"
    assert back.inspection.inspector == "区委第三巡察组"
    assert back.inspection.inspected == "临江区文化和旅游局"
    assert demo.feedback_date is not None
    assert back.inspection.feedback_date == demo.feedback_date.isoformat()
    assert "巡察组移交问题线索2件，已办结1件，正在办理1件。" in back.clues


def test_building_the_notice_takes_the_same_few_queries_for_any_ledger_size(
    demo: Inspection, world_small: Inspection, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        notice_from_ledger(demo.pk)
    with django_assert_num_queries(4):
        notice_from_ledger(world_small.pk)


@pytest.fixture
def world_small(db: Any) -> Inspection:
    inspection: Inspection = InspectionFactory(inspected_unit=UnitFactory(name="区档案馆"))
    MeasureFactory(finding=FindingFactory(inspection=inspection))
    return inspection


def test_title_names_the_deploying_committee_and_the_kind(world: World) -> None:
    inspection = world.inspection_a

    assert notice_from_ledger(inspection).doc.title == "区文旅局关于区委巡察整改情况的通报"

    inspection.kind = InspectionKind.REVISIT
    inspection.save()
    assert notice_from_ledger(inspection).doc.title == "区文旅局关于区委巡察“回头看”整改情况的通报"

    inspection.round = Round.objects.create(name="十三届区委第五轮巡察")
    inspection.save()
    assert notice_from_ledger(inspection).doc.title == "区文旅局关于十三届区委第五轮巡察整改情况的通报"


@pytest.mark.parametrize(
    ("title", "level", "plain"),
    [
        ("关于财务管理不规范的问题", FindingLevel.PROBLEM, "财务管理不规范"),
        ("针对接待审批手续不全的问题。", FindingLevel.DETAIL, "接待审批手续不全"),
        ("关于“财务管理不规范”的问题", FindingLevel.PROBLEM, "财务管理不规范"),
        ("针对“三会一课”制度落实不严格的问题", FindingLevel.DETAIL, "‘三会一课’制度落实不严格"),
        ("落实全面从严治党责任方面", FindingLevel.ASPECT, "落实全面从严治党责任"),
        ("财务管理", FindingLevel.PROBLEM, "财务管理"),
    ],
)
def test_ledger_titles_lose_the_wrapper_the_notice_adds(title: str, level: str, plain: str) -> None:
    assert plain_title(title, level) == plain


def _measure(
    world: World, status: MeasureStatus, deadline: dt.date | None, finding: Finding | None = None, **kw: Any
) -> Measure:
    measure: Measure = MeasureFactory(
        finding=finding or world.detail_a,
        status=status,
        deadline=deadline,
        lead_department=world.dept_a,
        **kw,
    )
    return measure


def test_each_status_prints_its_marker(world: World) -> None:
    far = dt.date(2031, 1, 1)
    problem = FindingFactory(inspection=world.inspection_a, title="关于制度执行不严格的问题")
    for status in MeasureStatus:
        _measure(world, status, far, finding=problem, text=f"措施{status.label}")

    doc = notice_from_ledger(world.inspection_a, today=dt.date(2030, 1, 1)).doc

    assert doc.findings[1].title == "制度执行不严格"
    assert {m.text: m.status for m in doc.findings[1].measures} == {
        "措施未启动": "open",
        "措施整改中": "ongoing",
        "措施待销号": "ongoing",
        "措施已完成": "done",
        "措施持续推进": "ongoing",
    }
    assert doc.outstanding == []


def test_a_measure_due_soon_makes_its_finding_unfinished_with_the_latest_report_as_reason(
    world: World,
) -> None:
    measure = world.measure_a
    services.report_progress(by=world.staff_a, measure=measure, text="已起草制度初稿。", progress=30)
    services.report_progress(by=world.staff_a, measure=measure, text="初稿正在征求意见。", progress=60)
    ongoing = _measure(world, MeasureStatus.ONGOING, None, text="长期坚持的措施")

    doc = notice_from_ledger(world.inspection_a, today=dt.date(2030, 6, 10)).doc

    (item,) = doc.outstanding
    assert item.finding == "接待审批手续不全"
    assert item.reason == "初稿正在征求意见"
    assert item.next_steps == measure.text
    assert item.deadline == "2030-06-30"
    statuses = {m.text: m.status for m in doc.findings[0].children[0].measures}
    # under way, deadline not passed: the latest report says where it stands; no report, the measure itself
    assert statuses == {"初稿正在征求意见": "ongoing", ongoing.text: "ongoing"}


def test_an_extension_reason_explains_an_unfinished_item_and_an_overdue_one_says_so(world: World) -> None:
    measure = world.measure_a
    services.report_progress(by=world.staff_a, measure=measure, text="正在推进。", progress=30)
    services.request_extension(
        by=world.staff_a, measure=measure, new_deadline=dt.date(2030, 9, 30), reason="需等待上级文件出台"
    )

    doc = notice_from_ledger(world.inspection_a, today=dt.date(2030, 7, 5)).doc

    (item,) = doc.outstanding
    assert item.reason == "已超过整改时限，需等待上级文件出台"
    assert item.deadline == "2030-06-30"  # the pending request does not move the deadline
    assert doc.findings[0].children[0].measures[0].status == "open"  # overdue: 未完成, not 持续推进
    assert doc.findings[0].children[0].measures[0].text == "正在推进，已超期，计划于2030年9月30日前完成"


def test_measures_state_their_latest_results_and_overdue_ones_are_not_future_work(world: World) -> None:
    problem = FindingFactory(inspection=world.inspection_a, title="关于制度执行不严格的问题")
    done = _measure(world, MeasureStatus.IN_PROGRESS, dt.date(2030, 6, 30), finding=problem, text="修订制度")
    services.report_progress(
        by=world.staff_a, measure=done, text="已于5月印发《接待管理办法》。共清理问题2项；", progress=100
    )
    Measure.objects.filter(pk=done.pk).update(status=MeasureStatus.DONE)
    _measure(world, MeasureStatus.IN_PROGRESS, dt.date(2030, 6, 30), finding=problem, text="清理台账")
    _measure(world, MeasureStatus.DRAFT, dt.date(2030, 12, 31), finding=problem, text="开展培训")

    doc = notice_from_ledger(world.inspection_a, today=dt.date(2030, 7, 5)).doc

    assert [m.text for m in doc.findings[1].measures] == [
        "已于5月印发《接待管理办法》，共清理问题2项",  # the result, one clause list inside 一是…；
        "清理台账，原计划于2030年6月30日前完成，已超期",
        "开展培训",  # not started, deadline ahead: the measure itself
    ]
    back = _via_docx(doc)
    assert [m.status for m in back.findings[1].measures] == ["done", "open", "open"]


def test_measures_far_from_their_deadline_are_not_listed_as_unfinished(world: World) -> None:
    doc = notice_from_ledger(world.inspection_a, today=dt.date(2024, 1, 1)).doc

    assert doc.outstanding == []
    assert doc.findings[0].children[0].measures[0].status == "open"  # a draft has not started


def test_public_clue_section_gives_totals_only(world: World) -> None:
    clue = services.record_clue(
        by=world.leader_a, inspection=world.inspection_a, summary="反映某项目的问题线索1件"
    )
    services.update_clue(
        by=world.leader_a, clue=clue, handling="已移交纪检监察组", outcome="给予诫勉谈话", status="closed"
    )

    internal = notice_from_ledger(world.inspection_a).doc.clues
    public = notice_from_ledger(world.inspection_a, public=True).doc.clues

    assert internal.splitlines() == [
        "巡察组移交问题线索1件，已办结1件。",
        "反映某项目的问题线索1件，已移交纪检监察组，给予诫勉谈话（已办结）。",
    ]
    assert public == "巡察组移交问题线索1件，已办结1件。"


def test_excluded_items_leave_the_text_but_not_the_figures(world: World) -> None:
    other = _measure(world, MeasureStatus.DONE, None, text="不公开的措施")

    built = notice_from_ledger(world.inspection_a, exclude_measures={other.pk})

    texts = [m.text for m in built.doc.findings[0].children[0].measures]
    assert texts == [world.measure_a.text]
    assert [(e.kind, e.id) for e in built.excluded] == [("measure", other.pk)]
    assert (built.figures.measures, built.figures.completed) == (2, 1)

    without_problem = notice_from_ledger(world.inspection_a, exclude_findings={world.detail_a.parent_id or 0})
    assert without_problem.doc.findings == []
    assert [e.kind for e in without_problem.excluded] == ["finding"]


def test_names_for_redaction_come_from_the_responsible_fields(world: World) -> None:
    _measure(
        world,
        MeasureStatus.DRAFT,
        None,
        responsible_leader="局长张三、分管副局长李四",
        responsible_person="王五(办公室)",
    )
    _measure(world, MeasureStatus.DRAFT, None, responsible_leader="赵某某", responsible_person="办公室主任")

    assert notice_from_ledger(world.inspection_a).names == ["张三", "李四", "王五"]


def _row(**values: float) -> SimpleNamespace:
    names = (
        "problems",
        "details",
        "ongoing",
        "overdue",
        "regulations_new",
        "regulations_revised",
        "done_late",
    )
    base = {f"n_{name}": 0 for name in names}
    return SimpleNamespace(**base, **values)


def test_completion_rate_never_reads_100_while_a_measure_is_open() -> None:
    figures = stated_figures(_row(n_measures=2000, n_done=1999, completion_rate=99.95), aspects=0)

    assert figures.completion_rate == 99.9
    assert figures.regulations is None  # no 建章立制 clause when there is nothing to state


def test_long_term_measures_without_deadline_are_never_due(world: World) -> None:
    _measure(world, MeasureStatus.IN_PROGRESS, None, kind=MeasureKind.LONG_TERM)

    assert notice_from_ledger(world.inspection_a, today=dt.date(2024, 1, 1)).doc.outstanding == []


@VIA
def test_a_long_term_measure_keeps_its_marker_beside_an_overdue_one_after_reading_back(
    world: World, via: Callable[[NoticeDoc], NoticeDoc]
) -> None:
    _measure(world, MeasureStatus.ONGOING, None, text="严格执行公务接待制度", kind=MeasureKind.LONG_TERM)
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="正在推进。", progress=30)
    today = dt.date(2030, 7, 5)  # world.measure_a is past its deadline

    back = via(notice_from_ledger(world.inspection_a, today=today).doc)

    assert _shape(back.findings) == _ledger_shape(world.inspection_a, today)
    assert [m.status for m in back.findings[0].children[0].measures] == ["open", "ongoing"]
    assert [item.finding for item in back.outstanding] == ["接待审批手续不全"]


def test_measures_sharing_a_stock_report_are_told_apart_by_their_own_text(world: World) -> None:
    problem = FindingFactory(inspection=world.inspection_a, title="关于制度执行不严格的问题")
    for text in ("修订接待制度", "清理违规票据"):
        measure = _measure(world, MeasureStatus.IN_PROGRESS, dt.date(2030, 6, 30), finding=problem, text=text)
        services.report_progress(by=world.staff_a, measure=measure, text="各项工作已完成。", progress=100)

    doc = notice_from_ledger(world.inspection_a, today=dt.date(2030, 1, 5)).doc

    assert [m.text for m in doc.findings[1].measures] == [
        "修订接待制度，各项工作已完成",
        "清理违规票据，各项工作已完成",
    ]
