"""A NUL character (U+0000) in any input is a 422 problem in Chinese, not a 500: PostgreSQL cannot store it in
text (psycopg raises DataError), SQLite would keep it silently. Nothing is written."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.cache import cache

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


def test_nul_in_a_body_that_is_not_an_object_is_refused(world: World) -> None:
    response = api_as(world.staff_a).post(f"/measures/{world.measure_a.pk}/signoffs", ["\x00"], json=True)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == "请求体含有空字符（U+0000），请删除后重试。"


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


def _admits_text(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether a parameter's schema takes a string (not a file): plain, date, enum, optional or referenced."""
    if "$ref" in schema:
        return _admits_text(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if schema.get("type") == "string":
        return schema.get("format") != "binary"
    return any(_admits_text(part, components) for part in schema.get("anyOf", []) + schema.get("allOf", []))


def _text_inputs(schema: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) for every text input of every operation: query, JSON and form fields."""
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in ("path", "query"), (
                    path,
                    parameter,
                )  # headers would bypass the parser
                if parameter["in"] == "query" and _admits_text(parameter["schema"], components):
                    found.append((method, path, "query", parameter["name"]))
            for content_type, body in operation.get("requestBody", {}).get("content", {}).items():
                shape = body["schema"]
                if "$ref" in shape:
                    shape = components[shape["$ref"].rsplit("/", 1)[-1]]
                for name, field in shape.get("properties", {}).items():
                    if _admits_text(field, components):
                        found.append((method, path, content_type, name))
    return found


def test_every_text_input_of_every_operation_refuses_nul(world: World, settings: Any) -> None:
    """Walks the OpenAPI schema, so an endpoint added later is covered without editing this test."""
    settings.API_RATE_PER_MINUTE = 1_000_000
    cache.clear()
    client = api_as(world.leader_a)
    schema = client.client.get("/api/v1/openapi.json").json()
    inputs = _text_inputs(schema)
    assert len(inputs) >= 25
    wrong = []
    for method, path, where, name in inputs:
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        value = "整改\x00"
        if where == "query":
            response = getattr(client.client, method)(url, {name: value}, headers=client.headers)
        elif where == "application/json":
            response = client.client.post(url, {name: value}, content_type=where, headers=client.headers)
        else:
            response = client.client.post(url, {name: value}, headers=client.headers)
        expected = f"参数 {name} 含有空字符（U+0000），请删除后重试。"
        if response.status_code != 422 or response.json().get("detail") != expected:
            wrong.append(
                f"{method.upper()} {path} {where} {name}: {response.status_code} {response.content[:200]!r}"
            )
    assert not wrong, "\n".join(wrong)
