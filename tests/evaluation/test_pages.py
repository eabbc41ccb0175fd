"""整改评估 and 回头看 pages: scoped, in the one layout, and each action goes through its service."""

from __future__ import annotations

import io

from docx import Document

from tests.web.conftest import login
from zhenggai.evaluation.models import Evaluation, Recheck, RecheckItem
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import AuditEvent, Inspection, Measure


def test_supervisor_evaluates_compares_adjusts_and_downloads_the_report(demo: Inspection) -> None:
    client = login("xunchaban")
    assert client.get("/evaluation/rubric/").status_code == 200
    assert client.post("/evaluation/rubric/", {"create": "1"}).status_code == 302
    page = client.get("/evaluation/rubric/")
    assert "建章立制" in page.content.decode()
    response = client.post(f"/evaluation/inspections/{demo.pk}/evaluate/")
    evaluation = Evaluation.objects.get()
    assert response["Location"] == f"/evaluation/{evaluation.pk}/"
    detail = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    assert "扣分依据" in detail
    assert "逾期未完成" in detail
    bad = client.post(f"/evaluation/{evaluation.pk}/", {"adjustment": "5", "reason": ""})
    assert bad.status_code == 400
    client.post(f"/evaluation/{evaluation.pk}/", {"adjustment": "5", "reason": "整改成效经实地核实较好。"})
    evaluation.refresh_from_db()
    assert evaluation.score == evaluation.computed_score + 5
    assert client.post("/evaluation/evaluate/").status_code == 302
    index = client.get("/evaluation/").content.decode()
    assert "下载评估报告" in index
    report = client.get("/evaluation/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(report.content)).paragraphs)
    assert "巡察整改评估情况报告" in text
    assert "逾期未完成" in text


def test_units_see_their_own_evaluations_and_cannot_evaluate(demo: Inspection) -> None:
    login("xunchaban").post(f"/evaluation/inspections/{demo.pk}/evaluate/")
    evaluation = Evaluation.objects.get()
    leader = login("lingdao")
    assert leader.get(f"/evaluation/{evaluation.pk}/").status_code == 200
    assert (
        leader.post(f"/evaluation/{evaluation.pk}/", {"adjustment": "5", "reason": "理由"}).status_code == 403
    )
    assert leader.post(f"/evaluation/inspections/{demo.pk}/evaluate/").status_code == 403
    assert leader.get("/evaluation/rubric/").status_code == 403
    archive = Inspection.objects.exclude(pk=demo.pk).get()
    assert leader.post(f"/evaluation/inspections/{archive.pk}/evaluate/").status_code == 404


def test_recheck_draw_record_false_reopens_the_measure(demo: Inspection) -> None:
    client = login("xunchaban")
    response = client.post("/evaluation/rechecks/", {"size": "4", "seed": "42", "title": ""})
    recheck = Recheck.objects.get()
    assert response["Location"] == f"/evaluation/rechecks/{recheck.pk}/"
    assert recheck.seed == 42
    assert recheck.items.count() == 4
    item = RecheckItem.objects.filter(recheck=recheck).first()
    assert item is not None
    page = client.get(f"/evaluation/rechecks/{recheck.pk}/").content.decode()
    assert "42" in page
    client.post(
        f"/evaluation/rechecks/{recheck.pk}/",
        {"item": item.pk, "result": "false", "note": "现场核查发现制度未印发，台账材料系事后补写。"},
    )
    item.refresh_from_db()
    assert item.result == "false"
    page = client.get(f"/evaluation/rechecks/{recheck.pk}/").content.decode()
    assert "随机抽取4条开展回头看（随机种子42）。已核查1条，其中属实0条，整改不到位0条，虚假整改1条" in page
    assert "1条已重新列为整改中" in page
    measure = Measure.objects.get(pk=item.measure_id)
    assert measure.status == MeasureStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(action="reopen_measure", object_id=str(measure.pk)).exists()
    assert login("jingban").post("/evaluation/rechecks/", {"size": "4"}).status_code == 403
    assert login("lingdao").get(f"/evaluation/rechecks/{recheck.pk}/").status_code == 404
