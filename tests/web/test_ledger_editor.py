"""The ledger editor's pages: create an inspection, then shape its tree with plain POSTs and with HTMX."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.test import Client

from tests.conftest import World
from zhenggai.ledger.choices import FindingLevel, MeasureStatus
from zhenggai.ledger.models import AuditEvent, Finding, Inspection, Measure


def _client(user: AbstractUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _do(client: Client, inspection: Inspection, htmx: bool = False, **data: Any) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/inspections/{inspection.pk}/ledger/edit/do/", data, headers=headers)


def test_leader_creates_an_inspection_of_a_unit_they_lead(world: World) -> None:
    client = _client(world.leader_a)
    page = client.get("/inspections/new/").content.decode()
    assert world.unit_a.name in page
    assert world.unit_b.name not in page
    response = client.post(
        "/inspections/new/",
        {
            "inspected_unit": world.unit_a.pk,
            "kind": "xuncha",
            "inspector": "区委巡察三组",
            "onsite_start": "2026-03-01",
            "onsite_end": "2026-04-15",
            "feedback_date": "2026-06-01",
        },
    )
    inspection = Inspection.objects.get(inspector="区委巡察三组")
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{inspection.pk}/ledger/edit/"
    assert AuditEvent.objects.filter(action="create_inspection", object_id=str(inspection.pk)).exists()


def test_an_inspection_of_another_unit_is_refused_beside_the_field(world: World) -> None:
    response = _client(world.leader_a).post(
        "/inspections/new/",
        {"inspected_unit": world.unit_b.pk, "kind": "xuncha", "inspector": "区委巡察三组"},
    )
    assert response.status_code == 200
    assert "所选的被巡察单位不在可选范围内" in response.content.decode()
    assert not Inspection.objects.filter(inspector="区委巡察三组").exists()


def test_feedback_before_the_visit_is_refused_in_chinese(world: World) -> None:
    response = _client(world.leader_a).post(
        "/inspections/new/",
        {
            "inspected_unit": world.unit_a.pk,
            "kind": "xuncha",
            "inspector": "区委巡察三组",
            "onsite_start": "2026-03-01",
            "feedback_date": "2026-02-01",
        },
    )
    assert "反馈日期不能早于进驻开始日期。" in response.content.decode()


def test_staff_and_viewers_cannot_open_the_editor_or_create(world: World) -> None:
    for user in (world.staff_a, world.viewer_a):
        client = _client(user)
        assert client.get("/inspections/new/").status_code == 403
        assert client.get(f"/inspections/{world.inspection_a.pk}/ledger/edit/").status_code == 403
        response = _do(client, world.inspection_a, op="add", level="problem", lines="关于某的问题")
        assert response.status_code == 403
    assert not Finding.objects.filter(title="关于某的问题").exists()


def test_another_units_inspection_answers_404(world: World) -> None:
    client = _client(world.leader_a)
    assert client.get(f"/inspections/{world.inspection_b.pk}/ledger/edit/").status_code == 404
    assert _do(client, world.inspection_b, op="add", level="problem", lines="关于某的问题").status_code == 404


def test_plain_post_adds_pasted_rows_and_redirects(world: World) -> None:
    client = _client(world.leader_a)
    response = _do(
        client, world.inspection_a, op="add", level="aspect", lines="一、甲方面\n二、乙方面\n三、丙方面"
    )
    assert response.status_code == 302
    added = Finding.objects.filter(inspection=world.inspection_a, level=FindingLevel.ASPECT)
    assert sorted(added.values_list("title", flat=True)) == ["丙方面", "乙方面", "甲方面"]
    assert response["Location"].endswith(f"#f-{added.order_by('-id')[0].pk}")
    page = client.get(response["Location"]).content.decode()
    assert "已添加3个方面。" in page


def test_htmx_post_answers_with_the_editor_and_focuses_the_box(world: World) -> None:
    client = _client(world.leader_a)
    response = _do(
        client,
        world.inspection_a,
        htmx=True,
        op="add",
        level="measure",
        parent=world.detail_a.pk,
        lines="一是建立台账\n二是完善制度",
        focus=f"add-measure-{world.detail_a.pk}",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="ledger-editor"')
    assert "<html" not in body
    assert "一是建立台账" in body
    assert f'id="add-measure-{world.detail_a.pk}" name="lines" rows="1" data-enter-submits' in body
    assert "autofocus" in body
    assert Measure.objects.filter(finding=world.detail_a).count() == 3


def test_saving_a_measure_row_sets_owners_departments_and_deadline(world: World) -> None:
    measure = world.measure_a
    response = _do(
        _client(world.leader_a),
        world.inspection_a,
        op="save_measure",
        measure=measure.pk,
        version=measure.version,
        text="建立接待审批台账",
        kind="immediate",
        responsible_leader="张局长",
        responsible_person="李四",
        lead_department=world.dept_a.pk,
        cooperating_departments=[world.unit_a.pk],
        deadline="2030-09-30",
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.text, measure.kind, measure.responsible_leader) == (
        "建立接待审批台账",
        "immediate",
        "张局长",
    )
    assert str(measure.deadline) == "2030-09-30"
    assert list(measure.cooperating_departments.all()) == [world.unit_a]
    assert AuditEvent.objects.filter(action="edit_measure", object_id=str(measure.pk)).count() == 1
    assert AuditEvent.objects.filter(action="plan_deadline", object_id=str(measure.pk)).count() == 1


def test_a_stale_measure_row_is_refused_with_what_changed(world: World) -> None:
    client = _client(world.leader_a)
    fields = {
        "op": "save_measure",
        "measure": world.measure_a.pk,
        "kind": "deadline",
        "deadline": "2030-06-30",
    }
    _do(client, world.inspection_a, **fields, version=1, text="第一次修改")
    response = _do(client, world.inspection_a, htmx=True, **fields, version=1, text="第二次修改")
    body = response.content.decode()
    assert "该措施已被他人修改" in body
    assert "第一次修改" in body
    world.measure_a.refresh_from_db()
    assert world.measure_a.text == "第一次修改"


def test_deleting_a_measure_with_a_report_shows_a_chinese_message(world: World) -> None:
    from zhenggai.ledger import services

    services.report_progress(by=world.staff_a, measure=world.measure_a, text="已开始", progress=10)
    response = _do(
        _client(world.leader_a),
        world.inspection_a,
        htmx=True,
        op="delete_measure",
        measure=world.measure_a.pk,
    )
    assert "已有进展报送，不能删除" in response.content.decode()
    assert Measure.objects.filter(pk=world.measure_a.pk).exists()


def test_complete_is_refused_with_the_list_of_unfinished_measures(world: World) -> None:
    body = _do(_client(world.leader_a), world.inspection_a, htmx=True, op="complete").content.decode()
    assert "还有1条整改措施未完成" in body
    assert f'href="/measures/{world.measure_a.pk}/"' in body
    Measure.objects.filter(pk=world.measure_a.pk).update(status=MeasureStatus.DONE)
    response = _do(_client(world.leader_a), world.inspection_a, op="complete")
    assert response.status_code == 302
    world.inspection_a.refresh_from_db()
    assert world.inspection_a.rectified_at is not None


def test_the_tree_page_links_to_the_editor_for_managers_only(world: World) -> None:
    url = f"/inspections/{world.inspection_a.pk}/"
    editor = f"/inspections/{world.inspection_a.pk}/ledger/edit/"
    assert editor in _client(world.leader_a).get(url).content.decode()
    assert editor not in _client(world.staff_a).get(url).content.decode()


def test_the_editor_uses_the_same_number_of_queries_however_many_measures(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenggai.ledger import services

    client = _client(world.leader_a)
    url = f"/inspections/{world.inspection_a.pk}/ledger/edit/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    services.add_measures(
        by=world.leader_a,
        finding=world.detail_a,
        lines="\n".join(f"措施{n}" for n in range(20)),
        spec=services.MeasureSpec(
            text="", lead_department=world.dept_a, cooperating_departments=[world.unit_a]
        ),
    )
    services.add_findings(
        by=world.leader_a, inspection=world.inspection_a, level=FindingLevel.ASPECT, lines="甲\n乙\n丙"
    )
    assert count() == before


def test_the_tree_page_shows_an_inspection_marked_complete(world: World) -> None:
    from zhenggai.ledger import services

    url = f"/inspections/{world.inspection_a.pk}/"
    assert "已整改完成" not in _client(world.viewer_a).get(url).content.decode()
    Measure.objects.filter(pk=world.measure_a.pk).update(status=MeasureStatus.DONE)
    services.complete_inspection(by=world.leader_a, inspection=world.inspection_a)
    assert "已整改完成" in _client(world.viewer_a).get(url).content.decode()
