"""parse(render(doc)) gives back the same tree, counts, statuses and figures, from every output format."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.notices.notice_samples import DETAIL_TITLES, linjiang_notice, notice_without_aspects
from zhenggai.notices.document import NoticeDoc, NoticeFinding, NoticeMeasure, OutstandingItem, StatedFigures
from zhenggai.notices.render import build_blocks, render_docx, render_html

parse = pytest.importorskip("zhenggai.notices.parse", reason="the notice parser is not in this checkout")

Shape = list[tuple[int, str, str, list[str]]]


def _shape(findings: list[NoticeFinding], depth: int = 0) -> Shape:
    out: Shape = []
    for f in findings:
        out.append((depth, f.level, f.title, [m.status for m in f.measures]))
        out.extend(_shape(f.children, depth + 1))
    return out


def _via_docx(doc: NoticeDoc) -> NoticeDoc:
    result: NoticeDoc = parse.parse_bytes(render_docx(doc), "notice.docx")
    return result


def _via_html(doc: NoticeDoc) -> NoticeDoc:
    result: NoticeDoc = parse.parse_bytes(render_html(doc).encode("utf-8"), "notice.html")
    return result


def _via_text(doc: NoticeDoc) -> NoticeDoc:
    result: NoticeDoc = parse.parse_text("\n".join(b.plain for b in build_blocks(doc)))
    return result


def _figures(stated: StatedFigures) -> dict[str, object]:
    """The stated numbers; the words the text used for them (measures_label, completed_of) are read, not set."""
    return {
        name: value
        for name, value in vars(stated).items()
        if name not in ("measures_label", "completed_of", "all_completed")
    }


VIA = pytest.mark.parametrize("via", [_via_docx, _via_html, _via_text], ids=["docx", "html", "text"])


@VIA
@pytest.mark.parametrize("build", [linjiang_notice, notice_without_aspects], ids=["aspects", "no-aspects"])
def test_round_trip_keeps_tree_counts_and_statuses(
    via: Callable[[NoticeDoc], NoticeDoc], build: Callable[[], NoticeDoc]
) -> None:
    doc = build()
    back = via(doc)

    assert _shape(back.findings) == _shape(doc.findings)
    assert back.counts == doc.counts
    assert _figures(back.stated) == _figures(doc.stated)
    assert back.warnings == []


@VIA
def test_round_trip_keeps_the_frame_of_the_notice(via: Callable[[NoticeDoc], NoticeDoc]) -> None:
    doc = linjiang_notice()
    back = via(doc)

    assert back.title == "临江区文化旅游局关于区委巡察整改情况的通报"
    assert (back.issuer, back.date) == (doc.issuer, doc.date)
    assert back.inspection == doc.inspection
    assert back.contact == doc.contact
    assert [(o.finding, o.deadline) for o in back.outstanding] == [(DETAIL_TITLES[2], "2025-03-31")]


def test_an_explicit_ongoing_marker_survives_an_unfinished_item_on_the_same_detail() -> None:
    doc = linjiang_notice()
    doc.outstanding = [OutstandingItem(finding=DETAIL_TITLES[4], reason="周期较长", deadline="2025-03-31")]
    detail = doc.findings[1].children[0].children[1]
    detail.measures = [NoticeMeasure("开展自查", "done"), NoticeMeasure("建立长效机制", "ongoing")]

    assert _shape(_via_text(doc).findings) == _shape(doc.findings)
