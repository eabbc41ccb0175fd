"""The families of real notices the parser must read (our own fixtures in their shapes, tests/notices/
family_samples.py): saved government pages, counts in other words, loose dates, deeper numbering, 回头看 and a
whole round's summary. Header fields are scored against hand labels."""

from __future__ import annotations

import pytest

from tests.notices.family_samples import SAMPLES, Sample, field_value, header_accuracy
from tests.notices.notice_variants import hard_wrap
from zhenggai.notices import parse_text
from zhenggai.notices.figures import stated_figures


def _walk_titles(doc: object, level: str) -> list[str]:
    out: list[str] = []
    pending = list(doc.findings)  # type: ignore[attr-defined]
    while pending:
        node = pending.pop(0)
        if node.level == level:
            out.append(node.title)
        pending[0:0] = node.children
    return out


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.name)
def test_header_fields_match_the_hand_labels(sample: Sample) -> None:
    doc = parse_text(sample.text).to_dict()
    assert {path: field_value(doc, path) for path in sample.header} == sample.header


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.counts], ids=lambda sample: sample.name)
def test_finding_tree_counts(sample: Sample) -> None:
    counts = parse_text(sample.text).counts
    assert {name: getattr(counts, name) for name in sample.counts} == sample.counts


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLES if len(s.text) > 400], ids=lambda sample: sample.name
)  # a short text has too few broken lines to show its width
def test_hard_wrapped_family_sample_keeps_its_header(sample: Sample) -> None:
    doc = parse_text(hard_wrap(sample.text)).to_dict()
    assert {path: field_value(doc, path) for path in sample.header} == sample.header


def test_header_accuracy_over_the_fixtures_is_complete() -> None:
    right, total, misses = header_accuracy(parse_text)
    assert total >= 100
    assert misses == []
    assert right == total


def test_metadata_block_is_taken_out_and_the_source_line_is_not_the_issuer() -> None:
    doc = parse_text(SAMPLES[0].text)
    assert doc.metadata["索引号"] == "001234567/2024-00321"
    assert doc.metadata["发布机构"] == "县农业农村局"
    assert doc.issuer == "中共青川县农业农村局党组"  # from the title, not 来源：县融媒体中心
    assert doc.title == "中共青川县农业农村局党组关于县委巡察整改进展情况的通报"
    assert doc.warnings == []


def test_without_title_the_issuer_comes_from_the_metadata_never_from_the_source_line() -> None:
    text = "\n".join(
        [
            "发布机构：市林业局",
            "成文日期：2024-09-03",
            "来源：市融媒体中心",
            SAMPLES[-1].text,
        ]
    )
    doc = parse_text(text)
    assert doc.issuer == "市林业局"
    assert doc.date == "2024-09-03"


def test_a_source_line_alone_gives_no_issuer() -> None:
    doc = parse_text("来源：市融媒体中心\n" + SAMPLES[-1].text)
    assert doc.issuer is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("巡察反馈的2个方面3项问题4个具体问题", {"aspects": 2, "problems": 3, "details": 4}),
        ("反馈3个方面7项共19个问题", {"aspects": 3, "problems": 7, "details": 19}),
        ("制定整改举措8条", {"measures": 8, "measures_label": "整改举措"}),
        ("细化整改任务12项", {"measures": 12, "measures_label": "整改任务"}),
        ("形成任务清单6项", {"measures": 6, "measures_label": "任务清单"}),
        ("制定具体措施9条", {"measures": 9, "measures_label": "具体措施"}),
        ("问题清单15个", {"problems": 15}),
        ("具体问题表现21个", {"details": 21}),
        ("已完成整改19个、正在整改6个", {"completed": 19, "in_progress": 6}),
        ("完成整改298个，基本完成并持续整改9个", {"completed": 298, "in_progress": 9}),
        ("总体完成率98.71%", {"completion_rate": 98.71}),
        ("制定整改措施20条，已全部完成", {"measures": 20, "completed": 20, "all_completed": True}),
        ("巡察反馈25个问题，已完成整改19个", {"problems": 25, "completed": 19, "completed_of": "problems"}),
        ("整改措施40条，已完成38条", {"measures": 40, "completed": 38, "completed_of": "measures"}),
    ],
)
def test_stated_figures_in_other_words(sentence: str, expected: dict[str, object]) -> None:
    stated = vars(stated_figures([sentence]))
    assert {name: stated[name] for name in expected} == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "制定制度5项，追缴资金3.5万元，给予处分2人，召开会议6次，涉及责任单位4家。",
        "约谈12人次，清退资金7.132万元，开展督查3轮。",
    ],
)
def test_numbers_that_are_not_counts_of_problems_or_measures(sentence: str) -> None:
    stated = stated_figures([sentence])
    assert (stated.problems, stated.details, stated.measures, stated.completed) == (None, None, None, None)


def test_month_only_period_keeps_the_months_and_gives_no_exact_date() -> None:
    doc = parse_text(SAMPLES[2].text)
    assert doc.inspection.period_text == "2024年3月至6月"
    assert (doc.inspection.start, doc.inspection.end) == (None, None)
    assert doc.inspection.feedback_date == "2024-08-09"  # stored without its 日


def test_dates_in_chinese_numerals() -> None:
    opening = (
        "根据市委统一部署，二〇二四年三月四日至四月二十六日，市委第一巡察组对市档案馆党组开展了巡察，"
        "并于二〇二四年六月十二日反馈了巡察意见。"
    )
    doc = parse_text(opening + "\n一、关于“档案数字化滞后”的问题\n整改情况：完成数字化扫描（已完成）。")
    info = doc.inspection
    assert (info.start, info.end, info.feedback_date) == ("2024-03-04", "2024-04-26", "2024-06-12")
    assert info.inspector == "市委第一巡察组"
    assert info.inspected == "市档案馆党组"


def test_the_feedback_year_from_the_sentence_before() -> None:
    doc = parse_text(SAMPLES[-1].text)
    assert doc.inspection.feedback_date == "2024-03-22"
    assert doc.inspection.period_text == "2024年1月"


def test_whole_round_summary_says_so_instead_of_guessing() -> None:
    doc = parse_text(SAMPLES[4].text)
    assert doc.inspection.whole_round is True
    assert doc.inspection.inspector is None
    assert doc.inspection.inspected is None
    assert "多个" in doc.inspection.note
    assert len(doc.warnings) == 1
    assert "汇总" in doc.warnings[0].message
    assert doc.checks == []


def test_follow_up_notice_is_marked() -> None:
    doc = parse_text(SAMPLES[3].text)
    assert doc.inspection.follow_up is True
    assert _walk_titles(doc, "detail") == ["校外培训治理反弹", "食堂财务公开不及时"]


def test_a_deeper_numbered_guan_yu_heading_is_a_detail() -> None:
    doc = parse_text(SAMPLES[0].text)
    assert _walk_titles(doc, "problem") == [
        "产业项目谋划不够精准",
        "防返贫监测帮扶不够精准",
        "公务用车管理不规范",
    ]
    assert _walk_titles(doc, "detail") == ["部分项目前期论证不充分", "项目绩效评价流于形式"]


def test_completed_problems_are_checked_against_problems_whose_measures_are_all_done() -> None:
    doc = parse_text(SAMPLES[0].text)
    checks = {check.claim: check for check in doc.checks}
    assert checks["completed"].ok
    assert checks["completed"].found == 3
    assert "个问题" in checks["completed"].note
    assert checks["completion_rate"].ok
