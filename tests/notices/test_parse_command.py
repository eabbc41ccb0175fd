"""`zhenggai parse FILE [--json]`: a summary in Chinese, the full JSON, and exit code 2 with a Chinese message
for files it cannot read, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.notices.test_parse_structure import LINJIANG
from zhenggai.notices import MAX_BYTES

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CONSOLE_SCRIPT = Path(sys.executable).with_name("zhenggai")


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    path = tmp_path / "notice.txt"
    path.write_bytes(LINJIANG.encode("gbk"))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("parse", *args, stdout=out)
    return out.getvalue()


def test_summary_shows_counts_checks_and_warnings(notice: Path) -> None:
    out = run(str(notice))
    assert "统计：2个方面，3个问题，4个具体问题，8条整改措施，已完成3条" in out
    assert "✓ 通报称8条整改措施，正文统计为8条整改措施，一致。" in out
    assert "未能归类的文字：无" in out
    assert "基层站所人员培训少（整改时限 2024-06-30）" in out


def test_summary_lists_unplaced_text_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text("今天天气很好。\n我们去公园散步。", encoding="utf-8")
    out = run(str(path))
    assert "统计：0个方面，0个问题" in out
    assert "全文：未识别出整改问题" in out
    assert "第2行：" in out
    assert "我们去公园散步" in out


def test_json_has_the_promised_keys(notice: Path) -> None:
    data = json.loads(run(str(notice), "--json"))
    assert list(data)[:7] == [
        "title",
        "issuer",
        "date",
        "inspection",
        "organising_work",
        "stated",
        "findings",
    ]
    assert {"counts", "outstanding", "clues", "contact", "checks", "warnings"} <= set(data)
    assert data["counts"] == {"aspects": 2, "problems": 3, "details": 4, "measures": 8, "done": 3}
    assert data["inspection"]["feedback_date"] == "2024-01-10"
    first = data["findings"][0]
    assert set(first) == {"level", "title", "text", "measures", "children"}
    assert first["children"][0]["children"][0]["measures"][0] == {
        "text": "统一巡查记录格式；",
        "status": "done",
    }


def bad_files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    return {
        "missing": tmp_path / "missing.txt",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "binary.bin",
        "too large": tmp_path / "huge.txt",
        "directory": tmp_path,
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "too large", "directory"])
def test_unreadable_files_fail_with_code_2_and_a_chinese_message(tmp_path: Path, case: str) -> None:
    with pytest.raises(CommandError) as caught:
        run(str(bad_files(tmp_path)[case]))
    assert caught.value.returncode == 2
    assert CHINESE.search(str(caught.value))


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="the zhenggai console script is not installed")
@pytest.mark.parametrize("case", ["missing", "empty", "binary", "too large"])
def test_console_script_exits_2_without_a_traceback(tmp_path: Path, case: str) -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "parse", str(bad_files(tmp_path)[case])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert CHINESE.search(result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="the zhenggai console script is not installed")
def test_console_script_prints_json(notice: Path) -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "parse", str(notice), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout)["counts"]["measures"] == 8
