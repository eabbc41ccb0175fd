"""Every page answers for the roles that use it, in Chinese, scoped to the user's units."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import World
from tests.web.conftest import login
from zhenggai.ledger.models import Inspection, Measure, Unit

PAGES = ["/", "/tasks/", "/inspections/", "/accounts/password/"]  # role-bound pages: tests/web/test_roles.py


@pytest.mark.parametrize("username", ["xunchaban", "lingdao", "jingban", "chakan", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_main_pages_answer_for_every_role(demo: Inspection, username: str, url: str) -> None:
    response = login(username).get(url)
    assert response.status_code == 200
    assert "巡察整改管理系统" in response.content.decode()


def test_anonymous_requests_go_to_the_login_page(demo: Inspection) -> None:
    for url in [*PAGES, f"/measures/{demo.measures.first().pk}/", f"/inspections/{demo.pk}/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert Client().get("/healthz").status_code == 200
    assert "登录" in Client().get("/accounts/login/").content.decode()


def test_other_units_records_answer_404(demo: Inspection) -> None:
    archive = Inspection.objects.exclude(pk=demo.pk).get()
    foreign_measure = archive.measures.first()
    client = login("lingdao")
    for url in [
        f"/measures/{foreign_measure.pk}/",
        f"/inspections/{archive.pk}/",
        f"/units/{archive.inspected_unit_id}/",
        f"/audit/measure/{foreign_measure.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert foreign_measure.text not in client.get("/tasks/?show=all").content.decode()
    # The supervisor sees both units.
    supervisor = login("xunchaban")
    assert supervisor.get(f"/measures/{foreign_measure.pk}/").status_code == 200
    overview = supervisor.get("/overview/").content.decode()
    assert "临江区文化和旅游局" in overview
    assert "临江区档案馆" in overview


def test_staff_see_only_their_departments_tasks(demo: Inspection) -> None:
    page = login("jingban").get("/tasks/?show=all").content.decode()
    own = Measure.objects.filter(lead_department__name__in=["办公室", "财务股"]).first()
    other = Measure.objects.filter(lead_department__name="人事股").first()
    assert own.text[:20] in page
    assert other.text[:20] not in page


def test_inspection_tree_shows_counts_and_lights(demo: Inspection) -> None:
    page = login("lingdao").get(f"/inspections/{demo.pk}/").content.decode()
    assert "贯彻落实党的路线方针政策和上级决策部署方面" in page
    assert 'class="dot red"' in page  # some measures are overdue
    assert "36.7%" in page  # the completion rate
    assert page.count('class="measure"') == 30


def test_text_with_html_is_shown_as_text(demo: Inspection) -> None:
    measure = Measure.objects.filter(inspection=demo, status="draft").first()
    Measure.objects.filter(pk=measure.pk).update(text='<script>alert("x")</script>措施')
    page = login("lingdao").get(f"/measures/{measure.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;措施" in page


def test_overview_export_opens_in_excel_reader(demo: Inspection) -> None:
    import io

    from openpyxl import load_workbook

    response = login("xunchaban").get("/overview.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("单位", "巡察次数", "反馈问题", "整改措施")
    by_unit = {row[0]: row for row in rows[1:]}
    assert by_unit["临江区文化和旅游局"][3:5] == (30, 11)
    assert set(by_unit) == set(Unit.objects.filter(inspections__isnull=False).values_list("name", flat=True))


def test_overview_charts_count_open_and_overdue_measures_after_the_sweep(demo: Inspection) -> None:
    import json
    import re

    from zhenggai.supervision.services import run_sweep

    run_sweep()
    page = login("xunchaban").get("/overview/charts/").content.decode()
    data = json.loads(re.search(r'id="chart-data" type="application/json">(.*?)</script>', page, re.S)[1])
    # Both demo inspections: 19 bureau measures not done (5 overdue) + 2 archive measures (1 overdue).
    assert (data["trend"]["open"][-1], data["trend"]["overdue"][-1]) == (21, 6)
    assert data["trend"]["open"][0] is None  # before the first sweep: no data, not zero


def test_staff_see_only_the_branches_that_hold_their_measures(world: World) -> None:
    from django.test import Client

    from tests.factories import FindingFactory, MeasureFactory

    other = FindingFactory(inspection=world.inspection_a, title="关于另一个部门的问题")
    MeasureFactory(finding=other, lead_department=None)
    FindingFactory(inspection=world.inspection_a, title="关于尚未制定措施的问题")
    client = Client()
    client.force_login(world.staff_a)
    page = client.get(f"/inspections/{world.inspection_a.pk}/").content.decode()
    assert "关于财务管理不规范的问题" in page
    assert "关于另一个部门的问题" not in page
    assert "关于尚未制定措施的问题" not in page
    assert "0/0" not in page
    client.force_login(world.leader_a)
    page = client.get(f"/inspections/{world.inspection_a.pk}/").content.decode()
    assert "关于另一个部门的问题" in page
    assert "关于尚未制定措施的问题" in page  # the leader sees where measures are still missing
    assert "<details open>" in page
    assert 'aria-valuenow="0"' in page


def test_home_and_inspection_list_show_a_dash_for_an_inspection_without_stored_figures(world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.leader_a)
    for url in ("/", "/inspections/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "—" in response.content.decode()


def test_task_list_rows_show_every_written_field_as_text(demo: Inspection) -> None:
    """The list's rows are written in Python (web.views.tasks): text, code, finding title, unit and department
    names and the person must all arrive escaped."""
    measure = Measure.objects.filter(inspection=demo, status="draft").first()
    assert measure is not None
    evil = '<img src=x onerror="alert(1)">'
    Measure.objects.filter(pk=measure.pk).update(text=f"{evil}措施", code=f"{evil}1")
    finding = measure.finding
    assert finding is not None
    type(finding).objects.filter(pk=finding.pk).update(title=f"{evil}问题")
    department = measure.lead_department
    assert department is not None
    type(department).objects.filter(pk=department.pk).update(name=f"{evil}股")
    client = login("lingdao")
    for url in ("/tasks/?show=all", "/tasks/?show=all&q=%E6%8E%AA%E6%96%BD"):
        page = client.get(url).content.decode()
        assert f"/measures/{measure.pk}/" in page, url  # the row is on the page
        assert evil not in page, url
        shown = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
        for written in ("措施", "1</a>", "问题", "股"):
            assert shown + written in page or shown + "<" in page, (url, written)
