"""`zhenggai notice render|publish`: files a reader opens, Chinese errors with exit code 2, versions stored."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.ledger.models import AuditEvent
from zhenggai.notices.models import Notice

TITLE = "区文旅局关于区委巡察整改情况的通报"


def _notice(*args: str) -> str:
    out = StringIO()
    call_command("notice", *args, stdout=out)
    return out.getvalue()


def _fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        _notice(*args)
    return caught.value


def test_render_writes_a_docx_that_word_readers_open_with_the_title(world: World, tmp_path: Path) -> None:
    target = tmp_path / "通报.docx"

    said = _notice("render", str(world.inspection_a.pk), "--format", "docx", "-o", str(target))

    document = docx.Document(str(target))
    assert document.paragraphs[0].text == TITLE
    assert any("针对“接待审批手续不全”的问题" in p.text for p in document.paragraphs)
    assert f"已写入 {target}" in said
    assert not Notice.objects.exists()  # render writes the file only


def test_render_takes_the_format_from_the_file_name_or_the_option(world: World, tmp_path: Path) -> None:
    pk = str(world.inspection_a.pk)
    _notice("render", pk, "-o", str(tmp_path / "n.md"))
    _notice("render", pk, "--format", "html", "-o", str(tmp_path / "n.out"))

    assert (tmp_path / "n.md").read_text(encoding="utf-8").startswith(f"# {TITLE}")
    page = (tmp_path / "n.out").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>{TITLE}</title>" in page


def test_public_render_masks_names_and_phones_but_keeps_the_published_phone(
    world: World, tmp_path: Path
) -> None:
    MeasureFactory(
        finding=world.detail_a,
        text="由张三督办,经办人王五手机13812345678",
        responsible_leader="张三",
        deadline=dt.date(2030, 1, 1),
    )
    target = tmp_path / "public.html"

    said = _notice(
        "render",
        str(world.inspection_a.pk),
        "--public",
        "--phone",
        "0571-88776655",
        "--name",
        "王五",
        "-o",
        str(target),
    )

    page = target.read_text(encoding="utf-8")
    for secret in ("张三", "王五", "13812345678"):
        assert secret not in page
    assert "由张某督办" in page
    assert "联系电话：0571-88776655" in page
    assert "已脱敏：电话号码1处、人员姓名2处" in said


def test_a_missing_inspection_is_a_chinese_error_with_code_2(world: World, tmp_path: Path) -> None:
    error = _fails("render", "999999", "-o", str(tmp_path / "n.docx"))

    assert (str(error), error.returncode) == ("巡察（编号 999999）不存在。", 2)
    assert not (tmp_path / "n.docx").exists()


@pytest.mark.parametrize("where", ["missing/n.docx", "."], ids=["missing-folder", "a-folder"])
def test_an_unwritable_path_is_a_chinese_error_with_code_2(world: World, tmp_path: Path, where: str) -> None:
    target = tmp_path / where

    error = _fails("render", str(world.inspection_a.pk), "--format", "docx", "-o", str(target))

    assert error.returncode == 2
    assert str(error).startswith(f"无法写入“{target}”")


def test_an_unknown_file_type_asks_for_the_format(world: World, tmp_path: Path) -> None:
    error = _fails("render", str(world.inspection_a.pk), "-o", str(tmp_path / "n.txt"))

    assert error.returncode == 2
    assert "请用 --format docx|html|md 指定" in str(error)


def test_publish_stores_a_version_as_the_named_user(world: World, tmp_path: Path) -> None:
    target = tmp_path / "v1.docx"

    said = _notice(
        "publish",
        str(world.inspection_a.pk),
        "--public",
        "--by",
        "leader_a",
        "--exclude",
        f"measure:{world.measure_a.pk}:privacy",
        "-o",
        str(target),
    )

    notice = Notice.objects.get()
    assert (notice.version, notice.audience, notice.created_by) == (1, "public", world.leader_a)
    assert [e["reason_label"] for e in notice.exclusions] == ["涉及个人隐私"]
    assert docx.Document(str(target)).paragraphs[0].text == TITLE
    assert target.read_bytes() == Path(notice.docx.path).read_bytes()
    assert AuditEvent.objects.filter(action="publish_notice").count() == 1
    assert f"已保存“{TITLE}”第1版（向社会公开，拟稿，通报版本编号 {notice.pk}）" in said


def test_publish_refuses_a_leader_of_another_unit(world: World) -> None:
    error = _fails("publish", str(world.inspection_a.pk), "--by", "leader_b")

    assert error.returncode == 2
    assert "无权" in str(error)
    assert not Notice.objects.exists()


def test_publish_needs_a_known_user_and_well_formed_exclusions(world: World) -> None:
    pk = str(world.inspection_a.pk)

    unknown = _fails("publish", pk, "--by", "nobody")
    malformed = _fails("publish", pk, "--by", "leader_a", "--exclude", "measure-17")

    assert (str(unknown), unknown.returncode) == ("用户“nobody”不存在或已停用。", 2)
    assert malformed.returncode == 2
    assert "格式不对" in str(malformed)
    assert not Notice.objects.exists()


def test_approve_sign_and_withdraw_from_the_command_line(world: World) -> None:
    _notice("publish", str(world.inspection_a.pk), "--by", "leader_a", "--public")
    notice = Notice.objects.get()
    error = _fails("approve", str(notice.pk), "--by", "leader_a")
    assert (error.returncode, "本人拟稿的通报须由他人审定" in str(error)) == (2, True)
    assert "已审定" in _notice("approve", str(notice.pk), "--by", "deputy_a", "--note", "同意")
    assert "已签发发布" in _notice("sign", str(notice.pk), "--by", "leader_a")
    assert "已撤回" in _notice("withdraw", str(notice.pk), "--by", "leader_a", "--reason", "数字有误")
    assert _fails("sign", "999", "--by", "leader_a").returncode == 2
