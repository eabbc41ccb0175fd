"""Forms reject bad input with the message beside the field, and save nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import PASSWORD, login
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import AuditEvent, Evidence, Extension, Inspection, Measure, ProgressReport


def _working(demo: Inspection) -> Measure:
    measure = Measure.objects.filter(
        inspection=demo, status=MeasureStatus.IN_PROGRESS, lead_department__name="办公室"
    ).first()
    assert measure is not None
    return measure


def _rows() -> tuple[int, ...]:
    return (ProgressReport.objects.count(), Evidence.objects.count(), AuditEvent.objects.count())


def _field_errors(html: str, field: str) -> str:
    start = html.find(f'id="{field}-errors"')
    assert start != -1, f"no errors shown beside {field}"
    return html[start : html.find("</ul>", start)]


def test_report_with_a_file_of_the_wrong_type_is_refused_beside_the_field(demo: Inspection) -> None:
    measure = _working(demo)
    before = _rows()
    response = login("jingban").post(
        f"/measures/{measure.pk}/report/",
        {"text": "推进中", "progress": "50", "evidence": SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 400
    assert "类型不允许上传" in _field_errors(response.content.decode(), "evidence")
    assert _rows() == before


def test_report_over_the_size_limit_is_refused_and_nothing_is_saved(
    demo: Inspection, settings: object
) -> None:
    settings.EVIDENCE_MAX_BYTES = 2048  # type: ignore[attr-defined]
    measure = _working(demo)
    before = _rows()
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    ok = SimpleUploadedFile("小文件.pdf", b"%PDF-1.4\nsmall", content_type="application/pdf")
    response = login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "推进中", "progress": "50", "evidence": [ok, big]}
    )
    assert "超过大小上限" in _field_errors(response.content.decode(), "evidence")
    assert _rows() == before


def test_report_with_two_files_stores_both(demo: Inspection) -> None:
    measure = _working(demo)
    files = [
        SimpleUploadedFile("方案.pdf", b"%PDF-1.4\nplan"),
        SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n....."),
    ]
    response = login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "已完成方案", "progress": "80", "evidence": files}
    )
    assert response.status_code == 302
    assert sorted(Evidence.objects.filter(measure=measure).values_list("original_name", flat=True)) == [
        "方案.pdf",
        "照片.png",
    ]
    page = login("jingban").get(f"/measures/{measure.pk}/").content.decode()
    evidence = Evidence.objects.get(original_name="方案.pdf")
    assert f"/evidence/{evidence.pk}/" in page
    download = login("jingban").get(f"/evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4\nplan"  # type: ignore[attr-defined]
    assert login("chakan").get(f"/evidence/{evidence.pk}/").status_code == 200  # a viewer of the same unit
    from zhenggai.ledger.choices import Role
    from zhenggai.ledger.models import Membership, Unit

    outsider = User.objects.create_user("dangan", password=PASSWORD)
    Membership.objects.create(user=outsider, unit=Unit.objects.get(name="临江区档案馆"), role=Role.VIEWER)
    assert login("dangan").get(f"/evidence/{evidence.pk}/").status_code == 404  # another unit


def test_progress_out_of_range_and_empty_text_are_shown_beside_their_fields(demo: Inspection) -> None:
    measure = _working(demo)
    before = _rows()
    html = (
        login("jingban")
        .post(f"/measures/{measure.pk}/report/", {"text": "", "progress": "120"})
        .content.decode()
    )
    assert "请填写进展情况。" in _field_errors(html, "text")
    assert "100" in _field_errors(html, "progress")
    assert _rows() == before


def test_extension_to_an_earlier_date_is_refused_beside_the_field(demo: Inspection) -> None:
    measure = _working(demo)
    assert measure.deadline is not None
    earlier = measure.deadline - dt.timedelta(days=3)
    html = (
        login("jingban")
        .post(
            f"/measures/{measure.pk}/extension/", {"new_deadline": earlier.isoformat(), "reason": "需要时间"}
        )
        .content.decode()
    )
    assert "晚于现有整改时限" in _field_errors(html, "new_deadline")
    assert not Extension.objects.filter(measure=measure, reason="需要时间").exists()


def test_reject_without_reason_changes_nothing(demo: Inspection) -> None:
    signoff = Measure.objects.filter(
        status=MeasureStatus.PENDING_SIGNOFF, lead_department__name="办公室"
    ).first()
    assert signoff is not None
    pending = signoff.signoffs.get(decision="pending")
    client = login("lingdao")
    response = client.post(f"/signoffs/{pending.pk}/reject/", {"note": ""}, follow=True)
    assert "退回须填写审核意见" in response.content.decode()
    pending.refresh_from_db()
    assert pending.decision == "pending"


def test_staff_cannot_approve_through_a_crafted_post(demo: Inspection) -> None:
    measure = Measure.objects.filter(
        status=MeasureStatus.PENDING_SIGNOFF, lead_department__name="办公室"
    ).first()
    assert measure is not None
    pending = measure.signoffs.get(decision="pending")
    response = login("jingban").post(f"/signoffs/{pending.pk}/approve/", follow=True)
    assert "审核销号的权限" in response.content.decode()
    pending.refresh_from_db()
    assert pending.decision == "pending"


def test_login_logout_and_password_change(demo: Inspection) -> None:
    client = Client()
    bad = client.post("/accounts/login/", {"username": "jingban", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    assert client.post("/accounts/login/", {"username": "jingban", "password": PASSWORD}).status_code == 302
    changed = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2026!", "new_password2": "Xin-Mima-2026!"},
    )
    assert changed.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/tasks/").status_code == 302
    assert Client().login(username="jingban", password="Xin-Mima-2026!")


def test_idle_session_expires(demo: Inspection, settings: object) -> None:
    import time_machine

    client = login("jingban")
    assert client.get("/tasks/").status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)):
        assert client.get("/tasks/").status_code == 302


def test_the_session_is_renewed_only_when_half_its_age_is_gone(demo: Inspection) -> None:
    import time_machine
    from django.contrib.sessions.models import Session

    client = login("jingban")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert client.get("/tasks/").status_code == 200
        first = Session.objects.get().expire_date
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert client.get("/tasks/").status_code == 200
        assert Session.objects.get().expire_date == first  # no write while more than half is left
    with time_machine.travel(start + dt.timedelta(minutes=70), tick=False):
        assert client.get("/tasks/").status_code == 200
        renewed = Session.objects.get().expire_date
        assert renewed > first
    # Active every hour: the session lives on past the original two hours.
    with time_machine.travel(start + dt.timedelta(minutes=170), tick=False):
        assert client.get("/tasks/").status_code == 200
