"""A seed notice keeps its counts, stated figures and inspection data when it arrives hard-wrapped (as copied
from a PDF or a web page), with a byte-order mark, with blank lines doubled, indented, or with page numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.notices.notice_variants import hard_wrap, indent, with_page_furniture
from zhenggai.notices import parse_bytes, parse_text
from zhenggai.notices.document import NoticeDoc

pytestmark = pytest.mark.seeds

PREFIXES = ("000", "001", "004")

VARIANTS: dict[str, Callable[[str], str]] = {
    "hard-wrapped at 40": hard_wrap,
    "hard-wrapped at 30": lambda text: hard_wrap(text, 30),
    "hard-wrapped at 60": lambda text: hard_wrap(text, 60),
    "BOM-prefixed": lambda text: "\ufeff" + text,
    "blank lines doubled": lambda text: text.replace("\n", "\n\n"),
    "indented with ideographic spaces": indent,
    "indented with spaces": lambda text: indent(text, "    "),
    "page numbers between lines": with_page_furniture,
    "indented, then hard-wrapped": lambda text: hard_wrap(indent(text)),
}


def essentials(doc: NoticeDoc) -> dict[str, object]:
    return {
        "counts": doc.counts,
        "stated": doc.stated,
        "inspection": doc.inspection,
        "checks": [(c.claim, c.ok) for c in doc.checks],
        "outstanding": [(o.deadline, bool(o.reason)) for o in doc.outstanding],
        "issuer": doc.issuer,
        "warnings": len(doc.warnings),
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("prefix", PREFIXES)
def test_variant_of_a_seed_gives_the_seeds_counts(
    seed: Callable[[str], Path], prefix: str, variant: str
) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    original = parse_text(text)
    assert original.counts.measures > 0
    assert essentials(parse_text(VARIANTS[variant](text))) == essentials(original)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_hard_wrapped_gb18030_file_with_bom_gives_the_seeds_counts(
    seed: Callable[[str], Path], prefix: str
) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    data = "\ufeff".encode() + hard_wrap(text).encode("utf-8")
    assert parse_bytes(data, "notice.txt").counts == parse_text(text).counts


def test_text_with_lines_of_many_lengths_is_not_unwrapped() -> None:
    lines = [
        "一、关于“学习不够深入”的问题",
        "整改情况：一是制定学习计划，每月集中学习一次。二是开展专题研讨三次",
        "二、关于“制度执行不严”的问题",
        "整改情况：修订财务管理办法，严格审批流程",
    ]
    doc = parse_text("\n".join(lines))
    assert [node.title for node in doc.findings] == ["学习不够深入", "制度执行不严"]
