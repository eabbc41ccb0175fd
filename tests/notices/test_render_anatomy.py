"""The shared anatomy: what the notice says, in which order, with which numbers and markers."""

from __future__ import annotations

import pytest

from tests.notices.notice_samples import (
    DETAIL_TITLES,
    PROBLEM_TITLES,
    linjiang_notice,
    notice_without_aspects,
)
from zhenggai.notices.document import NoticeFinding, NoticeMeasure, StatedFigures
from zhenggai.notices.render import Block, BlockKind, RenderOptions, build_blocks, figures_sentence
from zhenggai.notices.render.text import chinese_date, chinese_numeral, format_rate, fullwidth


def _texts(blocks: list[Block], kind: BlockKind) -> list[str]:
    return [b.plain for b in blocks if b.kind is kind]


def test_title_and_opening_name_the_unit_the_group_and_the_dates_in_chinese() -> None:
    blocks = build_blocks(linjiang_notice())

    assert blocks[0].kind is BlockKind.TITLE
    assert blocks[0].plain == "临江区文化旅游局关于区委巡察整改情况的通报"
    assert blocks[1].kind is BlockKind.OPENING
    assert blocks[1].plain.startswith(
        "根据区委巡察工作统一部署，2024年3月4日至2024年4月26日，区委巡察三组对区文化旅游局开展了巡察，"
        "并于2024年6月5日反馈了巡察意见。"
    )
    assert blocks[1].plain.endswith("现将巡察整改情况予以公布。")


def test_a_title_given_in_the_document_is_kept() -> None:
    doc = linjiang_notice()
    doc.title = "临江区文化旅游局关于区委巡察整改进展情况的通报"

    assert build_blocks(doc)[0].plain == doc.title


def test_sections_are_numbered_in_order() -> None:
    assert _texts(build_blocks(linjiang_notice()), BlockKind.HEADING1) == [
        "一、整改工作的组织开展情况",
        "二、巡察反馈问题的整改情况",
        "三、巡察反馈问题线索的处理情况",
        "四、需要进一步整改的事项",
    ]


def test_an_empty_section_is_left_out_and_the_next_ones_move_up() -> None:
    doc = linjiang_notice()
    doc.clues = ""

    assert _texts(build_blocks(doc), BlockKind.HEADING1)[2:] == ["三、需要进一步整改的事项"]


def test_aspects_problems_and_details_take_the_three_heading_levels() -> None:
    blocks = build_blocks(linjiang_notice())

    assert _texts(blocks, BlockKind.HEADING2)[:2] == [
        "（一）贯彻落实党的理论路线方针政策和上级决策部署方面",
        "（二）党风廉政建设和干部队伍建设方面",
    ]
    assert _texts(blocks, BlockKind.HEADING3) == [
        f"1.关于“{PROBLEM_TITLES[0]}”的问题",
        f"2.关于“{PROBLEM_TITLES[1]}”的问题",
        f"1.关于“{PROBLEM_TITLES[2]}”的问题",
    ]
    assert _texts(blocks, BlockKind.HEADING4) == [
        f"（1）针对“{DETAIL_TITLES[0]}”的问题",
        f"（2）针对“{DETAIL_TITLES[1]}”的问题",
        f"（1）针对“{DETAIL_TITLES[2]}”的问题",
        f"（1）针对“{DETAIL_TITLES[3]}”的问题",
        f"（2）针对“{DETAIL_TITLES[4]}”的问题",
    ]


def test_without_aspects_problems_and_details_shift_up_a_level() -> None:
    blocks = build_blocks(notice_without_aspects())
    findings = blocks[: next(i for i, b in enumerate(blocks) if b.plain.startswith("三、"))]

    assert _texts(findings, BlockKind.HEADING2) == [
        f"（{n}）关于“{t}”的问题" for n, t in zip("一二三", PROBLEM_TITLES, strict=True)
    ]
    assert _texts(findings, BlockKind.HEADING3)[:2] == [
        f"1.针对“{DETAIL_TITLES[0]}”的问题",
        f"2.针对“{DETAIL_TITLES[1]}”的问题",
    ]
    assert _texts(findings, BlockKind.HEADING4) == []


def test_every_measure_carries_its_status_marker_and_one_ordinal() -> None:
    measures = [b for b in build_blocks(linjiang_notice()) if b.kind is BlockKind.MEASURE]

    assert len(measures) == 10
    assert sum(m.plain.count("（已完成）") for m in measures) == 6
    assert sum(m.plain.count("（持续推进）") for m in measures) == 3
    assert sum(m.plain.count("（未完成）") for m in measures) == 1
    assert [m.plain for m in measures[:2]] == [
        "一是调整区文化馆、图书馆开放时间，周末及节假日延长开放至晚上9时（已完成）；",
        "二是建立场馆开放情况月度通报制度，每月通报各场馆接待人次（已完成）。",
    ]


def test_a_single_measure_runs_in_after_the_label_without_an_ordinal() -> None:
    blocks = build_blocks(linjiang_notice())

    assert "整改情况：修订《公务接待管理办法》，严格执行事前审批和清单报销（已完成）。" in [
        b.plain for b in blocks
    ]


def test_a_measure_of_unknown_status_gets_no_marker() -> None:
    doc = linjiang_notice()
    doc.findings[0].children[0].children[0].measures = [NoticeMeasure(text="开展自查")]

    assert "整改情况：开展自查。" in [b.plain for b in build_blocks(doc)]


def test_markers_and_half_width_punctuation_in_source_text_are_normalised() -> None:
    doc = linjiang_notice()
    doc.findings[0].children[0].children[0].measures = [
        NoticeMeasure(text="召开会议,部署整改。(已完成)", status="done"),
        NoticeMeasure(text="建立制度(试行);持续推进", status="ongoing"),
    ]
    plain = [b.plain for b in build_blocks(doc)]

    assert "一是召开会议，部署整改（已完成）；" in plain
    assert "二是建立制度（试行）；持续推进（持续推进）。" in plain


def test_outstanding_items_list_reason_next_steps_and_deadline() -> None:
    blocks = build_blocks(linjiang_notice())
    start = next(i for i, b in enumerate(blocks) if b.plain == "四、需要进一步整改的事项")

    assert [b.plain for b in blocks[start + 1 : start + 5]] == [
        f"（一）针对“{DETAIL_TITLES[2]}”的问题",
        "未完成整改原因：监管信息系统升级需履行政府采购程序，周期较长。",
        "下一步整改措施：加快推进系统升级，完成后按30%的比例开展随机抽查。",
        "整改时限：2025年3月31日。",
    ]


def test_closing_lists_every_supervision_channel_then_signature_and_date() -> None:
    blocks = build_blocks(linjiang_notice())
    supervision = next(b.plain for b in blocks if b.role == "supervision")

    assert supervision.startswith("欢迎广大干部群众对巡察整改落实情况进行监督。")
    for part in (
        "联系电话：0571-88776655",
        "通信地址：临江区滨江路18号区政府大院3号楼402室",
        "邮政编码：310000",
        "电子邮箱：ljwlj@example.cn",
    ):
        assert part in supervision
    assert [(b.kind, b.plain) for b in blocks[-2:]] == [
        (BlockKind.SIGNATURE, "临江区文化旅游局"),
        (BlockKind.DATE, "2024年9月20日"),
    ]


def test_options_override_signature_date_and_supervision_text() -> None:
    options = RenderOptions(
        signature="中共临江区文化旅游局党组", date="2024-10-08", supervision="来信请寄区委巡察办。"
    )
    blocks = build_blocks(linjiang_notice(), options)

    assert [b.plain for b in blocks[-3:]] == [
        "来信请寄区委巡察办。",
        "中共临江区文化旅游局党组",
        "2024年10月8日",
    ]


def test_figures_sentence_prints_exactly_the_values_given() -> None:
    figures = StatedFigures(
        problems=17,
        measures=42,
        completed=32,
        completion_rate=76,
        regulations=5,
        regulations_new=3,
        regulations_revised=2,
    )
    blocks = build_blocks(linjiang_notice(), RenderOptions(figures=figures))

    assert next(b.plain for b in blocks if b.role == "figures") == (
        "巡察反馈问题17个，制定整改措施42条，已完成32条，整改完成率76%。建章立制5项，其中新制定3项、修订完善2项。"
    )


def test_figures_sentence_uses_the_aspect_form_when_aspects_and_details_are_stated() -> None:
    figures = StatedFigures(aspects=3, problems=6, details=11, measures=14)

    assert figures_sentence(figures) == "巡察反馈3个方面6项共11个问题，制定整改措施14条。"


def test_figures_sentence_leaves_out_what_is_not_stated() -> None:
    assert figures_sentence(StatedFigures()) == ""
    assert figures_sentence(StatedFigures(regulations=2)) == "建章立制2项。"


@pytest.mark.parametrize(
    ("rate", "printed"),
    [
        (76, "76%"),
        (76.0, "76%"),
        (76.5, "76.5%"),
        (76.54, "76.5%"),
        (99.96, "99.9%"),
        (100, "100%"),
        (0, "0%"),
    ],
)
def test_completion_rate_has_at_most_one_decimal_and_never_rounds_up(rate: float, printed: str) -> None:
    assert format_rate(rate) == printed


@pytest.mark.parametrize(
    ("iso", "chinese"),
    [
        ("2024-01-04", "2024年1月4日"),
        ("2024-12-31", "2024年12月31日"),
        ("2024年12月底前", "2024年12月底前"),
        (None, ""),
    ],
)
def test_dates_are_written_without_zero_padding(iso: str | None, chinese: str) -> None:
    assert chinese_date(iso) == chinese


@pytest.mark.parametrize(
    ("n", "numeral"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (12345, "12345"),
    ],
)
def test_chinese_numerals_for_headings(n: int, numeral: str) -> None:
    assert chinese_numeral(n) == numeral


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("区委巡察二组,对区社科联开展了巡察", "区委巡察二组，对区社科联开展了巡察"),
        ("整改进展情况:已完成", "整改进展情况：已完成"),
        ("0595-22355908", "0595-22355908"),
        ("lcqske@126.com", "lcqske@126.com"),
        ("发布时间:2024-09-19 17:46", "发布时间：2024-09-19 17:46"),
        ('开展"双随机"检查', "开展“双随机”检查"),
        ("整改1.5万元(已完成)", "整改1.5万元（已完成）"),
    ],
)
def test_half_width_punctuation_in_chinese_text_becomes_full_width(source: str, result: str) -> None:
    assert fullwidth(source) == result


def test_a_problem_without_details_lists_its_measures_directly() -> None:
    doc = notice_without_aspects()
    doc.findings = [
        NoticeFinding(
            level="problem",
            title="意识形态工作责任制落实不到位",
            measures=[NoticeMeasure("制定责任清单", "done")],
        )
    ]
    plain = [b.plain for b in build_blocks(doc)]
    heading = plain.index("（一）关于“意识形态工作责任制落实不到位”的问题")

    assert plain[heading + 1] == "整改情况：制定责任清单（已完成）。"
