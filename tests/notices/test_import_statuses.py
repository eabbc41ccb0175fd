"""Measure statuses come from the notice (markers, wording, or a statement that all are complete), the import
preview shows them, and the user may change them before confirming."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World
from tests.notices.family_samples import SAMPLES
from tests.notices.test_import_page import LINJIANG_BYTES, URL, client_for, confirm, upload
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import AuditEvent, Inspection, Measure
from zhenggai.notices import parse_file, parse_text
from zhenggai.notices.importing import plan_import, plan_measures, set_statuses, sha256_of


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


NOTICE = """根据区委统一部署，2024年3月4日至4月30日，区委第一巡察组对区水务局党组开展了巡察。
一、关于“河道保洁不到位”的问题
整改情况：一是开展河道集中清理，已完成。二是建立河长巡河制度，持续推进。三是落实保洁经费，正在推进。四是更新保洁设备，已整改。
二、关于“工程验收不规范”的问题
整改情况：一是修订验收办法，完成整改。二是开展验收复查，整改中。三是建立验收档案，长期坚持。
"""


def test_status_words_in_each_measure() -> None:
    doc = parse_text(NOTICE)
    statuses = [m.status for node in doc.findings for m in node.measures]
    assert statuses == ["done", "ongoing", "ongoing", "done", "done", "ongoing", "ongoing"]


def test_a_notice_stating_all_measures_complete_marks_the_unmarked_ones_done() -> None:
    text = NOTICE.replace("一、关于", "共制定整改措施9条，已全部完成。\n一、关于", 1) + (
        "三、关于“台账管理混乱”的问题\n整改情况：一是重建工作台账。二是每月核对一次。\n"
    )
    doc = parse_text(text)
    third = doc.findings[-1]
    assert [m.status for m in third.measures] == ["done", "done"]
    # a measure that says otherwise keeps its word
    assert [m.status for m in doc.findings[0].measures][1] == "ongoing"
    assert "已全部完成" in doc.status_note


def test_without_such_a_statement_unmarked_measures_stay_unknown() -> None:
    doc = parse_text("一、关于“台账管理混乱”的问题\n整改情况：一是重建工作台账。二是每月核对一次。\n")
    assert [m.status for m in doc.findings[0].measures] == ["unknown", "unknown"]
    assert doc.status_note == ""


def test_completed_problems_do_not_mark_measures_done() -> None:
    doc = parse_text(
        "巡察反馈3个问题，已完成整改2个。\n一、关于“台账管理混乱”的问题\n整改情况：一是重建工作台账。二是每月核对。\n"
    )
    assert [m.status for m in doc.findings[0].measures] == ["unknown", "unknown"]


@pytest.mark.seeds
def test_seed_004s_listed_measures_import_as_done_as_the_notice_states(seed: Callable[[str], Path]) -> None:
    doc = parse_file(seed("004"))
    plan = plan_import(doc, filename="004.txt", sha256="0" * 64)
    statuses = [m.status for m in plan_measures(plan)]
    assert len(statuses) == 27
    # one measure ends "其中关于市非遗馆建设选址工作……目前，市政府牵头相关部门正在走审批流程。": a part of the
    # work and another body's procedure, not the measure's own status; it is done, with a warning to check
    assert statuses.count(MeasureStatus.DONE) == 27
    assert list(plan.measure_warnings.values()) == ["该措施表述中有“正在走审批流程”，请核对状态。"]
    assert "推动重点项目落实落地" in _measure_text(plan, next(iter(plan.measure_warnings)))
    assert any("已完成94条" in note for note in plan.adjustments)


def _measure_text(plan: Any, number: int) -> str:
    return plan_measures(plan)[number].text


def test_set_statuses_changes_the_chosen_measures_and_recounts() -> None:
    plan = plan_import(parse_text(NOTICE), filename="n.txt", sha256="1" * 64)
    done_before = plan.counts.done
    set_statuses(plan, {0: "draft", 1: "done"})
    measures = plan_measures(plan)
    assert (measures[0].status, measures[1].status) == (MeasureStatus.DRAFT, MeasureStatus.DONE)
    assert plan.counts.done == done_before  # one done less, one more
    assert plan.status_changes == 2
    assert "修改了2条措施的状态" in plan.audit_note


@pytest.mark.parametrize("chosen", [{99: "done"}, {0: "pending_signoff"}, {0: "whatever"}])
def test_set_statuses_refuses_what_does_not_exist(chosen: dict[int, str]) -> None:
    plan = plan_import(parse_text(NOTICE), filename="n.txt", sha256="1" * 64)
    with pytest.raises(InvalidInput):
        set_statuses(plan, chosen)


def test_the_preview_shows_each_measures_status_as_a_choice(world: World) -> None:
    page = upload(client_for(world.leader_a), world.unit_a.pk).content.decode()
    assert 'name="status-0"' in page
    assert 'form="confirm-form"' in page
    assert '<option value="done" selected>已完成</option>' in page
    assert "导入前可逐条修改" in page


def test_the_status_chosen_in_the_preview_is_imported(world: World) -> None:
    client = client_for(world.leader_a)
    upload(client, world.unit_a.pk)
    data = {"confirm": "1", "sha256": sha256_of(LINJIANG_BYTES), "unit": world.unit_a.pk, "round": ""}
    response = client.post(URL, {**data, "status-0": "draft"})
    assert response.status_code == 302
    inspection = Inspection.objects.get(source_sha256=sha256_of(LINJIANG_BYTES))
    first = Measure.objects.filter(finding__inspection=inspection).order_by("pk").first()
    assert first is not None
    assert first.status == MeasureStatus.DRAFT
    assert AuditEvent.objects.filter(note__contains="修改了1条措施的状态").exists()


def test_an_invalid_status_in_the_confirmation_imports_nothing(world: World) -> None:
    client = client_for(world.leader_a)
    upload(client, world.unit_a.pk)
    data = {"confirm": "1", "sha256": sha256_of(LINJIANG_BYTES), "unit": world.unit_a.pk, "round": ""}
    page = client.post(URL, {**data, "status-0": "bogus"}).content.decode()
    assert "措施状态无效" in page
    assert not Inspection.objects.filter(source_sha256=sha256_of(LINJIANG_BYTES)).exists()


def test_family_sample_statuses_reach_the_plan() -> None:
    plan = plan_import(parse_text(SAMPLES[0].text), filename="p.txt", sha256="2" * 64)
    assert plan.counts.done == 7
    assert plan.counts.measures == 8


def test_confirm_without_choices_keeps_the_parsed_statuses(world: World) -> None:
    client = client_for(world.leader_a)
    upload(client, world.unit_a.pk)
    assert confirm(client, world.unit_a.pk).status_code == 302
    assert not AuditEvent.objects.filter(note__contains="修改了").exists()


# An all-complete notice whose measures speak of ongoing work in three ways (our own text, fictional units)
ALL_COMPLETE = """根据区委统一部署，2024年3月4日至4月30日，区委第二巡察组对区档案局党组开展了巡察。
共制定整改措施5条，已全部完成。
一、关于“档案基础设施建设滞后”的问题
整改情况：
（一）推进新馆建设。完成新馆功能需求论证。其中关于新馆选址工作，局领导多次带队调研。目前，区政府牵头相关部门正在走审批流程。
（二）更新库房设备。制定设备更新方案，区财政局正在履行政府采购程序。
（三）完善库房巡查制度。修订巡查办法，整改中。
二、关于“档案数字化进度缓慢”的问题
整改情况：
（一）加快馆藏数字化。其中关于婚姻档案，正在走审批流程，持续推进。
（二）规范数字化外包管理。制定外包服务规范（整改中）。
"""


def _statuses_of(doc: Any) -> list[str]:
    return [m.status for node in doc.findings for m in node.measures]


def test_ongoing_words_about_part_of_the_work_or_another_bodys_procedure_do_not_override_all_complete() -> (
    None
):
    doc = parse_text(ALL_COMPLETE)
    measures = [m for node in doc.findings for m in node.measures]
    assert _statuses_of(doc) == ["done", "done", "ongoing", "ongoing", "ongoing"]
    assert measures[0].warning == "该措施表述中有“正在走审批流程”，请核对状态。"
    assert measures[1].warning == "该措施表述中有“正在履行政府采购程序”，请核对状态。"
    # a status word at the measure's own status position still counts, and carries no warning
    assert [m.warning for m in measures[2:]] == ["", "", ""]
    assert "2条措施的表述中有“正在……”等字样" in doc.status_note
    assert "请在预览中核对" in doc.status_note


def test_without_an_all_complete_statement_such_wording_keeps_the_measure_in_progress() -> None:
    doc = parse_text(ALL_COMPLETE.replace("共制定整改措施5条，已全部完成。\n", ""))
    assert _statuses_of(doc) == ["ongoing", "ongoing", "ongoing", "ongoing", "ongoing"]
    assert all(not m.warning for node in doc.findings for m in node.measures)
    assert doc.status_note == ""
    # the JSON names a measure's warning only when it has one
    assert all(set(m) == {"text", "status"} for node in doc.to_dict()["findings"] for m in node["measures"])


def test_the_warned_measure_is_imported_done_and_the_plan_numbers_its_warning() -> None:
    plan = plan_import(parse_text(ALL_COMPLETE), filename="a.txt", sha256="3" * 64)
    statuses = [m.status for m in plan_measures(plan)]
    assert statuses[:2] == [MeasureStatus.DONE, MeasureStatus.DONE]
    assert MeasureStatus.DONE not in statuses[2:]
    assert set(plan.measure_warnings) == {0, 1}
    assert "正在走审批流程" in plan.measure_warnings[0]
    assert any("请在预览中核对" in note for note in plan.adjustments)


def test_the_preview_shows_the_warning_on_that_measure(world: World) -> None:
    data = ALL_COMPLETE.encode("utf-8")
    page = upload(client_for(world.leader_a), world.unit_a.pk, data, "档案局通报.txt").content.decode()
    assert 'id="warning-0"' in page
    assert "该措施表述中有“正在走审批流程”，请核对状态。" in page
    assert 'aria-describedby="warning-0"' in page
    assert 'id="warning-2"' not in page
