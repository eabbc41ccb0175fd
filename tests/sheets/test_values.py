"""Reading cells as units write them: headers and their synonyms, dates, types, department lists."""

from __future__ import annotations

import datetime as dt

import pytest

from zhenggai.ledger.choices import MeasureKind
from zhenggai.sheets.columns import match_header
from zhenggai.sheets.read import clean_title
from zhenggai.sheets.values import CellError, parse_deadline, parse_departments, parse_kind, status_agrees


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["序号", "问题", "整改措施"], {"seq": 1, "problem": 2, "text": 3}),
        (["问题编号", "存在问题", "整改举措", "责任部门", "整改期限"], {"seq": 1, "problem": 2, "text": 3, "department": 4, "deadline": 5}),
        (["序号", "巡察反馈问题", "具体措施", "牵头部门", "完成时限", "整改状态", "整改进展"], {"seq": 1, "problem": 2, "text": 3, "department": 4, "deadline": 5, "status": 6, "progress": 7}),
        (["序 号", "反馈问题\n(例证)", "整改措施(必填)", "推进情况", "完成情况"], {"seq": 1, "problem": 2, "text": 3, "progress": 4, "status": 5}),
    ],
)  # fmt: skip
def test_headers_are_recognised_by_their_usual_names(headers: list[object], expected: dict[str, int]) -> None:
    assert match_header(headers) == expected


def test_code_header_is_the_measure_code_only_beside_a_seq_header() -> None:
    assert match_header(["序号", "问题", "整改措施", "编号"])["code"] == 4
    alone = match_header(["编号", "问题", "整改措施"])
    assert alone["seq"] == 1
    assert "code" not in alone


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2024年13月1日", "日期“2024年13月1日”无效"),
        ("2024-02-30", "日期“2024-02-30”无效"),
        ("下个月", "无法识别的日期“下个月”"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused(written: str, message: str) -> None:
    with pytest.raises(CellError) as raised:
        parse_deadline(written)
    assert raised.value.message.startswith(message)


def test_dates_as_numbers_and_year_ends() -> None:
    assert parse_deadline(47543.0).date == dt.date(2030, 3, 1)  # an Excel serial without a date format
    assert parse_deadline(20300301).date == dt.date(2030, 3, 1)
    assert parse_deadline("2030年底前").date == dt.date(2030, 12, 31)
    assert parse_deadline("2030年6月30日前").date == dt.date(2030, 6, 30)
    assert parse_deadline("长期坚持").long_term
    assert parse_deadline(None).date is None


def test_types_and_their_variants() -> None:
    assert parse_kind("即知即改") == MeasureKind.IMMEDIATE
    assert parse_kind(" 限期整改 ") == MeasureKind.DEADLINE
    assert parse_kind("需长期坚持") == MeasureKind.LONG_TERM
    assert parse_kind("") is None
    with pytest.raises(CellError):
        parse_kind("尽快")


@pytest.mark.parametrize(
    ("written", "lead", "cooperating"),
    [
        ("办公室", "办公室", []),
        ("办公室\n配合:财务股、人事股", "办公室", ["财务股", "人事股"]),
        ("牵头:办公室;配合:财务股", "办公室", ["财务股"]),
        ("办公室(牵头)、财务股(配合)", "办公室", ["财务股"]),
        ("办公室、财务股", "办公室", ["财务股"]),
        ("", None, []),
    ],
)
def test_department_cells_name_the_lead_first(written: str, lead: str | None, cooperating: list[str]) -> None:
    parsed = parse_departments(written)
    assert (parsed.lead, parsed.cooperating) == (lead, cooperating)


def test_status_words_are_compared_by_meaning() -> None:
    assert status_agrees("已整改", "done") is True
    assert status_agrees("正在推进", "in_progress") is True
    assert status_agrees("已完成", "in_progress") is False
    assert status_agrees("差不多了", "done") is None


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ("一、党的建设方面", "党的建设方面"),
        ("1.关于档案管理不规范的问题", "关于档案管理不规范的问题"),
        ("(2)针对档案数字化滞后的问题", "针对档案数字化滞后的问题"),
        ("①制定计划", "制定计划"),
        ("2024年工作计划问题", "2024年工作计划问题"),
    ],
)
def test_list_numbers_are_dropped_from_titles(written: str, title: str) -> None:
    assert clean_title(written) == title
