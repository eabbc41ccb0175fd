"""Whatever text comes in, the parser answers with a document and says what it could not place."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhenggai.notices import NoticeReadError, parse_bytes, parse_text
from zhenggai.notices.document import NoticeDoc, NoticeFinding
from zhenggai.notices.normalise import fold
from zhenggai.notices.parse import NO_STRUCTURE

# Pieces of notice structure, in both punctuation widths, to drive the parser through its states.
FRAGMENTS = [
    "一、",
    "二、巡察反馈问题的整改情况",
    "三、问题线索的处理情况",
    "四、需要进一步整改的事项",
    "（一）",
    "(二)",
    "“某项工作”方面",
    "（一）某项工作方面：",
    "1.",
    "（1）",
    "关于“",
    "关于“某项工作不到位”的问题。",
    "针对“",
    "针对“某个环节不规范”的问题",
    "“某个环节不规范”问题。",
    "”",
    "“",
    "整改情况：",
    "整改进展情况:已完成。",
    "一是",
    "二是",
    "三是",
    "①",
    "②",
    "(已完成)",
    "（持续推进）",
    "未完成整改原因：",
    "下一步整改措施：",
    "整改时限：2025年3月1日",
    "整改时限：****年*月",
    "下一步，",
    "欢迎广大干部群众监督。联系电话：0000-1234567",
    "电子邮箱：a@b.c",
    "根据县委统一部署，2024年1月4日至2月2日，县委巡察一组对县某局开展了巡察，并于3月18日反馈了巡察意见。",
    "3个方面6项共11个问题，整改措施14条，已完成13条，整改完成率92.9%",
    "2024年9月19日",
    "二〇二四年九月十九日",
    "来源：",
    "【责任编辑：某】",
    "。",
    "，",
    "\n",
    "\r\n",
    " ",
    "\u3000",
]

notice_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join)


def walk(nodes: list[NoticeFinding]) -> list[NoticeFinding]:
    out: list[NoticeFinding] = []
    for node in nodes:
        out.append(node)
        out.extend(walk(node.children))
    return out


def assert_consistent(doc: NoticeDoc, text: str) -> None:
    json.dumps(doc.to_dict(), ensure_ascii=False)
    nodes = walk(doc.findings)
    assert doc.counts.measures == sum(len(n.measures) for n in nodes)
    assert doc.counts.done == sum(m.status == "done" for n in nodes for m in n.measures)
    assert all(
        m.status in ("done", "ongoing", "open", "unknown") and m.text for n in nodes for m in n.measures
    )
    line_count = len(text.splitlines())
    assert all(0 <= w.line <= line_count for w in doc.warnings)
    assert all(c.found is not None for c in doc.checks if c.ok)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    assert_consistent(parse_text(text), text)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(notice_like)
def test_notice_like_text_never_raises(text: str) -> None:
    assert_consistent(parse_text(text), text)


# No 方面 / 关于 / 针对 and no quotes: nothing can open a finding.
unstructured = st.text(alphabet=st.characters(blacklist_characters='方关针“”"「」『』＂'), min_size=1)


@settings(max_examples=300)
@given(unstructured)
def test_text_without_structure_gives_an_empty_tree_and_says_so(text: str) -> None:
    doc = parse_text(text)
    assert doc.findings == []
    assert doc.warnings
    assert doc.warnings[0].line == 0
    assert doc.warnings[0].message in (NO_STRUCTURE, "文本为空，没有可解析的通报内容。")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(["a.txt", "a.html", "a.docx", "a", "a.doc"]))
def test_arbitrary_bytes_give_a_document_or_a_chinese_refusal(data: bytes, name: str) -> None:
    message = ""
    try:
        doc = parse_bytes(data, name)
    except NoticeReadError as exc:
        message = str(exc)
    else:
        json.dumps(doc.to_dict(), ensure_ascii=False)
        return
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


@given(st.text())
def test_folding_keeps_every_index(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_long_lines_and_many_lines_stay_linear() -> None:
    pathological = [
        "关于“" + "某" * 200_000,
        "针对“" + "“某”" * 60_000 + "问题",
        "一是" * 100_000,
        "整改情况：" + "①" * 100_000,
        "\n".join(["1.关于“某项工作不到位”的问题。", "整改情况：", *["一是建立台账。"] * 50_000]),
        "\n".join(["（一）某方面"] * 50_000),
        "根据" + "，2024年1月4日至2月2日" * 20_000,
    ]
    for text in pathological:
        started = time.process_time()  # CPU time: a loaded machine must not fail the test
        parse_text(text)
        assert time.process_time() - started < 5, text[:20]
