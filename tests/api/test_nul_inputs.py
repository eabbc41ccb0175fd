"""A NUL character (U+0000) in any input is a 422 problem in Chinese, not a 500: PostgreSQL cannot store it in
text (psycopg raises DataError), SQLite would keep it silently. Nothing is written."""

from __future__ import annotations

import io

from tests.api.conftest import api_as
from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger.models import AuditEvent, ProgressReport, SignOff


def test_nul_in_a_json_field_is_refused_and_nothing_is_written(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    reports_before = ProgressReport.objects.count()
    response = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/signoffs", {"note": "已完成\x00"}, json=True
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "参数 note 含有空字符（U+0000），请删除后重试。"
    assert not SignOff.objects.exists()
    assert ProgressReport.objects.count() == reports_before
    assert not AuditEvent.objects.filter(action="request_signoff").exists()


def test_nul_in_a_multipart_field_is_refused(world: World) -> None:
    response = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/reports", {"text": "制度\x00修订", "progress": "30"}
    )
    assert response.status_code == 422, response.content
    assert "参数 text 含有空字符" in response.json()["detail"]
    assert not ProgressReport.objects.filter(measure=world.measure_a).exists()


def test_nul_in_a_query_parameter_is_refused(world: World) -> None:
    response = api_as(world.leader_a).get("/measures", q="纪要\x00")
    assert response.status_code == 422, response.content
    assert "参数 q 含有空字符" in response.json()["detail"]


def test_nul_in_a_nested_json_value_is_refused(world: World) -> None:
    response = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/extensions",
        {"new_deadline": "2030-08-31", "reason": "待批复", "extra": ["\x00"]},
        json=True,
    )
    assert response.status_code == 422, response.content
    assert "参数 extra 含有空字符" in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_chinese_400(world: World) -> None:
    client = api_as(world.staff_a)
    response = client.client.post(
        f"/api/v1/measures/{world.measure_a.pk}/signoffs",
        b"{note: 1",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体无法解析：应为 UTF-8 编码的 JSON。"


def test_a_file_upload_with_nul_bytes_in_its_content_is_accepted(world: World) -> None:
    upload = io.BytesIO(b"%PDF-1.4\n\x00\x00binary\n%%EOF\n")
    upload.name = "纪要.pdf"
    response = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/reports", {"text": "报送", "progress": "20", "files": [upload]}
    )
    assert response.status_code == 201, response.content
