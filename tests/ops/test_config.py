"""One configuration file for every command; an unmigrated database and bad settings said in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.server import base_env, copy_data_dir, zhenggai

pytestmark = pytest.mark.usefixtures("sqlite_only")

NOT_MIGRATED = "数据库尚未初始化，请先运行 zhenggai migrate"


def test_every_command_reads_the_configuration_file(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    config = tmp_path / "zhenggai.env"
    config.write_text(
        f"# 巡察整改管理系统\n\nZHENGGAI_DATA_DIR={data_dir}\nexport ZHENGGAI_LOG_LEVEL='WARNING'\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = base_env(ZHENGGAI_ENV_FILE=str(config))
    result = zhenggai(["stats", "--inspection", "1", "--json"], env, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["measures"] == 30  # the demo, found through the file alone
    sweep = zhenggai(["supervise", "sweep"], env, cwd=elsewhere)
    assert sweep.returncode == 0, sweep.stderr
    assert list(elsewhere.iterdir()) == []


def test_the_environment_wins_over_the_configuration_file(demo_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "zhenggai.env"
    config.write_text(f"ZHENGGAI_DATA_DIR={tmp_path / 'empty'}\n", encoding="utf-8")
    env = base_env(ZHENGGAI_ENV_FILE=str(config), ZHENGGAI_DATA_DIR=str(demo_dir))
    result = zhenggai(["stats", "--inspection", "1", "--json"], env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ZHENGGAI_DEBUG=perhaps\n", "ZHENGGAI_DEBUG 应为 1/0"),
        ("这一行不对\n", "第 1 行应为“名称=值”"),
    ],
)
def test_a_bad_configuration_file_is_refused_in_chinese(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "zhenggai.env"
    config.write_text(content, encoding="utf-8")
    result = zhenggai(
        ["check"], base_env(ZHENGGAI_ENV_FILE=str(config), ZHENGGAI_DATA_DIR=str(tmp_path / "d"))
    )
    assert result.returncode == 2
    assert "配置错误" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_configuration_file_named_by_the_environment_is_an_error(tmp_path: Path) -> None:
    result = zhenggai(["check"], base_env(ZHENGGAI_ENV_FILE=str(tmp_path / "nope.env")))
    assert result.returncode == 2
    assert "无法读取配置文件" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["stats", "--inspection", "1"], ["generate", "--units", "3", "--measures", "5"], ["supervise", "sweep"]],
)
def test_commands_on_an_unmigrated_database_say_to_migrate_and_leave_no_stray_var(
    tmp_path: Path, args: list[str]
) -> None:
    result = zhenggai(args, base_env(), cwd=tmp_path)
    assert result.returncode == 2
    assert NOT_MIGRATED in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no ./var left behind


def test_an_empty_database_file_counts_as_unmigrated(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "zhenggai.sqlite3").touch()
    result = zhenggai(["stats", "--inspection", "1"], base_env(ZHENGGAI_DATA_DIR=str(data_dir)))
    assert result.returncode == 2
    assert NOT_MIGRATED in result.stderr


def test_an_unreachable_database_is_said_in_chinese(tmp_path: Path) -> None:
    env = base_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/zhenggai", ZHENGGAI_DATA_DIR=str(tmp_path))
    result = zhenggai(["stats", "--inspection", "1"], env)
    assert result.returncode == 2
    assert "无法连接数据库（DATABASE_URL）" in result.stderr
    assert "Traceback" not in result.stderr
