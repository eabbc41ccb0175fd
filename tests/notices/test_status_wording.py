"""Which ongoing phrases speak of part of the work or of another body's procedure (wording.py)."""

from __future__ import annotations

import time

import pytest

from tests.notices.test_import_statuses import ALL_COMPLETE
from zhenggai.notices import parse_text
from zhenggai.notices.normalise import fold
from zhenggai.notices.summary import summary_text
from zhenggai.notices.wording import part_or_procedure_warning


def warning(text: str) -> str:
    return part_or_procedure_warning(fold(text), text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("完成论证。其中关于新馆选址，目前正在协调用地。", "正在协调用地"),
        ("其中对2处库房的改造，正在推进。另已完成验收。", "正在推进"),  # not closing the measure
        ("修订办法。区财政局正在履行政府采购程序。", "正在履行政府采购程序"),
        ("制定方案，目前市政府正在走审批流程。", "正在走审批流程"),
    ],
)
def test_a_phrase_about_part_of_the_work_or_a_procedure_gets_a_warning(text: str, phrase: str) -> None:
    assert warning(text) == f"该措施表述中有“{phrase}”，请核对状态。"


@pytest.mark.parametrize(
    "text",
    [
        "建立巡查制度，正在推进。",  # the measure's own progress
        "其中关于新馆选址，正在走审批流程，整改中。",  # its status position says so
        "其中关于新馆选址，正在走审批流程；持续推进",
        "目前整改中，其中关于新馆选址，正在走审批流程。",  # its first clause is its status
        "其中关于新馆选址已完成。正在推进库房改造。\n另有正在推进的工作。",  # one phrase is the measure's own
        "修订巡查办法，已完成。",
    ],
)
def test_the_measures_own_ongoing_status_gets_no_warning(text: str) -> None:
    assert warning(text) == ""


@pytest.mark.parametrize("unit", ["正在推进", "正在审批", "正在推进,", "其中正在\n"])
def test_a_megabyte_of_ongoing_words_after_qizhong_is_read_in_linear_time(unit: str) -> None:
    body = "其中" + unit * (1_000_000 // len(unit.encode("utf-8"))) + "完成验收"
    text = f"共制定整改措施1条，已全部完成。\n一、关于“档案管理不规范”的问题\n整改情况：{body}。\n"
    started = time.process_time()
    doc = parse_text(text)
    assert time.process_time() - started < 2.0  # each word rescanning its paragraph or clause took hours
    assert {m.status for node in doc.findings for m in node.measures} == {"done"}


@pytest.mark.parametrize("unit", ["正在推进", "正在审批", "正在推进审批,"])
def test_ongoing_words_by_the_hundred_thousand_are_checked_in_linear_time(unit: str) -> None:
    text = "其中" + unit * 250_000 + "完成验收。"
    started = time.process_time()
    assert warning(text)
    assert time.process_time() - started < 2.0  # about 20 s when each word rescanned to the clause's end


def test_zhenggai_parse_names_the_measures_to_check() -> None:
    out = summary_text(parse_text(ALL_COMPLETE))
    assert "措施状态：通报称整改措施已全部完成，" in out
    assert "请核对状态的措施：2条" in out
    assert "  · 该措施表述中有“正在走审批流程”，请核对状态。「推进新馆建设。" in out
