"""HTML for the web and the public portal, and Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.notices.notice_samples import DETAIL_TITLES, PROBLEM_TITLES, linjiang_notice
from zhenggai.notices.document import NoticeDoc, NoticeMeasure
from zhenggai.notices.render import RenderOptions, figures_sentence, render_html, render_markdown

SCRIPT = "<script>alert('x')</script>"


def _hostile_notice() -> NoticeDoc:
    doc = linjiang_notice()
    doc.title = f"临江区文化旅游局{SCRIPT}通报"
    doc.findings[0].title = f"党的建设{SCRIPT}"
    doc.findings[0].children[0].title = f"<b>加粗</b>{SCRIPT}"
    doc.findings[0].children[0].children[0].measures = [NoticeMeasure(text=f"整改{SCRIPT}", status="done")]
    doc.contact.email = 'a"onmouseover="x@example.cn'
    return doc


class _Text(HTMLParser):
    """Collects the visible text and the tags of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_html_escapes_every_text() -> None:
    html = render_html(_hostile_notice())
    page = _parse(html)

    assert "<script" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attrs)
    assert SCRIPT in "".join(page.text)  # shown to the reader as text


def test_html_contains_every_problem_title_and_the_figures_sentence() -> None:
    doc = linjiang_notice()
    text = "".join(_parse(render_html(doc)).text)

    for title in PROBLEM_TITLES + DETAIL_TITLES:
        assert title in text
    assert figures_sentence(doc.stated) in text
    assert "巡察反馈问题3个，制定整改措施10条，已完成6条，整改完成率60%。" in text


def test_html_is_a_complete_page_without_external_assets() -> None:
    html = render_html(linjiang_notice())

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html
    assert not re.search(r"<(link|script|img|iframe)\b|src=|url\(|@import|https?://", html)


def test_html_fragment_is_a_semantic_article() -> None:
    html = render_html(linjiang_notice(), standalone=False)
    page = _parse(html)

    assert html.startswith('<article class="notice">')
    assert "<html" not in html
    assert page.tags.count("section") == 4 + 2 + 3 + 5 + 1  # 一至四、, 方面, 问题, 具体问题, 四、's item
    assert (page.tags.count("h1"), page.tags.count("h2"), page.tags.count("h5")) == (1, 4, 5)
    assert '<time datetime="2024-09-20">2024年9月20日</time>' in html


def test_html_marks_each_measure_status_for_styling() -> None:
    html = render_html(linjiang_notice(), standalone=False)

    assert html.count('data-status="done"') == 6
    assert html.count('data-status="ongoing"') == 3
    assert html.count('data-status="open"') == 1


def test_markdown_has_the_headings_of_every_level() -> None:
    md = render_markdown(linjiang_notice())
    headings = [line for line in md.splitlines() if line.startswith("#")]

    assert headings[0] == "# 临江区文化旅游局关于区委巡察整改情况的通报"
    assert "## 一、整改工作的组织开展情况" in headings
    assert "## 四、需要进一步整改的事项" in headings
    assert "### （一）贯彻落实党的理论路线方针政策和上级决策部署方面" in headings
    assert f"#### 1.关于“{PROBLEM_TITLES[0]}”的问题" in headings
    assert f"##### （1）针对“{DETAIL_TITLES[0]}”的问题" in headings
    assert sum(line.startswith("##### ") for line in headings) == 5
    assert "巡察反馈问题3个，制定整改措施10条，已完成6条，整改完成率60%。" in md


def test_markdown_escapes_masked_values_and_markup() -> None:
    doc = linjiang_notice()
    doc.clues = "移交问题线索**件，<b>已办结</b>。\n1.另有来信1件"
    md = render_markdown(doc)

    assert "移交问题线索\\*\\*件，\\<b\\>已办结\\</b\\>。" in md
    assert "\n1\\.另有来信1件\n" in md


def test_markdown_ends_with_signature_and_date() -> None:
    md = render_markdown(linjiang_notice(), RenderOptions(signature="中共临江区文化旅游局党组"))

    assert md.rstrip().splitlines()[-3:] == ["中共临江区文化旅游局党组", "", "2024年9月20日"]
