"""Bad input: each problem is named by sheet, row and column in Chinese, and nothing at all is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.sheets.conftest import Importer, Ledger, edit, export, measure_state, row_of, table_counts


@pytest.fixture
def untouched(ledger: Ledger) -> Iterator[None]:
    """Asserts, after the test body, that no ledger table and no measure field changed."""
    counts, state = table_counts(), measure_state()
    yield
    assert table_counts() == counts
    assert measure_state() == state


@pytest.mark.usefixtures("untouched")
def test_impossible_date_is_named_by_sheet_row_and_column(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.life.code)
    edit(path, {(row, "整改时限"): "2024年13月1日"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert error.returncode == 1
    assert f"工作表“台账”第{row}行“整改时限”列：日期“2024年13月1日”无效" in out
    assert "没有写入任何数据" in str(error)


@pytest.mark.usefixtures("untouched")
def test_one_bad_row_keeps_the_good_rows_from_being_written(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(
        path,
        {
            (row_of(path, ledger.life.code), "责任人"): "钱某某",  # fine on its own
            (row_of(path, ledger.archive.code), "类型"): "尽快整改",
        },
    )

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert "“类型”列：类型“尽快整改”无法识别，应为立行立改、限期整改或长期坚持" in out


@pytest.mark.usefixtures("untouched")
def test_refusal_by_a_service_rolls_back_the_rows_already_applied(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.archive.code)
    edit(
        path,
        {
            (row_of(path, ledger.life.code), "责任人"): "钱某某",  # applied first, then undone
            (row, "责任人"): "某" * 101,  # edit_measure refuses names over 100 characters
        },
    )

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert f"第{row}行“责任人”列：责任人不能超过100个字（现有101个字）" in out


@pytest.mark.usefixtures("untouched")
def test_unknown_code_is_refused(ledger: Ledger, tmp_path: Path, run_import: Importer) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.rotation.code)
    edit(path, {(row, "编号"): "X-999"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert f"第{row}行“编号”列：编号“X-999”在本次巡察中不存在" in out


@pytest.mark.usefixtures("untouched")
def test_changed_deadline_asks_for_an_extension(ledger: Ledger, tmp_path: Path, run_import: Importer) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.archive.code)
    edit(path, {(row, "整改时限"): "2031-01-31"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert (
        f"第{row}行“整改时限”列：整改时限不能在台账中直接修改（系统中为2030年6月30日），如需调整请提交延期申请"
        in out
    )


@pytest.mark.usefixtures("untouched")
def test_sheet_without_required_columns_is_refused(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改清单"
    sheet.append(["序号", "整改措施", "责任部门", "完成时限"])
    sheet.append([1, "建立制度", "文旅局办公室", "2030-06-30"])
    workbook.save(tmp_path / "清单.xlsx")

    out, error = run_import(tmp_path / "清单.xlsx", ledger.inspection, "leader_a")

    assert error is not None
    assert "工作表“整改清单”第1行：缺少必需的列“问题”（也可写作反馈问题、巡察反馈问题" in out


@pytest.mark.usefixtures("untouched")
def test_sheet_without_any_ledger_header_exits_with_code_2(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.save(tmp_path / "通讯录.xlsx")

    _, error = run_import(tmp_path / "通讯录.xlsx", ledger.inspection, "leader_a")

    assert error is not None
    assert error.returncode == 2
    assert "找不到台账表头" in str(error)
    assert "“整改措施”" in str(error)


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("台账.csv", "序号,问题,整改措施\n".encode(), "不是 .xlsx 文件"),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "不是 .xlsx 文件"),
        ("台账.xlsx", "这其实是一段文字".encode(), "不是 .xlsx 文件"),
        ("台账.xlsx", b"PK\x03\x04" + b"\0" * 100, "已损坏"),
    ],
)
def test_file_that_is_not_a_readable_xlsx_exits_with_code_2(
    ledger: Ledger, tmp_path: Path, run_import: Importer, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    _, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert error.returncode == 2
    assert message in str(error)


@pytest.mark.usefixtures("untouched")
def test_user_of_another_unit_cannot_import_into_this_inspection(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(row_of(path, ledger.life.code), "责任人"): "钱某某"})

    _, error = run_import(path, ledger.inspection, "leader_b")

    assert error is not None
    assert error.returncode == 2
    assert f"巡察（编号 {ledger.inspection.pk}）不存在，或您无权查看" in str(error)


@pytest.mark.usefixtures("untouched")
def test_staff_may_report_progress_but_not_edit_measures(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.life.code)
    edit(path, {(row, "责任人"): "钱某某"})

    out, error = run_import(path, ledger.inspection, "staff_a")

    assert error is not None
    assert f"第{row}行：您没有修改整改措施的权限" in out


@pytest.mark.usefixtures("untouched")
def test_unknown_user_is_refused(ledger: Ledger, tmp_path: Path, run_import: Importer) -> None:
    _, error = run_import(export(ledger, tmp_path), ledger.inspection, "nobody")

    assert error is not None
    assert error.returncode == 2
    assert "用户“nobody”不存在或已停用" in str(error)


def test_edits_to_a_signed_off_measure_are_refused(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    ledger.archive.status = "done"
    ledger.archive.save()
    path = export(ledger, tmp_path)
    row = row_of(path, ledger.archive.code)
    edit(path, {(row, "整改措施"): "改写已销号的措施"})
    counts = table_counts()

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert f"第{row}行：整改措施{ledger.archive.code}已销号，如需修改请先重新打开" in out
    assert table_counts() == counts
    ledger.archive.refresh_from_db()
    assert ledger.archive.text == "全面清理干部人事档案,补齐缺失材料"


@pytest.mark.usefixtures("untouched")
def test_new_measure_under_a_subdivided_problem_must_name_its_detail(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    edit(path, {(10, "问题"): "关于选人用人不规范的问题", (10, "整改措施"): "完善选人用人制度"})

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert "第10行“问题”列：问题“关于选人用人不规范的问题”已细分具体问题" in out


@pytest.mark.usefixtures("untouched")
def test_new_row_repeating_an_existing_measure_is_refused(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)
    sheet = load_workbook(path).active
    copied = [cell.value for cell in sheet[row_of(path, ledger.rotation.code)]]
    edit(
        path,
        {
            (10, "问题"): "关于选人用人不规范的问题",
            (10, "具体问题"): "针对轮岗交流的问题",
            (10, "整改措施"): copied[4],
        },
    )

    out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is not None
    assert f"与整改措施{ledger.rotation.code}内容相同；如是同一条措施，请填写其编号" in out


@pytest.mark.usefixtures("untouched")
def test_ledger_exported_from_another_inspection_is_refused(
    ledger: Ledger, tmp_path: Path, run_import: Importer
) -> None:
    path = export(ledger, tmp_path)  # inspection A; its codes could match B's measures

    out, error = run_import(path, ledger.world.inspection_b, "supervisor")

    assert error is not None
    assert (
        f"工作表“台账”第2行：此表导出自巡察（编号 {ledger.inspection.pk}），"
        f"不能导入巡察（编号 {ledger.world.inspection_b.pk}）" in out
    )
