"""The three real notices parse completely, with the figures a reader counts by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zhenggai.notices import parse_file
from zhenggai.notices.document import Counts, NoticeDoc, NoticeFinding

pytestmark = pytest.mark.seeds

# Counted by reading each notice: 方面, 问题, 具体问题 (a problem without details counts as one), measures, done.
EXPECTED_COUNTS = {
    "000": Counts(aspects=3, problems=6, details=11, measures=14, done=13),
    # 001: 3 方面; 4+3+3 problems; 12+9+8 details; 56 enumerated clauses (一是/二是/三是 or one paragraph);
    # no measure is marked done.
    "001": Counts(aspects=3, problems=10, details=29, measures=56, done=0),
    # 004: no 方面, 10 problems without details, (一)(二)… items with ①②③ counted as their sub-items. The notice
    # states 已完成整改94条 of 94: its measures are done, also the one whose 其中… sub-clause ends 目前，市政府牵头
    # 相关部门正在走审批流程 (part of the work, another body's procedure: done, with a warning to check).
    "004": Counts(aspects=0, problems=10, details=10, measures=27, done=27),
}


def walk(nodes: list[NoticeFinding]) -> Iterator[NoticeFinding]:
    for node in nodes:
        yield node
        yield from walk(node.children)


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_seed_parses_with_no_unplaced_text(seed: Callable[[str], Path], prefix: str) -> None:
    doc = parse_file(seed(prefix))
    assert doc.warnings == []
    assert doc.counts == EXPECTED_COUNTS[prefix]


@pytest.fixture
def doc000(seed: Callable[[str], Path]) -> NoticeDoc:
    return parse_file(seed("000"))


def test_000_opening_gives_inspection_groups_and_dates(doc000: NoticeDoc) -> None:
    info = doc000.inspection
    assert (info.inspector, info.inspected) == ("区委巡察二组", "区社科联")
    assert (info.start, info.end, info.feedback_date) == ("2024-01-04", "2024-02-02", "2024-03-18")


def test_000_title_issuer_and_signature_date(doc000: NoticeDoc) -> None:
    assert doc000.title is not None
    assert doc000.title.endswith("关于巡察整改情况的通报")
    assert doc000.issuer == "鲤城区社会科学界联合会"
    assert doc000.date == "2024-09-19"


def test_000_checks_confirm_its_stated_figures(doc000: NoticeDoc) -> None:
    stated = doc000.stated
    assert (stated.aspects, stated.problems, stated.details, stated.measures) == (3, 6, 11, 14)
    assert {check.claim: (check.stated, check.found, check.ok) for check in doc000.checks} == {
        "aspects": (3, 3, True),
        "problems": (6, 6, True),
        "details": (11, 11, True),
        "measures": (14, 14, True),
    }


def test_000_unfinished_item_is_the_eleventh_detail_under_the_problem_it_names(doc000: NoticeDoc) -> None:
    assert len(doc000.outstanding) == 1
    item = doc000.outstanding[0]
    assert item.finding == "学术社团建设不够有力"
    assert item.deadline == "2025-03-01"
    assert item.reason.startswith("成立学术社团周期较长")
    assert item.next_steps.startswith("计划会同区教育局")

    problem = next(n for n in walk(doc000.findings) if n.level == "problem" and n.title == item.finding)
    added = problem.children[-1]
    assert [child.level for child in problem.children] == ["detail", "detail"]
    assert added.text.startswith("体系搭建不够系统全面")
    assert [m.status for m in added.measures] == ["open"]
    assert added.measures[0].text == item.next_steps
    open_measures = [m for n in walk(doc000.findings) for m in n.measures if m.status == "open"]
    assert open_measures == added.measures


def test_000_measures_take_the_status_of_their_progress(doc000: NoticeDoc) -> None:
    first_detail = doc000.findings[0].children[0].children[0]
    # 一是 has no marker of its own; the (已完成) at the end of the progress covers both clauses
    assert [m.status for m in first_detail.measures] == ["done", "done"]
    assert all("(已完成)" not in m.text for n in walk(doc000.findings) for m in n.measures)


def test_000_progress_without_enumeration_is_one_measure(doc000: NoticeDoc) -> None:
    # 整改进展情况:已完成。… followed by a second paragraph with no 一是/二是: one measure, both paragraphs
    detail = doc000.findings[0].children[1].children[0]
    assert len(detail.measures) == 1
    assert detail.measures[0].text.count("\n") == 1
    assert detail.measures[0].text.startswith("加强内外联动")


def test_000_sections_clues_contact_and_closing(doc000: NoticeDoc) -> None:
    assert doc000.organising_work.startswith("(一)提高政治站位")
    assert "3个方面6项共11个问题" in doc000.organising_work
    assert doc000.clues == "未收到移交问题、线索。"
    contact = doc000.contact
    assert (contact.phone, contact.postcode, contact.email) == ("0595-22355908", "362000", "lcqske@126.com")
    assert contact.address is not None
    assert contact.address.startswith("鲤城区庄府巷24号")
    assert doc000.closing.startswith("经过一段时间的集中整改")
    assert doc000.closing.count("\n") == 3


def test_000_aspect_problem_and_detail_titles_come_from_their_headings(doc000: NoticeDoc) -> None:
    aspect = doc000.findings[0]
    assert aspect.title.startswith("聚焦贯彻落实")
    assert not aspect.title.endswith("方面")
    problem = aspect.children[1]
    assert problem.title == "服务区委中心工作存在差距,咨政建言职能发挥不够有效"
    assert next(d.title for d in problem.children) == "未统筹构建全区社科普及‘大格局’"
    assert aspect.children[3].children == []
    assert len(aspect.children[3].measures) == 1


@pytest.fixture
def doc004(seed: Callable[[str], Path]) -> NoticeDoc:
    return parse_file(seed("004"))


def test_004_states_its_totals(doc004: NoticeDoc) -> None:
    s = doc004.stated
    assert (s.problems, s.measures, s.completed, s.completion_rate) == (29, 94, 94, 100)
    assert (s.regulations, s.regulations_new, s.regulations_revised) == (17, 10, 7)
    assert s.aspects is None
    assert s.details is None


def test_004_has_ten_problems_without_aspects(doc004: NoticeDoc) -> None:
    assert [n.level for n in doc004.findings] == ["problem"] * 10
    assert doc004.findings[2].title == "法治建设落实不够到位"


def test_004_circled_sub_items_are_the_measures_of_their_item(doc004: NoticeDoc) -> None:
    first = doc004.findings[0]
    # (一) with ①②③, then (二) and (三) without sub-items
    assert len(first.measures) == 5
    assert first.measures[0].text.startswith("深入实施理论铸魂")  # the (一) lead-in opens its first sub-item
    assert not any(m.text.startswith(("①", "(一)")) for m in first.measures)


def test_004_checks_flag_what_the_text_does_not_bear_out(doc004: NoticeDoc) -> None:
    checks = {check.claim: check for check in doc004.checks}
    assert set(checks) == {"problems", "measures", "completed", "completion_rate", "regulations"}
    assert not checks["problems"].ok
    assert checks["problems"].found == 10
    assert not checks["measures"].ok
    assert checks["measures"].found == 27
    assert checks["regulations"].ok
    assert checks["regulations"].found == 17


def test_004_opening_infers_the_feedback_year(doc004: NoticeDoc) -> None:
    info = doc004.inspection
    assert (info.inspector, info.inspected) == ("市委第四巡察组", "市委宣传部")
    assert (info.start, info.end, info.feedback_date) == ("2023-10-10", "2024-01-12", "2024-04-11")
    assert doc004.issuer == "中共温州市委宣传部"


def test_004_preamble_is_the_organising_work_and_next_steps_the_closing(doc004: NoticeDoc) -> None:
    assert "反馈问题29个" in doc004.organising_work
    assert doc004.closing.startswith("下一步,")
    assert doc004.contact.phone == "88966219"
    assert doc004.contact.email == "418495496@qq.com"


@pytest.fixture
def doc001(seed: Callable[[str], Path]) -> NoticeDoc:
    return parse_file(seed("001"))


def test_001_untitled_masked_notice_keeps_its_three_aspects(doc001: NoticeDoc) -> None:
    assert doc001.title is None
    assert doc001.issuer is None
    assert [len(aspect.children) for aspect in doc001.findings] == [4, 3, 3]
    details = [[len(problem.children) for problem in aspect.children] for aspect in doc001.findings]
    assert details == [[3, 3, 2, 4], [4, 3, 2], [3, 2, 3]]


def test_001_masked_dates_stay_unknown_and_we_unit_becomes_the_recipient(doc001: NoticeDoc) -> None:
    info = doc001.inspection
    assert info.inspector == "市委第二巡察组"
    assert info.inspected == "市社科联党组"
    assert (info.start, info.end, info.feedback_date) == (None, None, None)


def test_001_bare_quote_and_nested_quotes_are_details(doc001: NoticeDoc) -> None:
    first_problem = doc001.findings[0].children[0]
    assert first_problem.children[0].title.startswith("学习习近平总书记关于哲学社会科学重要论述不深不透")
    third_problem = doc001.findings[0].children[2]
    assert third_problem.title == "社科普及“最后一公里”未打通"


def test_001_work_in_progress_is_ongoing(doc001: NoticeDoc) -> None:
    statuses = [m.status for n in walk(doc001.findings) for m in n.measures]
    assert statuses.count("ongoing") == 1  # 正在进行后期编辑制作
    assert set(statuses) == {"ongoing", "unknown"}
