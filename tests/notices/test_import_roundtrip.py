"""The system's own notice imported back: render (text, .docx, .html) → parse → import plan gives every finding,
every measure with its status, every unfinished item with its deadline (on its measures) and reason, the
regulation count and the clue figure. Over the demo ledger and over a generated one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.models import Finding, Inspection, Measure
from zhenggai.ledger.services import FindingSpec
from zhenggai.ledger.synthetic import generate
from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.from_ledger import notice_from_ledger
from zhenggai.notices.importing import ImportPlan, plan_import, plan_measures
from zhenggai.notices.normalise import fold
from zhenggai.notices.parse import parse_bytes, parse_text
from zhenggai.notices.render import build_blocks, render_docx, render_html


def _via_text(doc: NoticeDoc) -> NoticeDoc:
    return parse_text("\n".join(block.plain for block in build_blocks(doc)))


def _via_docx(doc: NoticeDoc) -> NoticeDoc:
    return parse_bytes(render_docx(doc), "notice.docx")


def _via_html(doc: NoticeDoc) -> NoticeDoc:
    return parse_bytes(render_html(doc).encode("utf-8"), "notice.html")


VIA = pytest.mark.parametrize("via", [_via_text, _via_docx, _via_html], ids=["text", "docx", "html"])


def _plain(text: str) -> str:
    """Text as the renderer prints it: full-width punctuation, a closing 。."""
    return fold(text).rstrip("。.")


def _specs(specs: list[FindingSpec]) -> Iterator[FindingSpec]:
    for spec in specs:
        yield spec
        yield from _specs(spec.children)


def _check_round_trip(inspection: Inspection, via: Callable[[NoticeDoc], NoticeDoc]) -> ImportPlan:
    rendered = notice_from_ledger(inspection).doc
    back = via(rendered)
    plan = plan_import(back, filename="round-trip.docx", sha256="0" * 64)

    # every finding and every measure
    assert sum(1 for _ in _specs(plan.findings)) == Finding.objects.filter(inspection=inspection).count()
    assert len(plan_measures(plan)) == Measure.objects.filter(inspection=inspection).count()
    # every unfinished item: its reason read back, its deadline on the measures of the finding it names
    assert len(back.outstanding) == len(rendered.outstanding)
    for sent, got in zip(rendered.outstanding, back.outstanding, strict=True):
        assert (got.deadline, _plain(got.reason)) == (sent.deadline, _plain(sent.reason))
    assert not [note for note in plan.adjustments if "找不到对应的问题" in note]
    deadlines = {m.deadline for m in plan_measures(plan) if m.deadline is not None}
    assert {
        dt.date.fromisoformat(item.deadline) for item in rendered.outstanding if item.deadline
    } <= deadlines
    # the regulation count and the clue figure
    assert back.stated.regulations == rendered.stated.regulations
    assert back.clues == rendered.clues
    assert back.warnings == []
    return plan


@VIA
def test_the_demo_ledgers_notice_imports_back_whole(db: Any, via: Callable[[NoticeDoc], NoticeDoc]) -> None:
    demo = load_demo(password="demo-pass-123").inspection
    _check_round_trip(demo, via)
    assert notice_from_ledger(demo).doc.outstanding  # the demo has unfinished items to carry


@pytest.mark.parametrize("via", [_via_text, _via_docx], ids=["text", "docx"])
def test_generated_ledgers_notices_import_back_whole(db: Any, via: Callable[[NoticeDoc], NoticeDoc]) -> None:
    generate(units=12, measures=400, seed=7)
    inspections = list(Inspection.objects.order_by("pk")[:6])
    assert inspections
    carried = 0
    for inspection in inspections:
        _check_round_trip(inspection, via)
        carried += len(notice_from_ledger(inspection).doc.outstanding)
    assert carried > 0
