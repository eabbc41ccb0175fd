"""每周一汇总: figures per unit and per supervisor, as notifications, a page and a .docx that Word opens."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document

from tests.conftest import World
from tests.factories import MeasureFactory, UnitFactory, report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import NotificationKind, RunKind, RunOutcome
from zhenggai.supervision.models import Notification, SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]
Weekly = Callable[..., SupervisionRun | None]
MONDAY = D(2025, 4, 14)  # the summary covers 4月7日 to 4月13日


@pytest.fixture
def week(world: World, clock: Clock, sweep: Sweep) -> dict[str, Measure]:
    """A week of work in unit A: one report, one sign-off, one measure turning red; one falls due next week."""
    clock(D(2025, 4, 1))
    fields: dict[str, Any] = {
        "finding": world.detail_a,
        "lead_department": world.dept_a,
        "start_date": D(2025, 3, 1),
    }
    measures = {
        "reported": MeasureFactory(**fields, code="A1", text="规范公务接待审批", deadline=D(2025, 6, 30)),
        "signed": MeasureFactory(**fields, code="A2", text="清理违规报销票据", deadline=D(2025, 6, 30)),
        "late": MeasureFactory(**fields, code="A3", text="完善财务内控制度", deadline=D(2025, 4, 3)),
        "due": MeasureFactory(**fields, code="A4", text="开展财务专项培训", deadline=D(2025, 4, 18)),
    }
    for name, progress in (("reported", 50), ("signed", 100), ("late", 30), ("due", 90)):
        report_with_evidence(world.staff_a, measures[name], progress, "推进中")
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="推进中", progress=50)
    clock(D(2025, 4, 7))
    sweep()  # A3 turns red
    clock(D(2025, 4, 8))
    services.report_progress(
        by=world.staff_a, measure=measures["reported"], text="已完成制度起草", progress=70
    )
    clock(D(2025, 4, 9))
    signoff = services.request_signoff(by=world.staff_a, measure=measures["signed"])
    services.approve_signoff(by=world.leader_a, signoff=signoff)
    clock(MONDAY)
    return measures


def docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows


def test_weekly_docx_opens_and_holds_the_units_figures(
    world: World, week: dict[str, Measure], client: Client
) -> None:
    client.force_login(world.leader_a)
    response = client.get("/supervision/weekly.docx?date=2025-04-14")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text, rows = docx_text(response.content)
    assert "整改工作每周汇总（2025年4月7日至2025年4月13日）" in text
    # 单位, 整改措施, 已完成, 完成率, 本周新报送进展, 本周销号, 本周预警, 已逾期, 下周到期
    assert ["区文旅局", "5", "1", "20%", "1", "1", "1", "1", "1"] in rows
    assert any(row[0] == "A3" and "完善财务内控制度" in row[1] and row[3] == "2025年4月3日" for row in rows)
    assert any(row[0] == "A4" and row[3] == "2025年4月18日" for row in rows)
    assert "区档案馆" not in text + str(rows)  # leader A sees unit A only


def test_supervisor_summary_covers_every_unit_under_them(
    world: World, week: dict[str, Measure], client: Client
) -> None:
    client.force_login(world.supervisor)
    _, rows = docx_text(client.get("/supervision/weekly.docx?date=2025-04-14").content)
    names = [row[0] for row in rows]
    assert "区文旅局" in names
    assert "区档案馆" in names
    assert "合计" in names
    # Unit B's only measure is long overdue: one more overdue, and it turned red in the same sweep.
    assert ["区档案馆", "1", "0", "0%", "0", "0", "1", "1", "0"] in rows
    assert ["合计", "6", "1", "16.7%", "1", "1", "2", "2", "1"] in rows


def test_weekly_run_notifies_leaders_and_supervisors_once_a_day(
    world: World, week: dict[str, Measure], weekly: Weekly
) -> None:
    run = weekly()
    assert run is not None
    assert (run.kind, run.outcome, run.period) == (RunKind.WEEKLY, RunOutcome.OK, MONDAY)
    digests = Notification.objects.filter(kind=NotificationKind.DIGEST)
    assert set(digests.values_list("user__username", flat=True)) == {
        "leader_a",
        "deputy_a",
        "leader_b",
        "supervisor",
    }
    assert run.counts["recipients"] == 4
    supervisor = digests.get(user=world.supervisor)
    assert supervisor.title == "整改工作每周汇总（2025年4月7日至2025年4月13日）"
    assert "区文旅局" in supervisor.body
    assert "区档案馆" in supervisor.body
    assert "<table" in supervisor.html
    assert "A3" in supervisor.html
    leader = digests.get(user=world.leader_a)
    assert "本周新报送进展1次,销号1条" in leader.body
    assert "区档案馆" not in leader.body

    assert weekly() is None  # already sent today
    assert digests.count() == 4
    again = weekly(force=True)
    assert again is not None
    assert digests.count() == 8
    assert SupervisionRun.objects.filter(kind=RunKind.WEEKLY, outcome=RunOutcome.OK).count() == 2


def test_weekly_page_shows_the_users_units(world: World, week: dict[str, Measure], client: Client) -> None:
    client.force_login(world.leader_b)
    page = client.get("/supervision/weekly/?date=2025-04-14").content.decode()
    assert "区档案馆" in page
    assert "区文旅局" not in page
    client.force_login(world.leader_a)
    page = client.get("/supervision/weekly/").content.decode()
    assert "区文旅局" in page
    assert "完善财务内控制度" in page
    bad = client.get("/supervision/weekly/?date=4月14日")
    assert bad.status_code == 400
    assert "日期格式" in bad.content.decode()


def test_weekly_page_query_count_does_not_grow_with_units(
    world: World, week: dict[str, Measure], client: Client
) -> None:
    client.force_login(world.supervisor)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/supervision/weekly/").status_code == 200
        counts.append(len(queries))
        for n in range(5):  # five more inspected units under the district, each with overdue work
            unit = UnitFactory(name=f"新增单位{n}", parent=world.district)
            MeasureFactory.create_batch(3, finding__inspection__inspected_unit=unit, deadline=D(2025, 4, 1))
    assert counts[0] == counts[1]


def test_weekly_docx_columns_fit_their_content_so_unit_names_stay_on_one_line(
    world: World, week: dict[str, Measure], client: Client, tmp_path: Any
) -> None:
    from docx.shared import Pt

    from tests.pdf import PDFTOTEXT, SOFFICE, page_texts, to_pdf
    from zhenggai.supervision.digest_docx import CELL_PADDING_PT, TABLE_SIZE, text_width

    long_name = "临江区文化和旅游局综合行政执法大队"
    world.unit_a.name = long_name
    world.unit_a.save()
    client.force_login(world.supervisor)
    content = client.get("/supervision/weekly.docx?date=2025-04-14").content
    overview = Document(io.BytesIO(content)).tables[0]

    widths = [column.width for column in overview.columns]
    assert widths[0] >= Pt(text_width(long_name) * TABLE_SIZE + 2 * CELL_PADDING_PT)
    assert widths[0] > 2 * max(widths[1:])  # not equal columns: the names get the room
    assert sum(widths) <= Pt((210 - 52) / 25.4 * 72 + 1)  # within the text width
    items = Document(io.BytesIO(content)).tables[1]
    assert items.columns[1].width == max(c.width for c in items.columns)  # 整改措施 takes the rest

    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("LibreOffice and poppler-utils are needed to check the printed table")
    source = tmp_path / "weekly.docx"
    source.write_bytes(content)
    printed = "\n".join(page_texts(to_pdf(source, tmp_path)))
    assert long_name in printed.replace(" ", "")  # on one line, not wrapped
