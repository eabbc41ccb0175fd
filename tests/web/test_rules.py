"""The rules that keep the figures honest, as the pages show them: refusals beside the fields, 逾期完成 in
the lists and the overview, a 督办单 that names the measures keeping it open."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PDF
from tests.web.conftest import login
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.models import AuditEvent, Extension, Inspection, Measure
from zhenggai.supervision.models import ExtensionApproval, SupervisionNotice
from zhenggai.supervision.services import issue_supervision_notice, reply_supervision_notice


def _working(demo: Inspection) -> Measure:
    measure = Measure.objects.filter(
        inspection=demo, status=MeasureStatus.IN_PROGRESS, lead_department__name="办公室"
    ).first()
    assert measure is not None
    return measure


def _field_errors(html: str, field: str) -> str:
    start = html.find(f'id="{field}-errors"')
    assert start != -1, f"no errors shown beside {field}"
    return html[start : html.find("</ul>", start)]


def test_signoff_below_100_percent_is_refused_on_the_measure_page(demo: Inspection) -> None:
    measure = _working(demo)
    client = login("jingban")
    evidence = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    reported = client.post(
        f"/measures/{measure.pk}/report/", {"text": "方案已印发。", "progress": 40, "evidence": [evidence]}
    )
    assert reported.status_code == 302
    response = client.post(f"/measures/{measure.pk}/signoff/", {"note": "申请销号"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "当前进度为40%，进度达到100%方可申请销号" in html
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS
    assert not measure.signoffs.filter(decision=Decision.PENDING).exists()


def test_extension_to_9999_12_31_is_refused_beside_the_field(demo: Inspection) -> None:
    measure = _working(demo)
    before = AuditEvent.objects.count()
    html = (
        login("jingban")
        .post(f"/measures/{measure.pk}/extension/", {"new_deadline": "9999-12-31", "reason": "无限期"})
        .content.decode()
    )
    assert "不予受理" in _field_errors(html, "new_deadline")
    assert not Extension.objects.filter(measure=measure, reason="无限期").exists()
    assert AuditEvent.objects.count() == before


def test_200_days_extension_approved_by_the_leader_waits_for_the_supervisor(demo: Inspection) -> None:
    measure = _working(demo)
    assert measure.deadline is not None
    new = measure.deadline + dt.timedelta(days=200)
    login("jingban").post(f"/measures/{measure.pk}/extension/", {"new_deadline": new, "reason": "工程量大"})
    extension = Extension.objects.get(measure=measure, reason="工程量大")
    page = login("lingdao").post(f"/extensions/{extension.pk}/approve/", {"note": ""}, follow=True)
    assert "待巡察办审核后生效" in page.content.decode()
    extension.refresh_from_db()
    assert extension.decision == Decision.PENDING
    assert ExtensionApproval.objects.get(extension=extension).leader is not None

    login("xunchaban").post(f"/extensions/{extension.pk}/approve/", {"note": "同意"})
    extension.refresh_from_db()
    measure.refresh_from_db()
    assert (extension.decision, measure.deadline) == (Decision.APPROVED, new)


def _notice_at_40_percent(demo: Inspection) -> tuple[SupervisionNotice, Measure]:
    from django.contrib.auth.models import User

    from zhenggai.ledger import services

    measure = _working(demo)
    staff = User.objects.get(username="jingban")
    services.report_progress(by=staff, measure=measure, text="推进中", progress=40)
    notice = issue_supervision_notice(
        by=User.objects.get(username="xunchaban"),
        measures=[measure],
        title="限期整改到位",
        content="请于一周内报告整改情况。",
        reply_deadline=dt.date.today() + dt.timedelta(days=7),
    )
    reply_supervision_notice(by=staff, notice=notice, reply="正在整改。")
    return notice, measure


def test_notice_page_names_the_measures_that_keep_it_open(demo: Inspection) -> None:
    notice, measure = _notice_at_40_percent(demo)
    html = login("xunchaban").get(f"/supervision/notices/{notice.pk}/").content.decode()
    start = html.find('id="close-blocked"')
    assert start != -1
    assert f"{measure.code}</a>（整改中，进度40%）" in html[start : html.find("</div>", start)]


def test_notice_close_is_refused_while_a_measure_stands_at_40_percent(demo: Inspection) -> None:
    notice, measure = _notice_at_40_percent(demo)
    client = login("xunchaban")
    response = client.post(f"/supervision/notices/{notice.pk}/close/", {"closing_note": "同意办结"})
    assert response.status_code == 400
    assert f"整改措施{measure.code}（整改中，进度40%）" in response.content.decode()
    empty = client.post(f"/supervision/notices/{notice.pk}/close/", {"closing_note": ""})
    assert "请填写办结意见" in _field_errors(empty.content.decode(), "closing_note")
    notice.refresh_from_db()
    assert notice.status == "replied"


def test_done_late_shows_on_the_measure_page_and_in_the_overview(demo: Inspection) -> None:
    late = Measure.objects.filter(
        inspection=demo, status=MeasureStatus.DONE, deadline__lt=dt.date.today()
    ).first()
    assert late is not None
    page = login("lingdao").get(f"/measures/{late.pk}/").content.decode()
    assert 'id="measure-status">逾期完成</span>' in page
    overview = login("xunchaban").get("/overview/").content.decode()
    assert ">逾期完成</a>" in overview or ">逾期完成<" in overview
    assert '<b id="total-done-late">3</b>' in overview
    row = overview[overview.find(f'data-unit="{demo.inspected_unit.name}"') :]
    assert '<td class="num done-late">3</td>' in row[: row.find("</tr>")]


def test_a_reopened_measure_reads_unfinished_again(demo: Inspection) -> None:
    done = Measure.objects.filter(inspection=demo, status=MeasureStatus.DONE).first()
    assert done is not None
    response = login("xunchaban").post(f"/measures/{done.pk}/reopen/", {"reason": "回头看发现整改不实"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.status == MeasureStatus.IN_PROGRESS
    overview = login("xunchaban").get("/overview/").content.decode()
    row = overview[overview.find(f'data-unit="{demo.inspected_unit.name}"') :]
    assert "33.3%" in row[: row.find("</tr>")]  # 10 of 30, where the demo had 11


def test_the_supervisor_sets_extension_limits_for_an_inspection_and_others_may_not(demo: Inspection) -> None:
    assert login("lingdao").get(f"/inspections/{demo.pk}/rules/").status_code == 403
    client = login("xunchaban")
    assert "延期限额" in client.get(f"/inspections/{demo.pk}/").content.decode()
    form = client.get(f"/inspections/{demo.pk}/rules/")
    assert "系统默认：单次90天，每条措施2次" in form.content.decode()
    bad = client.post(
        f"/inspections/{demo.pk}/rules/", {"extension_max_days": "9999", "extension_max_count": ""}
    )
    assert "1至1095天" in _field_errors(bad.content.decode(), "extension_max_days")
    saved = client.post(
        f"/inspections/{demo.pk}/rules/", {"extension_max_days": "180", "extension_max_count": "3"}
    )
    assert saved.status_code == 302
    demo.refresh_from_db()
    assert (demo.max_extension_days, demo.max_extensions) == (180, 3)
