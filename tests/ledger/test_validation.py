"""Bad input gets a Chinese message naming the field, and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from tests.conftest import World
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import AuditEvent, Evidence, Finding, Inspection, Measure, ProgressReport

P, D = FindingLevel.PROBLEM, FindingLevel.DETAIL


def _rows() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Inspection, Finding, Measure, ProgressReport, Evidence, AuditEvent)
    )


def _inspection(w: World, **overrides: Any) -> None:
    args: dict[str, Any] = {
        "by": w.leader_a,
        "inspected_unit": w.unit_a,
        "inspector": "区委巡察三组",
        "findings": [
            services.FindingSpec(
                P,
                "关于A的问题",
                children=[services.FindingSpec(D, "针对B的问题", measures=[services.MeasureSpec("措施一")])],
            )
        ],
    }
    services.create_inspection(**(args | overrides))


BAD = [
    ("deadline before start", "deadline", "整改时限不能早于开始日期", lambda w: services.add_measure(
        by=w.leader_a, finding=w.detail_a,
        spec=services.MeasureSpec("措施", start_date=dt.date(2024, 5, 1), deadline=dt.date(2024, 4, 1)))),
    ("empty measure text", "text", "整改措施内容不能为空", lambda w: services.add_measure(
        by=w.leader_a, finding=w.detail_a, spec=services.MeasureSpec("   "))),
    ("unknown lead department", "lead_department", "牵头部门不存在", lambda w: services.add_measure(
        by=w.leader_a, finding=w.detail_a, spec=services.MeasureSpec("措施", lead_department=999999))),
    ("unknown inspected unit", "inspected_unit", "被巡察单位不存在", lambda w: _inspection(w, inspected_unit=999999)),
    ("empty inspector", "inspector", "巡察组不能为空", lambda w: _inspection(w, inspector="")),
    ("onsite end before start", "onsite_end", "进驻结束日期不能早于开始日期", lambda w: _inspection(
        w, onsite_start=dt.date(2024, 2, 1), onsite_end=dt.date(2024, 1, 1))),
    ("empty title deep in the tree", "findings", "问题标题不能为空", lambda w: _inspection(
        w, findings=[services.FindingSpec(P, "关于A的问题", children=[services.FindingSpec(D, " ")])])),
    ("measure deadline before start in a tree", "deadline", "整改时限不能早于开始日期", lambda w: _inspection(
        w, findings=[services.FindingSpec(P, "关于A的问题", measures=[
            services.MeasureSpec("措施", start_date=dt.date(2024, 5, 1), deadline=dt.date(2024, 4, 1))])])),
    ("detail at top level", "findings", "必须归属于某个问题", lambda w: _inspection(
        w, findings=[services.FindingSpec(D, "针对C的问题")])),
    ("progress over 100", "progress", "0到100", lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="推进", progress=120)),
    ("empty progress text", "text", "进展情况不能为空", lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="", progress=10)),
    ("evidence of a forbidden type", "files", "类型不允许", lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="推进", progress=10,
        files=[services.UploadedEvidence("脚本.exe", io.BytesIO(b"MZ\x90\x00"))])),
    ("evidence whose bytes are not its type", "files", "内容与扩展名不符", lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="推进", progress=10,
        files=[services.UploadedEvidence("通知.pdf", io.BytesIO(b"<html>not a pdf</html>"))])),
    ("a good file and a bad one", "files", "空文件", lambda w: services.report_progress(
        by=w.staff_a, measure=w.measure_a, text="推进", progress=10,
        files=[services.UploadedEvidence("a.pdf", io.BytesIO(b"%PDF-1.4 ok")),
               services.UploadedEvidence("b.pdf", io.BytesIO(b""))])),
]  # fmt: skip


@pytest.mark.parametrize(("name", "field", "message", "call"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_a_chinese_message_and_writes_nothing(
    world: World, name: str, field: str, message: str, call: Any
) -> None:
    before = _rows()
    with pytest.raises(InvalidInput) as refused:
        call(world)
    assert message in refused.value.message
    assert refused.value.field == field
    assert _rows() == before


def test_evidence_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(InvalidInput, match="超过大小上限"):
        services.report_progress(
            by=world.staff_a,
            measure=world.measure_a,
            text="推进",
            progress=10,
            files=[services.UploadedEvidence("大文件.pdf", io.BytesIO(b"%PDF" + b"0" * 2000))],
        )
    assert not Evidence.objects.exists()
    assert not ProgressReport.objects.exists()


def test_evidence_is_stored_under_the_data_dir_with_its_hash(world: World, settings: Any) -> None:
    content = b"%PDF-1.4\n" + "整改佐证".encode() * 100
    services.report_progress(
        by=world.staff_a,
        measure=world.measure_a,
        text="已印发制度",
        progress=60,
        files=[services.UploadedEvidence("制度印发文件.PDF", io.BytesIO(content))],
    )
    evidence = Evidence.objects.get()
    import hashlib

    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "制度印发文件.PDF"
    with evidence.file.open("rb") as fh:
        assert fh.read() == content
    assert str(settings.MEDIA_ROOT) in evidence.file.path


def test_inspection_tree_is_created_in_order(world: World) -> None:
    _inspection(world)
    inspection = Inspection.objects.latest("id")
    problem = inspection.findings.get(level=P)
    detail = inspection.findings.get(level=D)
    assert (detail.parent, problem.title, detail.title) == (problem, "关于A的问题", "针对B的问题")
    assert list(inspection.measures.values_list("code", "text")) == [("001", "措施一")]
