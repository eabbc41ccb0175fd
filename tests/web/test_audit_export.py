"""The /audit/ page's export: the current search's events as .xlsx or .csv, for the same people and within the
same scope as the page, capped, formula-looking text kept as text, and each download itself on the chain."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import UnitFactory, UserFactory
from zhenggai.ledger.audit_export import HEADERS
from zhenggai.ledger.duties import SECURITY_AUDITOR
from zhenggai.ledger.models import AuditEvent, Unit
from zhenggai.ledger.services.audit import append
from zhenggai.web.views import audit as audit_views

pytestmark = pytest.mark.usefixtures("system_roles")

FORMULA = '=HYPERLINK("http://evil.example/","点击查看")'
SEQ, REPR, NOTE = HEADERS.index("序号"), HEADERS.index("对象"), HEADERS.index("说明")


def _event(unit: Unit | None, repr_: str, note: str = "", action: str = "edit_measure") -> AuditEvent:
    with transaction.atomic():
        return append(
            actor=None,
            action=action,
            object_type="measure",
            object_id="1",
            object_repr=repr_,
            unit=unit,
            note=note,
        )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _auditor() -> Client:
    user = UserFactory(username="shenji", is_staff=True)
    user.groups.add(Group.objects.get(name=SECURITY_AUDITOR))
    return _client(user)


def _rows(response: HttpResponse | Any) -> list[list[Any]]:
    assert response.status_code == 200, response.status_code
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=False)
    sheet = book["全程纪实"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == HEADERS
    return rows[1:]


@pytest.fixture
def three_units(world: World) -> dict[str, AuditEvent]:
    """An event in unit A, one in a unit outside the supervisor's district, one with no unit (a login)."""
    return {
        "own": _event(world.unit_a, "甲单位措施"),
        "foreign": _event(UnitFactory(name="外区某局"), "外区措施"),
        "none": _event(None, "someone", action="login"),
    }


def test_a_supervisors_export_holds_only_their_units_events(
    world: World, three_units: dict[str, AuditEvent]
) -> None:
    rows = _rows(_client(world.supervisor).get("/audit/export.xlsx"))
    seqs = {row[SEQ] for row in rows}
    assert three_units["own"].seq in seqs
    assert three_units["foreign"].seq not in seqs
    assert three_units["none"].seq not in seqs
    visible = set(AuditEvent.objects.visible_to(world.supervisor).values_list("seq", flat=True))
    assert seqs <= visible


def test_the_security_auditors_export_holds_every_event_oldest_first(
    world: World, three_units: dict[str, AuditEvent]
) -> None:
    client = _auditor()
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    rows = _rows(client.get("/audit/export.xlsx"))
    assert [row[SEQ] for row in rows] == before  # not its own download event, recorded when it began


def test_the_export_follows_the_pages_conditions(world: World, three_units: dict[str, AuditEvent]) -> None:
    rows = _rows(_auditor().get("/audit/export.xlsx", {"action": "login"}))
    assert [row[SEQ] for row in rows] == [three_units["none"].seq]


def test_formula_looking_text_comes_back_as_text_in_xlsx_and_csv(world: World) -> None:
    event = _event(world.unit_a, FORMULA, note="+86 138 0000 0000\t@某人")
    client = _client(world.supervisor)
    book_rows = _rows(client.get("/audit/export.xlsx"))
    row = next(r for r in book_rows if r[SEQ] == event.seq)
    assert row[REPR] == FORMULA
    assert row[NOTE] == "+86 138 0000 0000\t@某人"
    response = client.get("/audit/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for r in book["全程纪实"].iter_rows() for c in r if c.value == FORMULA]
    assert cells
    assert all(c.data_type == "s" for c in cells)

    streamed = client.get("/audit/export.csv")
    assert streamed.status_code == 200
    assert streamed["Content-Type"].startswith("text/csv")
    text = b"".join(streamed.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == HEADERS
    line = next(r for r in lines[1:] if r[SEQ] == str(event.seq))
    assert line[REPR] == "'" + FORMULA
    assert line[NOTE] == "'+86 138 0000 0000\t@某人"


def test_each_download_is_recorded_with_the_file_and_the_conditions(world: World) -> None:
    _event(world.unit_a, "甲单位措施")
    client = _client(world.supervisor)
    for fmt in ("xlsx", "csv"):
        before = AuditEvent.objects.filter(action="export_audit").count()
        response = client.get(f"/audit/export.{fmt}", {"action": "edit_measure"})
        assert response.status_code == 200
        assert f".{fmt}" in response["Content-Disposition"]
        assert AuditEvent.objects.filter(action="export_audit").count() == before + 1
        event = AuditEvent.objects.filter(action="export_audit").latest("seq")
        assert event.actor == world.supervisor
        assert "文件：全程纪实_" in event.note
        assert f".{fmt}" in event.note
        assert "条件：操作为" in event.note
        assert "共 1 条" in event.note


def test_everyone_else_is_refused_and_nothing_is_recorded(world: World) -> None:
    superuser = User.objects.create_superuser("root", password="x")
    for user in (world.leader_a, world.staff_a, world.viewer_a, world.outsider, superuser):
        for fmt in ("xlsx", "csv"):
            assert _client(user).get(f"/audit/export.{fmt}").status_code == 403, user.username
    assert not AuditEvent.objects.filter(action="export_audit").exists()
    assert Client().get("/audit/export.xlsx").status_code in (302, 403)


def test_beyond_the_cap_the_page_asks_for_narrower_conditions(
    world: World, three_units: dict[str, AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_views, "EXPORT_CAP", 1)
    client = _auditor()
    response = client.get("/audit/export.xlsx", {"user": ""}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/audit/?")
    assert "无法一次导出" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export_audit").exists()
    narrow = client.get("/audit/export.csv", {"action": "login"})
    assert narrow.status_code == 200


def test_the_page_offers_the_export_with_the_current_conditions(world: World) -> None:
    page = _client(world.supervisor).get("/audit/", {"action": "login", "page": "1"}).content.decode()
    assert 'href="/audit/export.xlsx?action=login"' in page
    assert 'href="/audit/export.csv?action=login"' in page


def test_invalid_conditions_export_nothing_and_show_the_error(world: World) -> None:
    client = _client(world.supervisor)
    response = client.get("/audit/export.xlsx", {"start": "不是日期"}, follow=True)
    page = response.content.decode()
    assert "查询条件有误" in page
    assert "invalid-feedback" in page
    assert not AuditEvent.objects.filter(action="export_audit").exists()
