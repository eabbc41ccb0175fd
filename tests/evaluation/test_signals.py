"""纸面整改 signals: each fires on a small hand-made ledger where it must, and stays quiet where it must not."""

from __future__ import annotations

import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.factories import PDF, MeasureFactory, report_with_evidence
from tests.web.conftest import login
from zhenggai.evaluation.signals import study
from zhenggai.evaluation.signals.copied import near_duplicates
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import (
    EvidenceRow,
    LedgerData,
    MeasureRow,
    NoticeRow,
    ReportRow,
    SignOffRow,
    claims,
    copied,
    reused_evidence,
    study_only,
    timing,
)
from zhenggai.ledger import services
from zhenggai.ledger.models import Inspection, Measure

DAY = dt.date(2024, 6, 1)
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def row(pk: int, text: str = "整改措施", *, unit: int = 1, inspection: int = 1, **kw: object) -> MeasureRow:
    values: dict[str, object] = {
        "code": f"{pk:03d}",
        "unit_name": f"单位{unit}",
        "kind": "deadline",
        "status": "in_progress",
        "deadline": DAY,
        "created_on": dt.date(2024, 3, 20),
        "completed_date": None,
    } | kw
    return MeasureRow(id=pk, text=text, unit_id=unit, inspection_id=inspection, **values)  # type: ignore[arg-type]


# --- study-only -------------------------------------------------------------------------------------------------


def test_study_only_rule_set() -> None:
    assert study.is_study_only("进一步加强学习，提高思想认识，强化责任意识。")
    assert not study.is_study_only("加强学习，于2024年6月底前修订《公务接待管理办法》。")
    assert not study.is_study_only("组织全体干部学习三次")  # a number
    assert not study.is_study_only("清退违规发放的津贴补贴")  # a concrete action, no generic phrase
    assert not study.is_study_only("加强财务管理，清退违规发放的津贴补贴")  # generic, but a concrete action
    assert not study.is_study_only("建立公务接待台账")


def test_study_only_fires_on_generic_measure_and_not_when_a_report_is_concrete() -> None:
    data = LedgerData(
        measures=[row(1, "加强学习，提高认识。"), row(2, "加强学习，提高认识。")],
        reports=[ReportRow(2, T0, 100, "已于5月10日印发《财务报销规定》。")],
    )
    signals = study_only(data)
    assert [s.measure_ids for s in signals] == [(1,)]
    assert "疑点" in signals[0].summary
    assert "需核实" in signals[0].summary


# --- copied text ------------------------------------------------------------------------------------------------

TEXT = "严格执行公务接待管理规定，建立接待审批台账，逐笔核对接待清单和发票，杜绝超标准接待。"


def test_copied_text_fires_across_units_and_not_within_one_unit() -> None:
    data = LedgerData(
        measures=[
            row(1, TEXT, unit=1),
            row(2, TEXT.replace("逐笔", "逐项"), unit=2, inspection=2),
            row(3, "完成办公用房清理，腾退超标准办公用房两间，并在局务会上通报清理结果。", unit=3),
        ]
    )
    signals = copied(data)
    assert [s.measure_ids for s in signals] == [(1, 2)]
    alone = LedgerData(measures=[row(1, TEXT, unit=1), row(2, TEXT, unit=1)])
    assert copied(alone) == []


def test_near_duplicates_ignore_short_texts_and_different_texts() -> None:
    assert near_duplicates(["加强学习", "加强学习"], [1, 2]) == []
    other = "规范车辆管理，对公务用车实行定点维修和定点加油，按月公示用车情况和费用。"
    assert near_duplicates([TEXT, other], [1, 2]) == []


def test_copied_progress_reports_across_inspections() -> None:
    report = "已组织开展专项检查，对照问题清单逐项整改，相关制度已经修订完善并印发执行。"
    data = LedgerData(
        measures=[row(1, "甲措施", unit=1), row(2, "乙措施", unit=2, inspection=2)],
        reports=[ReportRow(1, T0, 50, report), ReportRow(2, T0, 50, report)],
    )
    assert [s.measure_ids for s in copied(data)] == [(1, 2)]


# --- reused evidence --------------------------------------------------------------------------------------------


def test_reused_evidence_fires_for_one_file_on_two_measures_and_names_another_unit() -> None:
    data = LedgerData(
        measures=[row(1, unit=1), row(2, unit=2), row(3, unit=1)],
        evidence=[
            EvidenceRow(1, "a" * 64, "发票.pdf"),
            EvidenceRow(2, "a" * 64, "发票.pdf"),
            EvidenceRow(3, "b" * 64, "x.pdf"),
        ],
    )
    signals = reused_evidence(data)
    assert [s.measure_ids for s in signals] == [(1, 2)]
    assert "不同单位" in signals[0].summary
    # the same file twice on one measure is not a reuse
    once = LedgerData(
        measures=[row(1)], evidence=[EvidenceRow(1, "a" * 64, "a.pdf"), EvidenceRow(1, "a" * 64, "a.pdf")]
    )
    assert reused_evidence(once) == []


def test_reused_evidence_from_the_database_through_the_services(world: World) -> None:
    other = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, code="X2")
    report_with_evidence(world.staff_a, world.measure_a)
    services.report_progress(
        by=world.staff_a,
        measure=other,
        text="附件同上",
        progress=50,
        files=[services.UploadedEvidence("另一个名字.pdf", io.BytesIO(PDF))],
    )
    signals = reused_evidence(load(Measure.objects.visible_to(world.supervisor)))
    assert [set(s.measure_ids) for s in signals] == [{world.measure_a.pk, other.pk}]
    # staff of unit B does not see unit A's measures, so no signal about them
    assert reused_evidence(load(Measure.objects.visible_to(world.staff_b))) == []


# --- timing -----------------------------------------------------------------------------------------------------


def test_quick_signoff_fires_within_minutes_and_not_after_days() -> None:
    data = LedgerData(
        measures=[row(1), row(2)],
        reports=[
            ReportRow(1, T0, 40, "a"),
            ReportRow(1, T0 + dt.timedelta(minutes=3), 100, "b"),
            ReportRow(2, T0, 100, "c"),
        ],
        signoffs=[
            SignOffRow(1, T0 + dt.timedelta(minutes=5), None),
            SignOffRow(2, T0 + dt.timedelta(days=3), None),
        ],
    )
    quick = [s for s in timing(data) if s.kind == "quick_signoff"]
    assert [s.measure_ids for s in quick] == [(1,)]


def test_progress_jump_fires_on_zero_to_hundred_only() -> None:
    data = LedgerData(
        measures=[row(1), row(2)],
        reports=[
            ReportRow(1, T0, 100, "一次完成"),
            ReportRow(2, T0, 30, "a"),
            ReportRow(2, T0 + dt.timedelta(days=9), 100, "b"),
        ],
    )
    jumps = [s for s in timing(data) if s.kind == "progress_jump"]
    assert [s.measure_ids for s in jumps] == [(1,)]


def test_many_signoffs_on_the_eve_of_deadlines_fire_and_a_few_do_not() -> None:
    eve = dt.datetime(2024, 5, 31, 16, 0, tzinfo=dt.UTC)
    measures = [row(i) for i in range(1, 7)]
    rush = LedgerData(measures=measures, signoffs=[SignOffRow(i, eve, None) for i in range(1, 6)])
    assert [s.kind for s in timing(rush)] == ["deadline_rush"]
    few = LedgerData(measures=measures, signoffs=[SignOffRow(i, eve, None) for i in range(1, 5)])
    assert timing(few) == []
    early = LedgerData(
        measures=measures, signoffs=[SignOffRow(i, eve - dt.timedelta(days=20), None) for i in range(1, 7)]
    )
    assert timing(early) == []


def test_many_approvals_just_before_a_notice_fire() -> None:
    measures = [row(i, deadline=None) for i in range(1, 7)]
    notice = NoticeRow(9, 1, "关于巡察整改情况的通报", DAY, {})
    approvals = [SignOffRow(i, T0, DAY - dt.timedelta(days=1)) for i in range(1, 6)]
    rush = [
        s
        for s in timing(LedgerData(measures=measures, signoffs=approvals, notices=[notice]))
        if s.kind == "deadline_rush"
    ]
    assert len(rush) == 1
    assert rush[0].notice_id == 9
    later = LedgerData(
        measures=measures,
        signoffs=approvals,
        notices=[NoticeRow(9, 1, "通报", DAY + dt.timedelta(days=30), {})],
    )
    assert timing(later) == []


# --- claims vs ledger -------------------------------------------------------------------------------------------


def test_claims_fire_when_the_notice_states_more_done_than_the_ledger_had() -> None:
    measures = [
        row(1, status="done", completed_date=dt.date(2024, 5, 20)),
        row(2, status="done", completed_date=dt.date(2024, 6, 20)),  # done after the notice
        row(3),
    ]
    honest = NoticeRow(1, 1, "通报", DAY, {"measures": 3, "completed": 1, "regulations": None})
    assert claims(LedgerData(measures=measures, notices=[honest])) == []
    inflated = NoticeRow(2, 1, "通报", DAY, {"measures": 3, "completed": 2, "regulations": 1})
    [signal] = claims(LedgerData(measures=measures, notices=[inflated], regulations={1: []}))
    assert signal.evidence == ["已完成：通报称2，台账截至当日为1", "建章立制：通报称1，台账截至当日为0"]


# --- page -------------------------------------------------------------------------------------------------------


def test_signals_page_shows_questions_with_links_and_is_scoped(demo: Inspection) -> None:
    page = login("xunchaban").get("/evaluation/signals/").content.decode()
    assert "佐证材料重复" in page
    assert "不是结论" in page
    assert "/measures/" in page
    archive = Inspection.objects.exclude(pk=demo.pk).get()
    assert login("lingdao").get(f"/evaluation/signals/?inspection={archive.pk}").status_code == 404
    assert login("lingdao").get("/evaluation/signals/?inspection=x").status_code == 404


def test_signals_command_lists_the_questions(demo: Inspection) -> None:
    out = StringIO()
    call_command("signals", "--inspection", str(demo.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["measures"] == Measure.objects.filter(inspection=demo).count()
    assert "佐证材料重复" in {s["label"] for s in data["signals"]}
    assert all(s["summary"].startswith("疑点") for s in data["signals"])
    with pytest.raises(CommandError):
        call_command("signals", "--inspection", "99999")


def test_signals_page_asks_for_an_inspection_past_its_limit(
    demo: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhenggai.evaluation import views

    monkeypatch.setattr(views, "PAGE_SCAN_LIMIT", 5)
    page = login("xunchaban").get("/evaluation/signals/").content.decode()
    assert "页面不逐条扫描" in page
    assert "佐证材料重复（" not in page
    assert (
        "佐证材料重复"
        in login("xunchaban").get(f"/evaluation/signals/?inspection={demo.pk}").content.decode()
    )
