"""A ledger file exported before someone else changed a measure cannot overwrite that change on import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tests.sheets.conftest import Importer, Ledger, edit, export, measure_state, row_of, summary, table_counts
from zhenggai.ledger import services
from zhenggai.ledger.models import ProgressReport
from zhenggai.sheets.apply import apply_plan
from zhenggai.sheets.plan import plan_import
from zhenggai.sheets.read import read_ledger

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPORTED = dt.datetime(2026, 11, 30, 14, 5, 31, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    """The ledger is built at 14:00, exported at 14:05:31; tests move on from there."""
    with time_machine.travel(dt.datetime(2026, 11, 30, 14, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


def _export(ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates) -> Path:
    clock.move_to(EXPORTED)
    path = export(ledger, tmp_path, at=EXPORTED)
    clock.move_to(EXPORTED + dt.timedelta(minutes=1))
    return path


def test_export_states_its_time_to_the_second_and_the_reader_takes_it(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates
) -> None:
    path = _export(ledger, tmp_path, clock)

    subtitle = load_workbook(path).active.cell(row=2, column=1).value
    assert "导出时间：2026-11-30 14:05:31" in subtitle
    assert read_ledger(path).exported_at == dt.datetime(2026, 11, 30, 14, 5, 31)


@pytest.mark.parametrize("dry_run", [True, False])
def test_row_of_a_measure_changed_after_the_export_is_a_conflict_and_nothing_is_written(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer, dry_run: bool
) -> None:
    path = _export(ledger, tmp_path, clock)
    clock.move_to(dt.datetime(2026, 11, 30, 14, 6, 10, tzinfo=SHANGHAI))
    services.edit_measure(by=ledger.world.deputy_a, measure=ledger.archive, text="由副局长改写的措施")
    row = row_of(path, ledger.archive.code)
    edit(path, {(row, "责任人"): "钱某某"})
    counts, state = table_counts(), measure_state()

    out, error = run_import(path, ledger.inspection, "leader_a", *(["--dry-run"] if dry_run else []))

    assert error is not None
    assert (
        f"工作表“台账”第{row}行：该措施在导出后已被他人修改（2026年11月30日 14:06，deputy_a），请重新导出后再修改"
        in out
    )
    assert (table_counts(), measure_state()) == (counts, state)
    ledger.archive.refresh_from_db()
    assert (ledger.archive.text, ledger.archive.responsible_person) == ("由副局长改写的措施", "王某某")


def test_rows_that_change_nothing_are_not_conflicts(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer
) -> None:
    path = _export(ledger, tmp_path, clock)
    # Changed after the export, but only in what the sheet does not show.
    services.edit_measure(by=ledger.world.deputy_a, measure=ledger.archive, start_date=dt.date(2026, 1, 1))
    edit(path, {(row_of(path, ledger.life_2.code), "责任人"): "钱某某"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert summary(out)["更新措施"] == 1
    ledger.life_2.refresh_from_db()
    assert ledger.life_2.responsible_person == "钱某某"


def test_changes_before_the_export_are_not_conflicts(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer
) -> None:
    clock.move_to(EXPORTED - dt.timedelta(seconds=1))
    services.edit_measure(by=ledger.world.deputy_a, measure=ledger.archive, text="导出前改写的措施")
    path = _export(ledger, tmp_path, clock)
    edit(path, {(row_of(path, ledger.archive.code), "责任人"): "钱某某"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    ledger.archive.refresh_from_db()
    assert (ledger.archive.text, ledger.archive.responsible_person) == ("导出前改写的措施", "钱某某")


def test_newer_progress_reported_after_the_export_is_not_overwritten_by_the_old_one(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer
) -> None:
    path = _export(ledger, tmp_path, clock)
    services.report_progress(
        by=ledger.world.staff_a, measure=ledger.life, text="各支部已全部检查", progress=80
    )
    reports = ProgressReport.objects.count()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert (
        f"第{row_of(path, ledger.life.code)}行：该措施在导出后已被他人修改（2026年11月30日 14:06，staff_a）"
        in out
    )
    assert ProgressReport.objects.count() == reports
    assert ProgressReport.objects.filter(measure=ledger.life).latest("id").text == "各支部已全部检查"


def _external(path: Path) -> Path:
    """The same sheet without our subtitle: a unit's own ledger, with no export time."""
    workbook = load_workbook(path)
    workbook.active.cell(row=2, column=1).value = "某单位整改台账"
    workbook.save(path)
    return path


def test_file_without_an_export_time_is_not_checked_but_an_old_progress_text_is_not_sent_again(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer
) -> None:
    path = _external(_export(ledger, tmp_path, clock))
    assert read_ledger(path).exported_at is None
    services.report_progress(
        by=ledger.world.staff_a, measure=ledger.life, text="各支部已全部检查", progress=80
    )
    edit(path, {(row_of(path, ledger.archive.code), "责任人"): "钱某某"})
    reports = ProgressReport.objects.count()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert "此前报送过的进展相同" in out
    assert ProgressReport.objects.count() == reports
    assert ProgressReport.objects.filter(measure=ledger.life).latest("id").text == "各支部已全部检查"
    ledger.archive.refresh_from_db()
    assert ledger.archive.responsible_person == "钱某某"


def test_deadline_moved_by_an_extension_after_the_export_is_a_conflict_not_a_deadline_edit(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates, run_import: Importer
) -> None:
    path = _export(ledger, tmp_path, clock)
    extension = services.request_extension(
        by=ledger.world.staff_a,
        measure=ledger.archive_2,
        new_deadline=dt.date(2031, 3, 31),
        reason="需上级审批",
    )
    services.approve_extension(by=ledger.world.leader_a, extension=extension)
    row = row_of(path, ledger.archive_2.code)

    out, error = run_import(path, ledger.inspection, "leader_a", "--dry-run")

    assert error is not None
    assert f"第{row}行：该措施在导出后已被他人修改（2026年11月30日 14:06，leader_a）" in out
    assert "不能在台账中直接修改" not in out


def test_change_racing_the_import_between_its_check_and_its_writes_is_refused(
    ledger: Ledger, tmp_path: Path, clock: time_machine.Coordinates
) -> None:
    path = _export(ledger, tmp_path, clock)
    row = row_of(path, ledger.archive.code)
    edit(path, {(row, "责任人"): "钱某某"})
    plan = plan_import(read_ledger(path), ledger.inspection, ledger.world.leader_a)
    assert not plan.errors
    services.edit_measure(by=ledger.world.deputy_a, measure=ledger.archive, text="刚刚改写的措施")
    counts = table_counts()

    outcome = apply_plan(plan, ledger.inspection, ledger.world.leader_a)

    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith(
        f"工作表“台账”第{row}行：该措施已被他人修改（2026年11月30日 14:06，deputy_a）"
    )
    assert table_counts() == counts
    ledger.archive.refresh_from_db()
    assert (ledger.archive.text, ledger.archive.responsible_person) == ("刚刚改写的措施", "王某某")
