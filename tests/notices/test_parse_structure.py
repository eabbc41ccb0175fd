"""How the parser reads the parts of a notice, on fictional notices written for these tests."""

from __future__ import annotations

import pytest

from zhenggai.notices import parse_text
from zhenggai.notices.document import NoticeDoc, NoticeMeasure
from zhenggai.notices.figures import inspection_info, stated_figures
from zhenggai.notices.normalise import cn_to_int, parse_date

# A fictional county bureau. Two-line title, Chinese signature date, every section present.
LINJIANG = """\
中共临江县水利局党组
关于县委巡察整改进展情况的通报
（此件公开发布）
根据县委统一部署，2023年11月6日至12月29日，县委第三巡察组对我局开展了常规巡察。1月10日，县委巡察组向县水利局党组反馈了巡察意见。按照党务公开原则和巡察工作有关要求，现将巡察整改进展情况予以公布。
一、整改工作的组织开展情况
局党组召开专题会议研究整改工作，成立整改工作领导小组。
对巡察反馈的2个方面3项共4个问题，制定整改措施8条，已完成3条，整改完成率37.5%。建立完善制度5项，其中新制定3项、修订完善2项。
二、巡察反馈问题的整改落实情况
（一）落实上级决策部署方面
1.关于“河道日常巡查不到位”的问题。
（1）针对“巡查记录填写不规范”的问题
整改情况：一是统一巡查记录格式（已完成）；二是开展巡查员培训2次（已完成）；三是建立月度抽查机制（持续推进）。
（2）针对“问题发现后处置迟缓”的问题
整改情况：已完成。制定问题处置时限清单，明确24小时内处置。
2.关于“水利工程质量监管有漏洞”的问题。
整改情况：
（一）开展在建工程质量大检查。①检查在建工程8个；②下发整改通知书3份。
（二）正在修订质量监督办法。
（二）加强干部队伍建设方面
1.关于“干部培训覆盖面不广”的问题。
针对“基层站所人员培训少”的问题
整改情况：组织基层站所人员集中培训。
培训共覆盖46人。
三、巡察移交问题线索办理情况
巡察移交问题线索1件，已办结。
四、尚未完成的整改事项
（一）针对“基层站所人员培训少”的问题
未完成原因：部分站所人员轮岗。
下一步措施：分批完成轮训。
整改时限：2024年6月底
下一步，局党组将持续巩固整改成果。
欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0576-12345678；邮政编码：317000；电子邮箱：slj@example.cn。
中共临江县水利局党组
二〇二四年三月十五日
"""


@pytest.fixture
def linjiang() -> NoticeDoc:
    return parse_text(LINJIANG)


def test_every_line_is_placed(linjiang: NoticeDoc) -> None:
    assert linjiang.warnings == []


def test_two_line_title_chinese_date_and_signature(linjiang: NoticeDoc) -> None:
    assert linjiang.title == "中共临江县水利局党组关于县委巡察整改进展情况的通报"
    assert linjiang.issuer == "中共临江县水利局党组"
    assert linjiang.date == "2024-03-15"


def test_opening_resolves_we_to_the_unit_fed_back_to_and_the_year_of_feedback(linjiang: NoticeDoc) -> None:
    info = linjiang.inspection
    assert (info.inspector, info.inspected) == ("县委第三巡察组", "县水利局党组")
    assert (info.start, info.end, info.feedback_date) == ("2023-11-06", "2023-12-29", "2024-01-10")


def test_tree_counts_and_every_stated_figure_checks_out(linjiang: NoticeDoc) -> None:
    c = linjiang.counts
    assert (c.aspects, c.problems, c.details, c.measures, c.done) == (2, 3, 4, 8, 3)
    s = linjiang.stated
    assert (s.aspects, s.problems, s.details, s.measures, s.completed) == (2, 3, 4, 8, 3)
    assert (s.completion_rate, s.regulations, s.regulations_new, s.regulations_revised) == (37.5, 5, 3, 2)
    assert [(check.claim, check.ok) for check in linjiang.checks] == [
        ("aspects", True),
        ("problems", True),
        ("details", True),
        ("measures", True),
        ("completed", True),
        ("completion_rate", True),
        ("regulations", True),
    ]


def test_inline_clauses_are_measures_with_their_own_markers(linjiang: NoticeDoc) -> None:
    detail = linjiang.findings[0].children[0].children[0]
    assert detail.measures == [
        NoticeMeasure("统一巡查记录格式；", "done"),
        NoticeMeasure("开展巡查员培训2次；", "done"),
        NoticeMeasure("建立月度抽查机制。", "ongoing"),
    ]


def test_leading_status_covers_the_progress_and_is_not_kept_in_the_text(linjiang: NoticeDoc) -> None:
    detail = linjiang.findings[0].children[0].children[1]
    assert detail.measures == [NoticeMeasure("制定问题处置时限清单，明确24小时内处置。", "done")]


def test_sub_items_win_over_their_item_and_its_heading_opens_the_first(linjiang: NoticeDoc) -> None:
    problem = linjiang.findings[0].children[1]
    assert problem.children == []
    assert [m.text for m in problem.measures] == [
        "开展在建工程质量大检查。检查在建工程8个；",
        "下发整改通知书3份。",
        "正在修订质量监督办法。",
    ]
    assert [m.status for m in problem.measures] == ["unknown", "unknown", "ongoing"]


def test_unfinished_item_reopens_the_detail_it_names(linjiang: NoticeDoc) -> None:
    detail = linjiang.findings[1].children[0].children[0]
    assert detail.title == "基层站所人员培训少"
    assert detail.measures == [NoticeMeasure("组织基层站所人员集中培训。\n培训共覆盖46人。", "open")]
    (item,) = linjiang.outstanding
    assert (item.finding, item.reason, item.next_steps, item.deadline) == (
        "基层站所人员培训少",
        "部分站所人员轮岗。",
        "分批完成轮训。",
        "2024-06-30",
    )


def test_clues_closing_contact_and_organising_work(linjiang: NoticeDoc) -> None:
    assert linjiang.clues == "巡察移交问题线索1件，已办结。"
    assert linjiang.closing == "下一步，局党组将持续巩固整改成果。"
    contact = linjiang.contact
    assert (contact.phone, contact.postcode, contact.email, contact.address) == (
        "0576-12345678",
        "317000",
        "slj@example.cn",
        None,
    )
    assert (
        linjiang.organising_work.splitlines()[0] == "局党组召开专题会议研究整改工作，成立整改工作领导小组。"
    )
    assert "一、" not in linjiang.organising_work


def progress(*lines: str) -> list[NoticeMeasure]:
    """The measures of one problem whose progress is `lines`."""
    doc = parse_text("\n".join(["1.关于“某项工作不到位”的问题。", *lines]))
    assert doc.warnings == []
    return doc.findings[0].measures


def test_numbering_must_run_in_sequence_to_split() -> None:
    assert len(progress("整改情况：推进标准统一是关键，二是指第二阶段。")) == 1
    assert len(progress("整改情况：一是建立台账。二是逐项销号。三是定期复查。")) == 3


@pytest.mark.parametrize(
    ("lines", "count"),
    [
        (("整改情况：", "1.建立台账。", "2.逐项销号。"), 2),
        (("整改情况：", "(1)建立台账。", "(2)逐项销号。", "(3)定期复查。"), 3),
        (("整改情况：", "（一）建立台账。一是明确格式；二是专人负责。", "（二）逐项销号。"), 3),
        (("整改情况：建立台账，逐项销号。", "定期复查，防止反弹。"), 1),
    ],
)
def test_each_enumerated_clause_is_one_measure(lines: tuple[str, ...], count: int) -> None:
    assert len(progress(*lines)) == count


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("整改情况：建立台账（已完成）", "done"),
        ("整改情况：建立台账。已整改到位。", "done"),
        ("整改情况：建立台账，完成整改。", "done"),
        ("整改情况：建立台账(持续推进)", "ongoing"),
        ("整改情况：台账已基本完成。", "ongoing"),
        ("整改情况：正在建立台账。", "ongoing"),
        ("整改情况：建立台账（未完成）", "open"),
        ("整改情况：已完成前期调研，建立台账。", "unknown"),
        ("整改情况：建立台账。", "unknown"),
    ],
)
def test_status_follows_the_markers_of_the_text(text: str, status: str) -> None:
    (measure,) = progress(text)
    assert measure.status == status
    assert "（" not in measure.text
    assert "(" not in measure.text


def test_text_without_structure_gives_an_empty_tree_and_a_warning() -> None:
    doc = parse_text("今天天气很好。\n我们去公园散步。")
    assert doc.findings == []
    assert doc.warnings[0].line == 0
    assert "未识别出整改问题" in doc.warnings[0].message
    assert [w.line for w in doc.warnings[1:]] == [1, 2]


def test_text_before_the_first_finding_of_a_findings_section_is_a_warning_with_its_line() -> None:
    doc = parse_text(
        "二、整改情况\n这一段不属于任何问题。\n1.关于“某项工作不到位”的问题。\n整改情况：建立台账。"
    )
    assert [(w.line, w.text) for w in doc.warnings] == [(2, "这一段不属于任何问题。")]
    assert doc.counts.measures == 1


def test_unfinished_item_keeps_explicit_markers_of_the_detail_it_names() -> None:
    doc = parse_text(
        "二、整改情况\n1.关于“某项工作不到位”的问题。\n（1）针对“台账不全”的问题\n"
        "整改情况：一是补齐台账（已完成）；二是建立长效机制（持续推进）；三是定期复查。\n"
        "四、需要进一步整改的事项\n针对“台账不全”的问题。\n整改时限：2025年3月31日。"
    )
    detail = doc.findings[0].children[0]
    assert [m.status for m in detail.measures] == ["done", "ongoing", "open"]
    assert doc.counts.details == 1
    assert doc.warnings == []


def test_unfinished_item_naming_nothing_in_the_text_is_reported() -> None:
    doc = parse_text(
        "二、整改情况\n1.关于“某项工作不到位”的问题。\n整改情况：建立台账。\n"
        "四、需要进一步整改的事项\n针对“另一项工作”的问题。\n整改时限：长期坚持。"
    )
    assert doc.outstanding[0].finding == "另一项工作"
    assert doc.outstanding[0].deadline is None
    assert [w.line for w in doc.warnings] == [5]


def test_empty_text() -> None:
    doc = parse_text(" \n\u3000\n")
    assert doc.findings == []
    assert doc.warnings[0].message.startswith("文本为空")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("对巡察反馈的3个方面6项共11个问题", {"aspects": 3, "problems": 6, "details": 11}),
        ("梳理出12类问题，细化为39个具体问题", {"problems": 12, "details": 39}),
        ("反馈的三个方面问题", {"aspects": 3}),
        ("市委巡察组反馈问题29个，制定整改措施94条", {"problems": 29, "measures": 94}),
        ("已完成整改94条，整改完成率达到76%", {"completed": 94, "completion_rate": 76}),
        ("建章立制17项，其中新制定10项、修订完善7项", {"regulations": 17, "regulations_new": 10}),
        ("力求一个一个问题解决", {}),
    ],
)
def test_stated_figures(text: str, expected: dict[str, float]) -> None:
    stated = stated_figures([text])
    got = {name: value for name, value in vars(stated).items() if value is not None}
    assert {k: got.get(k) for k in expected} == expected
    if not expected:
        assert got == {}


def test_end_of_a_span_without_year_takes_the_next_year_when_it_would_precede_the_start() -> None:
    info = inspection_info("根据县委统一部署，2023年11月6日至1月12日，县委第一巡察组对县农业局进行了巡察。")
    assert (info.start, info.end) == ("2023-11-06", "2024-01-12")
    assert info.inspected == "县农业局"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025年3月1日", "2025-03-01"),
        ("2024年6月底前", "2024-06-30"),
        ("2024年2月", "2024-02-29"),
        ("2024-09-19 17:46", "2024-09-19"),
        ("2024年底", "2024-12-31"),
        ("长期坚持", None),
        ("2024年13月1日", None),
    ],
)
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "n"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("三十九", 39), ("94", 94)]
)
def test_chinese_numerals(text: str, n: int) -> None:
    assert cn_to_int(text) == n


def test_aspects_as_first_level_sections_and_headings_without_quotes() -> None:
    doc = parse_text(
        "一、党的政治建设方面\n"
        "（一）关于“学习贯彻不深入”的问题\n"
        "1.针对“学习流于形式”的问题。整改情况：一是制定学习计划；二是开展专题研讨（已完成）。\n"
        "二、全面从严治党方面\n"
        "（一）关于党风廉政建设工作不扎实的问题。\n"
        "（1）廉政档案更新不及时的问题\n"
        "整改情况：已整改到位。\n"
        "（二）财务制度执行不严格问题。\n"
        "整改情况：修订报销办法。\n"
        "三、下一步工作打算\n"
        "巩固整改成果。"
    )
    assert doc.warnings == []
    assert [(n.level, n.title) for n in doc.findings] == [
        ("aspect", "党的政治建设"),
        ("aspect", "全面从严治党"),
    ]
    second = doc.findings[1].children
    assert [(n.level, n.title) for n in second] == [
        ("problem", "党风廉政建设工作不扎实"),
        ("problem", "财务制度执行不严格"),
    ]
    # a progress that is only a status is still one measure
    assert second[0].children[0].measures == [NoticeMeasure("已整改到位。", "done")]
    assert doc.counts.measures == 4
    assert doc.closing == "巩固整改成果。"


def test_title_below_a_site_name_and_an_opening_that_starts_with_anzhao() -> None:
    doc = parse_text(
        "临江县人民政府门户网站\n"
        "临江县统计局关于巡察整改进展情况的通报\n"
        "按照县委统一部署，2024年3月1日至4月30日，县委第二巡察组对县统计局进行了巡察。\n"
        "1.关于“某项工作不到位”的问题。\n整改情况：建立台账。"
    )
    assert doc.title == "临江县统计局关于巡察整改进展情况的通报"
    assert doc.issuer == "临江县统计局"
    assert doc.inspection.inspector == "县委第二巡察组"
    assert [(w.line, w.message) for w in doc.warnings] == [(1, "标题前的文字未能归类。")]
