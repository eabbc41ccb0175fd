"""`zhenggai parse DIR --report`: per file the counts, stated figures, checks and warnings; a summary line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.notices.family_samples import SAMPLES
from tests.notices.notice_variants import as_docx, as_html


def run(*args: str) -> str:
    out = StringIO()
    call_command("parse", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "page.html").write_bytes(as_html(SAMPLES[0].text))
    (tmp_path / "district.docx").write_bytes(as_docx(SAMPLES[5].text))
    (tmp_path / "round.txt").write_bytes(SAMPLES[4].text.encode("gb18030"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return tmp_path


def test_report_lists_each_file_and_ends_with_a_summary(archive: Path) -> None:
    out = run(str(archive), "--report")
    lines = out.strip().splitlines()
    assert lines[-1] == "汇总：文件4个，解析3个，无法读取1个，崩溃0个，跳过其他类型文件1个。"
    assert "2024/page.html" in out
    assert "统计：2个方面，3个问题，4个具体问题，8条措施，已完成7条" in out
    assert "通报所称：方面2，问题3，具体问题4，措施8，已完成3，正在整改1，完成率75%" in out
    assert "✓ 通报称8条整改措施，正文统计为8条整改措施，一致。" in out
    assert "✗ empty.txt：无法读取：文件是空的" in out
    assert "说明：本通报汇总一轮巡察" in out  # the whole-round summary says so


def test_a_directory_without_the_flag_is_refused_as_before(archive: Path) -> None:
    with pytest.raises(CommandError, match="目录"):
        run(str(archive))


def test_report_on_one_file(archive: Path) -> None:
    out = run(str(archive / "district.docx"), "--report")
    assert out.strip().splitlines()[-1] == "汇总：文件1个，解析1个，无法读取0个，崩溃0个。"
    assert "✓ district.docx：" in out


def test_report_on_a_missing_folder_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到"):
        run(str(tmp_path / "nowhere"), "--report")
