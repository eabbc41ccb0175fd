"""The notice title broken into lines of at most 20 characters at word boundaries, and read back whole."""

from __future__ import annotations

import pytest

from tests.notices.notice_samples import linjiang_notice
from zhenggai.notices.parse import parse_bytes
from zhenggai.notices.render import render_docx, render_html
from zhenggai.notices.render.text import display_width
from zhenggai.notices.render.title import break_title


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        (
            "中共临江区文化和旅游局党组关于十一届区委第四轮巡察整改进展情况的通报",
            ["中共临江区文化和旅游局党组关于", "十一届区委第四轮巡察整改进展情况的通报"],
        ),
        (
            "临江区文化和旅游局关于十一届区委第四轮巡察整改情况的通报",
            ["临江区文化和旅游局关于", "十一届区委第四轮巡察整改情况的通报"],
        ),
        (
            "中共温州市委宣传部关于市委巡察整改情况的通报",
            ["中共温州市委宣传部关于", "市委巡察整改情况的通报"],
        ),
        (
            "鲤城区社会科学界联合会关于巡察整改情况的通报",
            ["鲤城区社会科学界联合会", "关于巡察整改情况的通报"],
        ),
        (
            "中共泉州市鲤城区社会科学界联合会党组关于十三届区委第五轮巡察“回头看”整改进展情况的通报",
            [
                "中共泉州市鲤城区社会科学界联合会党组",
                "关于十三届区委第五轮巡察“回头看”",
                "整改进展情况的通报",
            ],
        ),
        (
            "中共临江区文化和旅游局党组关于区委巡察“文旅融合发展专项”整改进展情况的通报",
            ["中共临江区文化和旅游局党组关于区委巡察", "“文旅融合发展专项”整改进展情况的通报"],
        ),
        (
            "临江区档案馆关于区委巡察整改情况的通报",
            ["临江区档案馆关于区委巡察整改情况的通报"],
        ),  # 19: one line
    ],
)
def test_title_breaks_at_natural_boundaries_into_balanced_lines(title: str, lines: list[str]) -> None:
    assert break_title(title) == lines
    assert all(display_width(line) <= 20 for line in lines)


def test_a_title_without_any_allowed_break_is_still_cut_to_the_line_width() -> None:
    lines = break_title("巡察" * 15)
    assert "".join(lines) == "巡察" * 15
    assert all(display_width(line) <= 20 for line in lines)


@pytest.mark.parametrize("render", [render_docx, lambda doc: render_html(doc).encode("utf-8")])
def test_a_title_on_three_lines_is_read_back_whole(render: object) -> None:
    doc = linjiang_notice()
    doc.title = "中共泉州市鲤城区社会科学界联合会党组关于十三届区委第五轮巡察“回头看”整改进展情况的通报"
    name = "notice.docx" if render is render_docx else "notice.html"

    parsed = parse_bytes(render(doc), name)  # type: ignore[operator]

    assert parsed.title == doc.title
    assert parsed.issuer == "中共泉州市鲤城区社会科学界联合会党组"


def test_html_title_carries_the_same_line_breaks() -> None:
    doc = linjiang_notice()
    doc.title = "中共临江区文化和旅游局党组关于十一届区委第四轮巡察整改进展情况的通报"
    assert "<h1>中共临江区文化和旅游局党组关于<br>十一届区委第四轮巡察整改进展情况的通报</h1>" in render_html(
        doc
    )
