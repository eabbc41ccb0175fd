"""待我审核: each pending request with the measure, its last reports and their evidence (images and PDFs
previewed in the page), the requester's note, a 审核意见 box, approve/return behind a confirmation step, batch
approval; a fixed number of queries whatever the number of items."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.models import AuditEvent, Evidence, Inspection, Measure, SignOff, Unit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n% evidence\n"
DOCX = b"PK\x03\x04" + b"\x00" * 32


def _file(name: str, content: bytes) -> services.UploadedEvidence:
    return services.UploadedEvidence(name, io.BytesIO(content))


def _working(demo: Inspection, n: int = 0) -> Measure:
    """An open measure of the demo, its lead department set to jingban's 办公室 (the demo has few of those)."""
    measure = Measure.objects.filter(
        inspection=demo, status__in=(MeasureStatus.IN_PROGRESS, MeasureStatus.DRAFT)
    ).order_by("-lead_department__name", "id")[n]
    office = Unit.objects.get(name="办公室")
    Measure.objects.filter(pk=measure.pk).update(lead_department=office)
    measure.refresh_from_db()
    return measure


def _ask_signoff(measure: Measure, note: str = "制度已印发，申请销号。") -> SignOff:
    """Four reports (the oldest one outside the desk's last three), the last at 100 % with evidence."""
    staff = User.objects.get(username="jingban")
    services.report_progress(by=staff, measure=measure, text="最早的一次进展。", progress=10)
    services.report_progress(
        by=staff, measure=measure, text="起草制度。", progress=40, files=[_file("草稿.docx", DOCX)]
    )
    services.report_progress(
        by=staff, measure=measure, text="会议照片。", progress=80, files=[_file("会议.png", PNG)]
    )
    services.report_progress(
        by=staff, measure=measure, text="制度印发。", progress=100, files=[_file("印发文件.pdf", PDF)]
    )
    return services.request_signoff(by=staff, measure=measure, note=note)


def _item(page: str, anchor: str) -> str:
    match = re.search(rf'<article[^>]*id="{anchor}".*?</article>', page, re.S)
    assert match, anchor
    return match.group(0)


def test_desk_shows_the_note_the_last_three_reports_and_previews_images_and_pdfs(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    page = login("lingdao").get("/reviews/").content.decode()
    item = _item(page, f"signoff-{signoff.pk}")
    assert "制度已印发，申请销号。" in item
    assert "制度印发。" in item
    assert "会议照片。" in item
    assert "起草制度。" in item
    assert "最早的一次进展。" not in item  # only the last three
    png = Evidence.objects.get(original_name="会议.png")
    pdf = Evidence.objects.get(original_name="印发文件.pdf")
    docx = Evidence.objects.get(original_name="草稿.docx")
    assert f'<img class="zg-preview-img" src="/evidence/{png.pk}/"' in item
    assert f'<iframe class="zg-preview-pdf" src="/evidence/{pdf.pk}/"' in item
    assert f'href="/evidence/{docx.pk}/"' in item
    assert f'src="/evidence/{docx.pk}/"' not in item
    assert 'name="note"' in item
    assert "审核意见" in item
    # Each verdict sits behind a 确认 step, without script.
    assert re.search(r"<details class=\"zg-confirm\">\s*<summary[^>]*>同意销号</summary>", item)
    assert "确认同意" in item
    assert "确认退回" in item
    assert "<script" not in item
    assert "onclick" not in item


def test_evidence_images_and_pdfs_are_served_inline_other_types_as_downloads(demo: Inspection) -> None:
    _ask_signoff(_working(demo))
    client = login("lingdao")
    for name, content_type, disposition in (
        ("会议.png", "image/png", "inline"),
        ("印发文件.pdf", "application/pdf", "inline"),
        (
            "草稿.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
    ):
        evidence = Evidence.objects.get(original_name=name)
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith(disposition)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "SAMEORIGIN"  # the desk previews it in an <iframe>


def test_evidence_of_another_unit_stays_404(demo: Inspection) -> None:
    from zhenggai.ledger.models import Membership

    _ask_signoff(_working(demo))
    other = Unit.objects.create(name="临江区另一单位", parent=demo.inspected_unit.parent)
    stranger = User.objects.create_user("stranger", password="demo-pass-123")
    Membership.objects.create(user=stranger, unit=other, role="leader")
    evidence = Evidence.objects.get(original_name="印发文件.pdf")
    assert login("stranger").get(f"/evidence/{evidence.pk}/").status_code == 404


def test_return_without_a_note_is_refused_beside_the_box_and_changes_nothing(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    response = login("lingdao").post(f"/signoffs/{signoff.pk}/reject/", {"note": "  ", "from": "desk"})
    assert response.status_code == 400
    item = _item(response.content.decode(), f"signoff-{signoff.pk}")
    assert "退回须填写审核意见。" in item
    assert '<input type="hidden" name="next" value="/reviews/">' in item  # not back to the POST address
    signoff.refresh_from_db()
    assert signoff.decision == Decision.PENDING


def test_return_with_a_note_records_the_note_and_reopens_the_measure(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    response = login("lingdao").post(
        f"/signoffs/{signoff.pk}/reject/", {"note": "请补充制度全文。", "from": "desk"}, follow=True
    )
    assert "已退回" in response.content.decode()
    signoff.refresh_from_db()
    assert signoff.decision == Decision.REJECTED
    assert signoff.review_note == "请补充制度全文。"
    assert signoff.measure.status == MeasureStatus.IN_PROGRESS


def test_approve_keeps_the_review_note(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    login("lingdao").post(f"/signoffs/{signoff.pk}/approve/", {"note": "材料齐全，同意。"})
    signoff.refresh_from_db()
    assert signoff.decision == Decision.APPROVED
    assert signoff.review_note == "材料齐全，同意。"
    assert signoff.measure.status == MeasureStatus.DONE


def test_batch_approve_goes_through_the_service_and_reports_each_refusal(demo: Inspection) -> None:
    first = _ask_signoff(_working(demo, 0))  # the measure is now pending: the next call takes another
    second = _ask_signoff(_working(demo, 0))
    leader = User.objects.get(username="lingdao")
    own_measure = _working(demo, 0)
    services.report_progress(
        by=leader, measure=own_measure, text="领导自报。", progress=100, files=[_file("a.pdf", PDF)]
    )
    own = services.request_signoff(by=leader, measure=own_measure)
    response = login("lingdao").post(
        "/reviews/batch/",
        {"signoff": [str(first.pk), str(second.pk), str(own.pk)], "note": "同意。"},
        follow=True,
    )
    page = response.content.decode()
    assert "已同意 2 项" in page
    assert "未能同意 1 项" in page
    assert "不能审核本人提出的销号申请" in page
    decisions = dict(
        SignOff.objects.filter(pk__in=[first.pk, second.pk, own.pk]).values_list("pk", "decision")
    )
    assert decisions == {first.pk: "approved", second.pk: "approved", own.pk: "pending"}
    assert AuditEvent.objects.filter(action="approve_signoff").count() >= 2


def test_desk_query_count_does_not_grow_with_the_items(demo: Inspection) -> None:
    client = login("lingdao")
    client.get("/reviews/")
    _ask_signoff(_working(demo, 0))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/reviews/")
        assert response.status_code == 200
        return len(captured)

    small = count()
    for _ in range(3):
        _ask_signoff(_working(demo, 0))
    late = _working(demo, 0)
    services.request_extension(
        by=User.objects.get(username="jingban"),
        measure=late,
        new_deadline=(late.deadline or dt.date.today()) + dt.timedelta(days=10),
        reason="等待上级批复。",
    )
    large = count()
    assert large == small
    assert small <= 16


def test_desk_is_paginated(demo: Inspection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("zhenggai.web.views.reviews.DESK_PAGE_SIZE", 2)
    pending = SignOff.objects.filter(decision=Decision.PENDING).count()
    for _ in range(max(0, 3 - pending)):
        _ask_signoff(_working(demo, 0))
    total = SignOff.objects.filter(decision=Decision.PENDING).count()
    client = login("lingdao")
    marker = '<article class="card zg-card zg-desk-item" id="signoff-'
    first = client.get("/reviews/").content.decode()
    assert first.count(marker) == 2
    assert f"共 {total} 条" in first
    last = client.get(f"/reviews/?page={(total + 1) // 2}").content.decode()
    assert last.count(marker) == total - 2 * ((total + 1) // 2 - 1)
