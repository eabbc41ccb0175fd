"""Writes go through the ledger's services: the same rules, the same 全程纪实 (AuditEvent), the same figures."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
from django.core.management import call_command

from tests.api.conftest import api_as
from tests.conftest import World
from tests.factories import PDF, MeasureFactory, report_with_evidence
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.models import AuditEvent, Measure


def test_progress_report_with_evidence_is_audited_and_the_file_comes_back(world: World) -> None:
    client = api_as(world.staff_a)
    upload = io.BytesIO(PDF)
    upload.name = "会议纪要.pdf"
    response = client.post(
        f"/measures/{world.measure_a.pk}/reports",
        {"text": "已完成制度修订", "progress": "60", "files": [upload]},
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["progress"] == 60
    assert len(report["evidence"]) == 1
    event = AuditEvent.objects.get(action="report_progress")
    assert event.actor == world.staff_a
    assert event.request_id == response["X-Request-ID"]
    download = client.get(report["evidence"][0]["download_url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(f"/measures/{world.measure_a.pk}").json()["status"] == MeasureStatus.IN_PROGRESS


def test_evidence_of_a_forbidden_type_is_refused_in_chinese(world: World) -> None:
    upload = io.BytesIO(b"MZ\x90\x00")
    upload.name = "tool.exe"
    response = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/reports", {"text": "x", "progress": "10", "files": [upload]}
    )
    assert response.status_code == 422
    assert "不允许上传" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="report_progress").exists()


def test_signoff_request_and_approval_by_another_person(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    asked = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/signoffs", {"note": "已完成"}, json=True
    )
    assert asked.status_code == 201, asked.content
    signoff_id = asked.json()["id"]
    own = api_as(world.staff_a).post(f"/signoffs/{signoff_id}/approve", {"note": ""}, json=True)
    assert own.status_code == 403  # the reporter's own request is reviewed by someone else
    approved = api_as(world.leader_a).post(f"/signoffs/{signoff_id}/approve", {"note": "同意"}, json=True)
    assert approved.status_code == 200, approved.content
    assert approved.json()["decision"] == Decision.APPROVED
    assert Measure.objects.get(pk=world.measure_a.pk).status == MeasureStatus.DONE
    actions = list(
        AuditEvent.objects.exclude(action="create_api_token").order_by("id").values_list("action", flat=True)
    )
    assert actions[-2:] == ["request_signoff", "approve_signoff"]


def test_rejection_needs_a_reason(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    signoff_id = (
        api_as(world.staff_a).post(f"/measures/{world.measure_a.pk}/signoffs", {}, json=True).json()["id"]
    )
    empty = api_as(world.leader_a).post(f"/signoffs/{signoff_id}/reject", {"reason": " "}, json=True)
    assert empty.status_code == 422
    rejected = api_as(world.leader_a).post(
        f"/signoffs/{signoff_id}/reject", {"reason": "佐证不足"}, json=True
    )
    assert rejected.json()["decision"] == Decision.REJECTED


def test_extension_request_and_decision(world: World) -> None:
    asked = api_as(world.staff_a).post(
        f"/measures/{world.measure_a.pk}/extensions",
        {"new_deadline": "2030-08-31", "reason": "需等待上级批复"},
        json=True,
    )
    assert asked.status_code == 201, asked.content
    approved = api_as(world.leader_a).post(f"/extensions/{asked.json()['id']}/approve", {}, json=True)
    assert approved.status_code == 200, approved.content
    assert Measure.objects.get(pk=world.measure_a.pk).deadline == dt.date(2030, 8, 31)
    assert AuditEvent.objects.filter(action="approve_extension").count() == 1


def test_stats_are_the_clis_stats_json(world: World) -> None:
    out = io.StringIO()
    call_command("stats", inspection=world.inspection_a.pk, json=True, stdout=out)
    response = api_as(world.viewer_a).get(f"/inspections/{world.inspection_a.pk}/stats")
    assert response.json() == json.loads(out.getvalue())


def test_measures_pages_follow_the_cursor_without_gaps_or_repeats(world: World) -> None:
    more = [MeasureFactory(finding=world.detail_a, lead_department=world.dept_a) for _ in range(5)]
    client = api_as(world.leader_a)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/measures", **params).json()
        seen += [m["id"] for m in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([world.measure_a.pk, *(m.pk for m in more)])


def test_measure_filters(world: World) -> None:
    late = MeasureFactory(finding=world.detail_a, deadline=dt.date(2020, 1, 1), text="整改会议纪要归档")
    client = api_as(world.leader_a)

    def ids(**params: object) -> set[int]:
        return {m["id"] for m in client.get("/measures", **params).json()["items"]}

    assert ids(deadline_to="2021-01-01") == {late.pk}
    assert ids(q="会议纪要") == {late.pk}
    assert ids(department=world.dept_a.pk) == {world.measure_a.pk}
    assert ids(colour="red") == {late.pk}  # overdue
    assert ids(status="draft") == {world.measure_a.pk, late.pk}
    assert ids(updated_since="2999-01-01T00:00:00Z") == set()
    assert client.get("/measures", cursor="!!").status_code == 422


def test_notice_renders_in_three_formats_for_managers_only(world: World) -> None:
    client = api_as(world.leader_a)
    path = f"/inspections/{world.inspection_a.pk}/notice"
    assert client.get(path, format="docx").content[:2] == b"PK"
    assert "<" in client.get(path, format="html").content.decode()
    assert client.get(path, format="md").status_code == 200
    assert api_as(world.staff_a).get(path).status_code == 403


def test_ledger_export_then_import_with_dry_run_and_confirmation(world: World) -> None:
    client = api_as(world.leader_a)
    exported = client.get(f"/inspections/{world.inspection_a.pk}/ledger.xlsx")
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = book.worksheets[0]
    header = next(
        (cell.row, cell.column)
        for row in sheet.iter_rows(max_row=10)
        for cell in row
        if cell.value == "责任人"
    )
    row = next(
        cell.row for column in sheet.iter_cols() for cell in column if cell.value == world.measure_a.code
    )
    sheet.cell(row=row, column=header[1], value="王某某")
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "台账.xlsx"
    dry = client.post(f"/inspections/{world.inspection_a.pk}/ledger/import", {"file": buffer})
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True
    assert dry.json()["updated"] == 1
    assert Measure.objects.get(pk=world.measure_a.pk).responsible_person != "王某某"
    confirm = client.post(
        f"/inspections/{world.inspection_a.pk}/ledger/import/confirm",
        {"sha256": dry.json()["confirm_sha256"], "name": "台账.xlsx"},
        json=True,
    )
    assert confirm.status_code == 200, confirm.content
    assert Measure.objects.get(pk=world.measure_a.pk).responsible_person == "王某某"
    again = client.post(
        f"/inspections/{world.inspection_a.pk}/ledger/import/confirm",
        {"sha256": dry.json()["confirm_sha256"]},
        json=True,
    )
    assert again.status_code == 409
