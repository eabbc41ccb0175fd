"""The 项目执行情况表 in the browser's pages: preview with the mapping, confirm; the table back out with its
colours; 预警单 per project or per department, counted by warnings_sent and told to the owners."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.supervision.execution_tables import execution_table
from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.models import AuditEvent
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import Indicator, IndicatorNotice, Notification
from zhenggai.supervision.services import warnings_sent

Clock = Callable[[dt.date], None]
SIXTY_PERCENT = dt.date(2025, 8, 7)


@pytest.fixture
def finance(world: World, clock: Clock) -> World:
    clock(SIXTY_PERCENT)
    section = UnitFactory(name="文旅局财务股", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    MembershipFactory(user=UserFactory(username="cashier"), unit=section, role=Role.STAFF)
    return world


def _leader(world: World) -> Client:
    client = Client()
    client.force_login(world.leader_a)
    return client


def _imported(world: World, client: Client, tmp_path: Path) -> None:
    url = f"/supervision/indicators/import/?unit={world.unit_a.pk}&year=2025"
    path = execution_table(tmp_path / "执行情况表.xlsx", in_yuan=True)
    with path.open("rb") as handle:
        preview = client.post(url, {"file": handle, "on_date": "2025-08-07", "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200, html
    assert "全年预算（元）" in html
    assert "红色 2 个、黄色 3 个" in html
    assert not Indicator.objects.exists()
    staged = preview.context["staged"]
    done = client.post(url, {"staged": staged, "on_date": "2025-08-07", "confirm": "1"})
    assert done.status_code == 302
    assert Indicator.objects.count() == 12


def test_preview_then_confirm_imports_and_the_page_shows_two_red_and_three_yellow(
    finance: World, tmp_path: Path
) -> None:
    client = _leader(finance)
    _imported(finance, client, tmp_path)
    page = client.get(f"/supervision/indicators/?unit={finance.unit_a.pk}&year=2025").content.decode()
    assert page.count('data-colour="red"') == 2
    assert page.count('data-colour="yellow"') == 3


def test_a_mapping_changed_by_column_letters_is_used(finance: World, tmp_path: Path) -> None:
    client = _leader(finance)
    url = f"/supervision/indicators/import/?unit={finance.unit_a.pk}&year=2025"
    path = execution_table(tmp_path / "执行情况表.xlsx")
    with path.open("rb") as handle:
        preview = client.post(url, {"file": handle, "on_date": "2025-08-07"})
    assert preview.context["mapped"] == {"project": "B", "department": "C", "budget": "D", "executed": "E"}
    # 无: no department column (every project the unit's own); the budget read in 元 instead of 万元.
    changed = client.post(
        url,
        {
            "staged": preview.context["staged"],
            "on_date": "2025-08-07",
            "department": "无",
            "budget_unit": "元",
        },
    )
    result = changed.context["result"]
    assert result.mapping.columns.get("department") is None
    first = result.rows[0]
    assert (first.department, str(first.budget)) == ("", "0.02")  # 200 元
    # 30 元 is less than 0.01 万元: the unit was wrong, and the page says so; nothing is written.
    assert changed.status_code == 400
    assert (
        "第14行“全年预算（万元）”列：预算金额换算后不足0.01万元，请核对金额单位" in changed.content.decode()
    )
    assert not Indicator.objects.exists()


def test_a_bad_file_is_refused_with_a_clear_message_and_writes_nothing(
    finance: World, tmp_path: Path
) -> None:
    client = _leader(finance)
    url = f"/supervision/indicators/import/?unit={finance.unit_a.pk}&year=2025"
    bad = io.BytesIO(b"PK\x03\x04 not really a workbook")
    bad.name = "执行情况表.xlsx"
    response = client.post(url, {"file": bad, "on_date": "2025-08-07"})
    assert response.status_code == 400
    assert "无法作为 .xlsx 读取" in response.content.decode() or "损坏" in response.content.decode()
    assert not Indicator.objects.exists()


def test_department_staff_open_the_import_and_a_viewer_cannot(finance: World) -> None:
    url = f"/supervision/indicators/import/?unit={finance.unit_a.pk}"
    client = Client()
    client.force_login(finance.staff_a)
    assert client.get(url).status_code == 200
    client.force_login(finance.viewer_a)
    assert client.get(url).status_code == 403


def test_notices_per_project_are_counted_and_told_to_the_owners(
    finance: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = _leader(finance)
    _imported(finance, client, tmp_path)
    before = warnings_sent(finance.unit_a)
    with django_capture_on_commit_callbacks(execute=True):
        issued = client.post(
            f"/supervision/indicators/notices/issue/?unit={finance.unit_a.pk}&year=2025",
            {"per": "project", "reply_deadline": "2025-08-17"},
        )
    assert issued.status_code == 302
    assert IndicatorNotice.objects.count() == 5
    assert warnings_sent(finance.unit_a) == before + 5
    told = dict(
        Notification.objects.filter(kind=NotificationKind.WARNING)
        .values_list("user__username")
        .annotate(n=Count("pk"))
    )
    # 文物保护修缮专项, 公共图书馆数字化, 文化下乡演出补助 are the office's; 非遗, 乡村旅游厕所 the finance section's.
    assert told == {"staff_a": 3, "cashier": 2}
    assert AuditEvent.objects.filter(action="issue_indicator_notice").count() == 5
    page = client.get(f"/supervision/indicators/?unit={finance.unit_a.pk}&year=2025").content.decode()
    assert f'id="warnings-sent">{before + 5}<' in page

    notice = IndicatorNotice.objects.get(indicators__name="文物保护修缮专项")
    response = client.get(f"/supervision/indicators/notices/{notice.pk}.docx")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "预算项目执行率预警单" in text
    assert "序时进度为60.0%" in text
    assert "2025年8月17日前" in text
    cells = [c.text for c in document.tables[0].rows[1].cells]
    assert cells == ["文物保护修缮专项", "200.00", "18.00", "9.0%", "60.0%", "红色"]
    assert document.paragraphs[0].runs[0].font.name == "方正小标宋简体"


def test_notices_per_department_group_the_projects(finance: World, tmp_path: Path) -> None:
    client = _leader(finance)
    _imported(finance, client, tmp_path)
    client.post(
        f"/supervision/indicators/notices/issue/?unit={finance.unit_a.pk}&year=2025",
        {"per": "department", "reply_deadline": "2025-08-17"},
    )
    sizes = sorted(n.indicators.count() for n in IndicatorNotice.objects.all())
    assert sizes == [2, 3]


def test_the_exported_table_carries_colours_schedule_and_gap(finance: World, tmp_path: Path) -> None:
    client = _leader(finance)
    _imported(finance, client, tmp_path)
    response = client.get(f"/supervision/indicators.xlsx?unit={finance.unit_a.pk}&year=2025")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=4)}
    low = rows["文物保护修缮专项"]
    assert [c.value for c in low] == ["文物保护修缮专项", "文旅局办公室", 200, 18, 9, 60, -51, "红"]
    assert low[0].fill.fgColor.rgb.endswith("F8D7DA")
    assert "序时进度60.0%" in sheet["A2"].value
