"""`zhenggai import FILE --unit UNIT [--round ROUND] [--dry-run] --by USERNAME`: a summary table, exit code 2 with a
Chinese message for input it cannot use, 1 when the ledger refuses, and nothing written unless all of it is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.factories import UnitFactory
from tests.notices.test_import_ledger import ledger_rows
from tests.notices.test_import_statuses import ALL_COMPLETE
from tests.notices.test_parse_structure import LINJIANG
from zhenggai.ledger.models import AuditEvent, Inspection, Round
from zhenggai.notices import MAX_BYTES

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CONSOLE_SCRIPT = Path(sys.executable).with_name("zhenggai")


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    path = tmp_path / "临江水利局通报.txt"
    path.write_bytes(LINJIANG.encode("gbk"))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return caught.value


def row(output: str, label: str) -> list[str]:
    """The figures of one line of the summary table: stated, parsed, ledger."""
    line = next(line for line in output.splitlines() if line.strip().startswith(label + " "))
    return line.split()[1:]


def test_import_creates_the_inspection_and_prints_the_summary(world: World, notice: Path) -> None:
    out = run(str(notice), "--unit", "区文旅局", "--by", "leader_a")

    inspection = Inspection.objects.get(inspector="县委第三巡察组")
    assert inspection.inspected_unit == world.unit_a
    assert f"导入完成：巡察编号 {inspection.pk}" in out
    assert row(out, "问题") == ["3", "3", "3"]
    assert row(out, "具体问题") == ["4", "4", "4"]
    assert row(out, "整改措施") == ["8", "8", "8"]
    assert row(out, "已完成") == ["3", "3", "3"]
    assert "✓ 通报称8条整改措施，正文统计为8条整改措施，一致。" in out
    event = AuditEvent.objects.get(action="create_inspection", object_id=str(inspection.pk))
    assert event.note == "导入自 临江水利局通报.txt"
    assert event.request_id.startswith("notice-import-")


@pytest.mark.seeds
def test_seed_000_summary_matches_its_stated_figures(world: World, seed: Callable[[str], Path]) -> None:
    out = run(str(seed("000")), "--unit", str(world.unit_a.pk), "--by", "supervisor")

    assert row(out, "方面") == ["3", "3", "3"]
    assert row(out, "问题") == ["6", "6", "6"]
    assert row(out, "具体问题") == ["11", "11", "11"]
    assert row(out, "整改措施") == ["14", "14", "14"]
    assert row(out, "已完成") == ["—", "13", "13"]
    assert "区社科联" in out  # the notice names another unit than the one chosen: said, not refused


def test_dry_run_validates_and_writes_nothing(world: World, notice: Path) -> None:
    before = ledger_rows()

    out = run(str(notice), "--unit", "区文旅局", "--by", "leader_a", "--dry-run")

    assert "试运行：校验通过，没有写入任何数据。" in out
    assert row(out, "整改措施") == ["8", "8", "8"]
    assert ledger_rows() == before


def test_dry_run_refuses_what_the_import_would_refuse(world: World, notice: Path) -> None:
    error = fails(str(notice), "--unit", "区文旅局", "--by", "leader_b", "--dry-run")
    assert error.returncode == 1
    assert "没有" in str(error)
    assert "权限" in str(error)


def test_round_by_name_is_attached(world: World, notice: Path) -> None:
    round_ = Round.objects.create(name="十三届县委第五轮巡察")
    run(str(notice), "--unit", "区文旅局", "--round", "十三届县委第五轮巡察", "--by", "leader_a")
    assert Inspection.objects.get(inspector="县委第三巡察组").round == round_


def test_same_file_again_exits_1_naming_the_first_import(world: World, notice: Path) -> None:
    run(str(notice), "--unit", "区文旅局", "--by", "leader_a")
    first = Inspection.objects.get(inspector="县委第三巡察组")
    before = ledger_rows()

    error = fails(str(notice), "--unit", "区文旅局", "--by", "leader_a")

    assert error.returncode == 1
    assert f"巡察编号 {first.pk}" in str(error)
    assert ledger_rows() == before


def test_leader_of_another_unit_is_refused_with_exit_1(world: World, notice: Path) -> None:
    before = ledger_rows()
    error = fails(str(notice), "--unit", "区文旅局", "--by", "leader_b")
    assert error.returncode == 1
    assert "区文旅局" in str(error)
    assert ledger_rows() == before


def bad_files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "prose.txt").write_text("今天天气很好。\n我们去公园散步。", encoding="utf-8")
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    return {
        "missing": tmp_path / "missing.txt",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "binary.bin",
        "too large": tmp_path / "huge.txt",
        "directory": tmp_path,
        "no findings": tmp_path / "prose.txt",
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "too large", "directory", "no findings"])
def test_unusable_files_exit_2_with_a_chinese_message(world: World, tmp_path: Path, case: str) -> None:
    before = ledger_rows()
    error = fails(str(bad_files(tmp_path)[case]), "--unit", "区文旅局", "--by", "leader_a")
    assert error.returncode == 2
    assert CHINESE.search(str(error))
    assert ledger_rows() == before


def test_no_findings_says_so(world: World, tmp_path: Path) -> None:
    error = fails(str(bad_files(tmp_path)["no findings"]), "--unit", "区文旅局", "--by", "leader_a")
    assert "未识别出问题清单" in str(error)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--unit", "不存在的单位", "找不到名称为“不存在的单位”的单位"),
        ("--unit", "999999", "单位编号 999999 不存在"),
        ("--unit", "同名单位", "对应多个单位"),
        ("--round", "不存在的轮次", "找不到巡察轮次"),
        ("--by", "nobody", "用户“nobody”不存在或已停用"),
    ],
)
def test_unknown_or_ambiguous_names_exit_2(
    world: World, notice: Path, option: str, value: str, message: str
) -> None:
    UnitFactory(name="同名单位")
    UnitFactory(name="同名单位")
    args = {"--unit": "区文旅局", "--by": "leader_a"} | {option: value}
    error = fails(str(notice), *[part for pair in args.items() for part in pair])
    assert error.returncode == 2
    assert message in str(error)


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="the zhenggai console script is not installed")
@pytest.mark.parametrize("case", ["missing", "binary", "no findings"])
def test_console_script_exits_2_without_a_traceback(tmp_path: Path, case: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "import", str(bad_files(tmp_path)[case]), "--unit", "1", "--by", "x"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"ZHENGGAI_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 2
    assert CHINESE.search(result.stderr)
    assert "Traceback" not in result.stderr


def test_a_measure_to_check_is_named_with_its_warning(world: World, tmp_path: Path) -> None:
    path = tmp_path / "档案局通报.txt"
    path.write_text(ALL_COMPLETE, encoding="utf-8")
    out = run(str(path), "--unit", "区文旅局", "--by", "leader_a", "--dry-run")

    assert "请核对状态的措施：" in out
    assert "  第1条：该措施表述中有“正在走审批流程”，请核对状态。「推进新馆建设。" in out
    assert "  第3条：" not in out
