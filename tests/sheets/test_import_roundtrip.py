"""Importing exported ledgers: nothing changes on a plain round trip, and edits arrive through the services."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import FindingFactory, InspectionFactory, MeasureFactory
from tests.sheets.conftest import Importer, Ledger, edit, export, measure_state, row_of, summary, table_counts
from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus
from zhenggai.ledger.models import AuditEvent, Finding, Measure, ProgressReport
from zhenggai.sheets.importing import import_ledger


def test_importing_an_exported_ledger_changes_nothing(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    counts, state, events = table_counts(), measure_state(), AuditEvent.objects.count()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert AuditEvent.objects.count() == events
    assert "未变化" in out
    assert summary(out)["错误"] == 0
    assert table_counts() == counts  # zero audit events among them
    assert measure_state() == state


def test_editing_three_cells_changes_exactly_those_fields_with_audit_events(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(
        path,
        {
            (row_of(path, ledger.life.code), "整改措施"): "严格落实“三会一课”制度,每月检查组织生活记录",
            (row_of(path, ledger.archive.code), "责任人"): "钱某某",
            (row_of(path, ledger.archive_2.code), "类型"): "立行立改",
        },
    )
    before = measure_state()
    events = AuditEvent.objects.count()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    after = measure_state()
    changed = {
        (code, name)
        for code in before
        for name in before[code]
        if before[code][name] != after[code][name] and name not in ("updated_at", "version")
    }
    assert changed == {
        (ledger.life.code, "text"),
        (ledger.archive.code, "responsible_person"),
        (ledger.archive_2.code, "kind"),
    }
    assert after[ledger.archive_2.code]["kind"] == MeasureKind.IMMEDIATE
    new_events = list(AuditEvent.objects.order_by("id")[events:])
    assert [(e.action, e.object_id) for e in new_events] == [
        ("edit_measure", str(ledger.life.pk)),
        ("edit_measure", str(ledger.archive.pk)),
        ("edit_measure", str(ledger.archive_2.pk)),
    ]
    archive_event = new_events[1]
    assert archive_event.actor == ledger.world.leader_a
    assert (archive_event.before["responsible_person"], archive_event.after["responsible_person"]) == (
        "王某某",
        "钱某某",
    )
    assert len({e.request_id for e in new_events}) == 1  # one import, one request id
    assert summary(out)["更新措施"] == 3


def test_dry_run_lists_the_changes_and_writes_nothing(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.life.code), "责任领导"): "孙某某"})
    counts, state = table_counts(), measure_state()

    out, error = run_import(path, ledger.inspection, "leader_a", "--dry-run")

    assert error is None, out
    assert f"整改措施{ledger.life.code} 责任领导" in out
    assert "试运行，未写入" in out
    assert table_counts() == counts
    assert measure_state() == state


def test_departments_cell_sets_lead_and_cooperating_departments(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.archive_2.code), "责任处室"): "文旅局财务股\n配合:文旅局办公室"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    ledger.archive_2.refresh_from_db()
    assert ledger.archive_2.lead_department == ledger.finance
    assert list(ledger.archive_2.cooperating_departments.all()) == [ledger.world.dept_a]


def test_new_progress_text_becomes_a_report_by_the_responsible_staff(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.life_2.code), "进展情况"): "已完成第一季度检查"})

    out, error = run_import(path, ledger.inspection, "staff_a")

    assert error is None, out
    report = ProgressReport.objects.get(measure=ledger.life_2)
    assert (report.text, report.reported_by) == ("已完成第一季度检查", ledger.world.staff_a)
    ledger.life_2.refresh_from_db()
    assert ledger.life_2.status == MeasureStatus.IN_PROGRESS  # the first report starts the measure
    assert AuditEvent.objects.filter(action="report_progress", object_id=str(ledger.life_2.pk)).count() == 1
    assert f"整改措施{ledger.archive.code}不在您的权限范围内，本行未导入" in out  # led by the finance section
    assert summary(out)["跳过（无权限）"] == 1


def test_status_column_never_changes_a_status(ledger: Ledger, tmp_path: Path, run_import: Importer) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.life.code), "完成情况"): "已完成"})
    counts = table_counts()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert "写为“已完成”，系统中为“整改中”" in out
    assert table_counts() == counts
    ledger.life.refresh_from_db()
    assert ledger.life.status == MeasureStatus.IN_PROGRESS


def test_rows_without_code_become_new_measures_under_findings_found_or_made_by_title(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(
        path,
        {
            # Under an existing detail, then under a new problem of the existing 方面.
            (10, "方面"): "党的建设方面",
            (10, "问题"): "关于选人用人不规范的问题",
            (10, "具体问题"): "针对干部档案管理的问题",
            (10, "整改措施"): "开展干部档案专项审核",
            (10, "整改时限"): "2030年9月30日",
            (11, "方面"): "党的建设方面",
            (11, "问题"): "关于党费收缴不规范的问题",
            (11, "整改措施"): "全面核查党费收缴情况",
            (11, "责任处室"): "文旅局财务股",
            (11, "整改时限"): "长期坚持",
        },
    )
    audit = AuditEvent.objects.count()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    added = Measure.objects.get(text="开展干部档案专项审核")
    assert (added.finding, added.deadline, added.status) == (
        ledger.archive.finding,
        dt.date(2030, 9, 30),
        MeasureStatus.DRAFT,
    )
    dues = Measure.objects.get(text="全面核查党费收缴情况")
    assert dues.finding.title == "关于党费收缴不规范的问题"
    assert dues.finding.parent == ledger.aspect
    assert (dues.kind, dues.deadline, dues.lead_department) == (MeasureKind.LONG_TERM, None, ledger.finance)
    assert Finding.objects.filter(inspection=ledger.inspection, level=FindingLevel.PROBLEM).count() == 4
    actions = list(AuditEvent.objects.order_by("id")[audit:].values_list("action", flat=True))
    assert actions == ["add_finding", "add_measure", "add_measure"]
    assert summary(out)["新增措施"] == 2


def test_inspection_without_measures_round_trips_as_its_findings(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    empty = InspectionFactory(inspected_unit=ledger.world.unit_a)
    FindingFactory(inspection=empty, title="关于制度建设滞后的问题")
    path = tmp_path / "空台账.xlsx"
    call_command("ledger", "export", str(empty.pk), "-o", str(path), stdout=io.StringIO())
    counts = table_counts()

    out, error = run_import(path, empty, "leader_a")

    assert error is None, out
    assert summary(out)["读取行数"] == 1
    assert table_counts() == counts


def test_unchanged_import_reads_the_same_number_of_queries_for_any_size(
    ledger: Ledger, tmp_path: Path
) -> None:
    def leader() -> User:  # fresh each time: a user object caches its scope
        return User.objects.get(pk=ledger.world.leader_a.pk)

    def queries(name: str) -> int:
        path = export(ledger, tmp_path, name)
        with CaptureQueriesContext(connection) as captured:
            result = import_ledger(path, inspection_id=ledger.inspection.pk, by=leader())
        assert result.ok, result.errors
        assert result.unchanged == result.rows_read
        return len(captured.captured_queries)

    small = queries("小.xlsx")
    for n in range(20):
        MeasureFactory(finding=ledger.archive.finding, text=f"补充措施{n}", lead_department=ledger.finance)
    assert queries("大.xlsx") == small


def test_text_with_control_characters_still_exports_and_round_trips(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    ledger.life_2.text = "每季度开展一次\x0b组织生活情况检查"  # pasted from a Word table
    ledger.life_2.save()
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.life_2.code), "责任人"): "钱某某"})

    out, error = run_import(path, ledger.inspection, "leader_a", "--dry-run")

    assert error is None, out
    assert f"整改措施{ledger.life_2.code} 整改措施、责任人" in out  # the cleaned text counts as an edit
