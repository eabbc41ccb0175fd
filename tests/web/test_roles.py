"""The role table in docs/用户手册.md (角色与数据范围) is what the pages do: each role × page answers the status the table promises."""

from __future__ import annotations

import pytest

from tests.web.conftest import login
from zhenggai.ledger.models import Inspection, Measure, Unit


def _urls(demo: Inspection) -> dict[str, str]:
    measure = Measure.objects.filter(inspection=demo).order_by("pk").first()
    assert measure is not None
    bureau = demo.inspected_unit
    i = demo.pk
    return {
        "home": "/",
        "tasks": "/tasks/",
        "inspections": "/inspections/",
        "inspection": f"/inspections/{i}/",
        "inspection_new": "/inspections/new/",
        "inspection_edit": f"/inspections/{i}/edit/",
        "ledger_editor": f"/inspections/{i}/ledger/edit/",
        "ledger_import": f"/inspections/{i}/ledger/import/",
        "ledger_export": f"/inspections/{i}/ledger.xlsx",
        "rules": f"/inspections/{i}/rules/",
        "regulation_add": f"/inspections/{i}/regulations/new/",
        "clue_add": f"/inspections/{i}/clues/new/",
        "notice_versions": f"/inspections/{i}/notices/",
        "notice_publish": f"/inspections/{i}/notices/publish/",
        "notice_docx": f"/inspections/{i}/notice.docx",
        "measure": f"/measures/{measure.pk}/",
        "measure_edit": f"/measures/{measure.pk}/edit/",
        "measure_report": f"/measures/{measure.pk}/report/",
        "audit": f"/audit/measure/{measure.pk}/",
        "unit": f"/units/{bureau.pk}/",
        "org": "/org/",
        "org_import": "/org/import/",
        "org_unit": f"/units/{bureau.pk}/manage/",
        "reviews": "/reviews/",
        "overview": "/overview/",
        "overview_charts": "/overview/charts/",
        "overview_export": "/overview.xlsx",
        "weekly": "/supervision/weekly/",
        "warnings": "/supervision/warnings/",
        "notifications": "/supervision/notifications/",
        "supervision_notices": "/supervision/notices/",
        "issue_notice": "/supervision/notices/issue/",
        "indicators": "/supervision/indicators/",
        "indicators_import": "/supervision/indicators/import/",
        "indicators_export": "/supervision/indicators.xlsx",
        "notice_import": "/notices/import/",
        "district": f"/units/{Unit.objects.get(name='青川市临江区').pk}/",
    }


USERS = ("xunchaban", "lingdao", "jingban", "chakan")  # 巡察办, 单位领导, 部门经办人, 查看
# page → expected status for (xunchaban, lingdao, jingban, chakan); the role table in docs/用户手册.md says the same.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "home": (200, 200, 200, 200),
    "tasks": (200, 200, 200, 200),
    "inspections": (200, 200, 200, 200),
    "inspection": (200, 200, 200, 200),
    "inspection_new": (200, 200, 403, 403),
    "inspection_edit": (200, 200, 403, 403),
    "ledger_editor": (200, 200, 403, 403),
    "ledger_import": (200, 200, 403, 403),
    "ledger_export": (200, 200, 200, 200),
    "rules": (200, 403, 403, 403),
    "regulation_add": (200, 200, 403, 403),
    "clue_add": (200, 200, 403, 403),
    "notice_versions": (200, 200, 200, 200),
    "notice_publish": (200, 200, 403, 403),
    "notice_docx": (200, 200, 403, 403),
    "measure": (200, 200, 200, 200),
    "measure_edit": (200, 200, 403, 403),
    "measure_report": (405, 405, 405, 405),
    "audit": (200, 200, 200, 200),
    "unit": (200, 200, 404, 200),
    "org": (200, 200, 403, 403),
    "org_import": (200, 403, 403, 403),
    "org_unit": (200, 200, 404, 404),
    "reviews": (200, 200, 403, 403),
    "overview": (200, 200, 403, 403),
    "overview_charts": (200, 200, 403, 403),
    "overview_export": (200, 200, 403, 403),
    "weekly": (200, 200, 200, 200),
    "warnings": (200, 200, 200, 200),
    "notifications": (200, 200, 200, 200),
    "supervision_notices": (200, 200, 200, 200),
    "issue_notice": (200, 403, 403, 403),
    "indicators": (200, 200, 200, 200),
    "indicators_import": (403, 200, 200, 403),
    "indicators_export": (200, 200, 200, 200),
    "notice_import": (200, 200, 403, 403),
    "district": (200, 404, 404, 404),
}
# Menu entries (link → page) that a role sees only when it may open the page.
MENU = {"/reviews/": "reviews", "/org/": "org", "/notices/import/": "notice_import"}


@pytest.mark.parametrize("user", USERS)
def test_each_role_gets_the_status_the_role_table_promises_on_every_page(demo: Inspection, user: str) -> None:
    client = login(user)
    column = USERS.index(user)
    got = {name: client.get(url).status_code for name, url in _urls(demo).items()}
    assert got == {name: statuses[column] for name, statuses in EXPECTED.items()}


@pytest.mark.parametrize("user", ["jingban", "chakan"])
def test_a_refused_page_is_our_chinese_403_page_with_the_reason(demo: Inspection, user: str) -> None:
    response = login(user).get("/reviews/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权操作" in html
    assert "待我审核供单位领导和巡察办使用。" in html


@pytest.mark.parametrize("user", USERS)
def test_the_menu_offers_only_pages_the_role_may_open(demo: Inspection, user: str) -> None:
    client = login(user)
    column = USERS.index(user)
    menu = client.get("/").content.decode().split("</nav>")[0]
    for link, page in MENU.items():
        assert (f'href="{link}"' in menu) == (EXPECTED[page][column] == 200), link
