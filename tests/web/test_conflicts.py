"""Two managers open the same edit form: the second save, made on what the first changed, is refused (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.test import Client

from tests.web.conftest import login
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure


def _open(client: Client, url: str) -> dict[str, Any]:
    """GET the edit form and return what the browser would post back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    assert 'type="hidden" name="version"' in response.content.decode()
    data: dict[str, Any] = {}
    for name, value in response.context["form"].initial.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def _open_measure(demo: Inspection) -> Measure:
    measure = Measure.objects.filter(inspection=demo, status=MeasureStatus.IN_PROGRESS).first()
    assert measure is not None
    return measure


def test_stale_measure_save_is_refused_with_what_changed_and_the_first_save_survives(
    demo: Inspection,
) -> None:
    measure = _open_measure(demo)
    url = f"/measures/{measure.pk}/edit/"
    leader, supervisor = login("lingdao"), login("xunchaban")
    form_a, form_b = _open(leader, url), _open(supervisor, url)
    old_text, old_person = measure.text, measure.responsible_person

    saved = leader.post(url, form_a | {"text": "A改写:完善接待审批制度并公开"})
    assert saved.status_code == 302
    events = AuditEvent.objects.count()

    refused = supervisor.post(url, form_b | {"responsible_person": "B填写的责任人"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "该措施已被他人修改（" in html
    assert "赵某某" in html  # lingdao's name
    assert "请刷新后重试" in html
    assert "整改措施</b>：" in html
    assert "A改写:完善接待审批制度并公开" in html
    assert "B填写的责任人" in html  # B's input is shown again, not lost
    measure.refresh_from_db()
    assert (measure.text, measure.responsible_person) == ("A改写:完善接待审批制度并公开", old_person)
    assert measure.text != old_text
    assert AuditEvent.objects.count() == events


def test_after_reloading_the_form_the_second_save_goes_through(demo: Inspection) -> None:
    measure = _open_measure(demo)
    url = f"/measures/{measure.pk}/edit/"
    leader, supervisor = login("lingdao"), login("xunchaban")
    stale = _open(supervisor, url)
    assert leader.post(url, _open(leader, url) | {"text": "A改写的措施"}).status_code == 302
    assert supervisor.post(url, stale | {"responsible_person": "钱某某"}).status_code == 409

    fresh = _open(supervisor, url)
    saved = supervisor.post(url, fresh | {"responsible_person": "钱某某"})

    assert saved.status_code == 302
    measure.refresh_from_db()
    assert (measure.text, measure.responsible_person) == ("A改写的措施", "钱某某")


def test_a_progress_report_since_the_form_opened_also_makes_the_save_stale(demo: Inspection) -> None:
    measure = _open_measure(demo)
    url = f"/measures/{measure.pk}/edit/"
    leader = login("lingdao")
    form = _open(leader, url)
    reported = login("jingban").post(
        f"/measures/{measure.pk}/report/", {"text": "已召开专题会议", "progress": "70"}
    )
    assert reported.status_code == 302

    refused = leader.post(url, form | {"responsible_person": "钱某某"})

    assert refused.status_code == 409
    assert "王某某" in refused.content.decode()  # jingban reported
    measure.refresh_from_db()
    assert measure.responsible_person != "钱某某"


def test_post_without_a_version_is_refused_and_saves_nothing(demo: Inspection) -> None:
    measure = _open_measure(demo)
    url = f"/measures/{measure.pk}/edit/"
    client = login("lingdao")
    form = _open(client, url)
    del form["version"]

    response = client.post(url, form | {"text": "没有版本号的保存"})

    assert response.status_code == 200
    assert "页面已过期，请刷新后重试。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.text != "没有版本号的保存"


def test_stale_inspection_save_is_refused(demo: Inspection) -> None:
    url = f"/inspections/{demo.pk}/edit/"
    leader, supervisor = login("lingdao"), login("xunchaban")
    form_a, form_b = _open(leader, url), _open(supervisor, url)
    assert leader.post(url, form_a | {"organising_work": "成立整改工作领导小组"}).status_code == 302

    refused = supervisor.post(url, form_b | {"inspector": "区委巡察三组"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "该巡察已被他人修改（" in html
    assert "整改组织工作情况</b>：" in html
    demo.refresh_from_db()
    assert (demo.organising_work, demo.inspector) == ("成立整改工作领导小组", form_a["inspector"])


def test_stale_finding_save_is_refused(demo: Inspection) -> None:
    finding = Finding.objects.filter(inspection=demo).first()
    assert finding is not None
    url = f"/findings/{finding.pk}/edit/"
    leader, supervisor = login("lingdao"), login("xunchaban")
    form_a, form_b = _open(leader, url), _open(supervisor, url)
    assert leader.post(url, form_a | {"title": "关于接待管理不规范的问题"}).status_code == 302

    refused = supervisor.post(url, form_b | {"text": "补充的问题表述"})

    assert refused.status_code == 409
    assert "该问题已被他人修改（" in refused.content.decode()
    finding.refresh_from_db()
    assert (finding.title, finding.text) == ("关于接待管理不规范的问题", form_a["text"])


def test_finding_edit_is_for_managers_only(demo: Inspection) -> None:
    finding = Finding.objects.filter(inspection=demo).first()
    assert finding is not None
    url = f"/findings/{finding.pk}/edit/"
    form = _open(login("lingdao"), url)

    response = login("jingban").post(url, form | {"title": "员工改写"})

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.title != "员工改写"
