"""三员分立: the superuser (and the system roles) take no business action by rank; the services refuse it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.duties import SECURITY_ADMIN, SYSTEM_ADMIN
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.models import AuditEvent, Clue, Extension, Inspection, Measure, SignOff
from zhenggai.notices.choices import Audience
from zhenggai.notices.services import publish_notice
from zhenggai.supervision.notices import issue_supervision_notice

pytestmark = pytest.mark.usefixtures("system_roles")

PDF = b"%PDF-1.4\n%evidence\n"


def _state() -> tuple[int, list[tuple[Any, ...]]]:
    measures = list(Measure.objects.order_by("pk").values_list("pk", "status", "deadline", "text", "version"))
    return AuditEvent.objects.count(), measures


def _business_posts(demo: Inspection) -> list[tuple[str, dict[str, Any]]]:
    leader = User.objects.get(username="lingdao")
    staff = User.objects.get(username="jingban")
    supervisor = User.objects.get(username="xunchaban")
    open_measures = list(
        Measure.objects.filter(
            inspection=demo, status__in=["in_progress", "draft"], lead_department__name="办公室"
        )
    )
    measure, other = open_measures[0], open_measures[1]
    services.report_progress(
        by=staff,
        measure=measure,
        text="推进",
        progress=100,
        files=[services.UploadedEvidence("a.pdf", io.BytesIO(PDF))],
    )
    signoff = services.request_signoff(by=staff, measure=measure)
    extension = services.request_extension(
        by=staff, measure=other, new_deadline=timezone.localdate() + dt.timedelta(days=30), reason="客观原因"
    )
    notice = publish_notice(by=leader, inspection=demo, audience=Audience.PUBLIC)
    issued = issue_supervision_notice(
        by=supervisor,
        measures=[other],
        title="督办",
        content="请加快进度",
        reply_deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    clue = Clue.objects.filter(inspection=demo).first() or services.record_clue(
        by=leader, inspection=demo, summary="线索"
    )
    assert isinstance(signoff, SignOff)
    assert isinstance(extension, Extension)
    done = Measure.objects.filter(inspection=demo, status="done").first()
    assert done is not None
    pk = demo.pk
    deadline = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    return [
        (f"/measures/{other.pk}/report/", {"text": "进展", "progress": "60"}),
        (f"/measures/{other.pk}/signoff/", {"summary": "完成"}),
        (f"/measures/{measure.pk}/extension/", {"new_deadline": deadline, "reason": "原因"}),
        (f"/measures/{other.pk}/edit/", {"text": "改", "version": str(other.version)}),
        (f"/measures/{done.pk}/reopen/", {"reason": "重开"}),
        (f"/signoffs/{signoff.pk}/approve/", {"note": "同意。"}),
        (f"/signoffs/{signoff.pk}/reject/", {"note": "退回。"}),
        (f"/extensions/{extension.pk}/approve/", {"note": "同意。"}),
        (f"/extensions/{extension.pk}/reject/", {"note": "退回。"}),
        ("/reviews/batch/", {"signoffs": [str(signoff.pk)], "note": "同意。"}),
        (f"/inspections/{pk}/edit/", {"inspector": "改", "version": str(demo.version)}),
        (f"/inspections/{pk}/rules/", {"max_days": "30", "max_count": "1"}),
        (f"/inspections/{pk}/regulations/new/", {"title": "新制度", "kind": "new"}),
        (f"/inspections/{pk}/clues/new/", {"summary": "新线索"}),
        (f"/clues/{clue.pk}/", {"status": "closed", "handling": "已核实", "outcome": "办结"}),
        (f"/inspections/{pk}/notices/publish/", {"audience": "public", "action": "publish", "phone": "1"}),
        (f"/notices/{notice.pk}/approve/", {"note": "同意。"}),
        (f"/notices/{notice.pk}/sign/", {}),
        (f"/notices/{notice.pk}/withdraw/", {"reason": "撤回"}),
        (f"/inspections/{pk}/ledger/import/", {"confirm": "1", "sha256": "0" * 64, "name": "台账.xlsx"}),
        ("/notices/import/", {"confirm": "1", "sha256": "0" * 64}),
        ("/inspections/new/", {"inspected_unit": str(demo.inspected_unit_id), "inspector": "巡察组"}),
        ("/supervision/notices/issue/", {"measures": [str(other.pk)], "title": "督办", "content": "x"}),
        (f"/supervision/notices/{issued.pk}/reply/", {"reply": "已整改"}),
        (f"/supervision/notices/{issued.pk}/close/", {"closing_note": "办结"}),
    ]


def test_the_superusers_business_posts_all_answer_403_and_change_nothing(demo: Inspection) -> None:
    posts = _business_posts(demo)
    admin = login("admin")
    before = _state()
    answers = {url: admin.post(url, data).status_code for url, data in posts}
    assert {url: code for url, code in answers.items() if code != 403} == {}
    assert _state() == before


@pytest.mark.parametrize("group", [SYSTEM_ADMIN, SECURITY_ADMIN])
def test_a_system_role_cannot_report_or_approve_in_the_service(demo: Inspection, group: str) -> None:
    user = User.objects.create_user("sys", password="Xx-12345678", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    measure = Measure.objects.filter(inspection=demo, status="in_progress").first()
    assert measure is not None
    with pytest.raises(NotPermitted):
        services.report_progress(by=user, measure=measure, text="x", progress=10, files=[])
    superuser = User.objects.get(username="admin")
    with pytest.raises(NotPermitted):
        services.report_progress(by=superuser, measure=measure, text="x", progress=10, files=[])


def test_the_superuser_still_reads_the_ledger_and_manages_units_and_users(demo: Inspection) -> None:
    admin = login("admin")
    assert admin.get(f"/inspections/{demo.pk}/").status_code == 200
    assert admin.get("/org/").status_code == 200


def test_a_system_admin_edits_accounts_but_cannot_make_a_superuser_or_grant_system_roles(
    demo: Inspection,
) -> None:
    sysadmin = User.objects.create_user("sysadmin", password="Xx-12345678", is_staff=True)
    sysadmin.groups.add(Group.objects.get(name=SYSTEM_ADMIN))
    client = Client()
    client.force_login(sysadmin)
    target = User.objects.get(username="chakan")
    response = client.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "chakan",
            "first_name": "查看人员（改）",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [str(Group.objects.get(name=SECURITY_ADMIN).pk)],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.first_name == "查看人员（改）"
    assert not target.is_superuser
    assert not target.groups.exists()
    event = AuditEvent.objects.filter(action="admin_change_user").latest("seq")
    assert event.actor == sysadmin
