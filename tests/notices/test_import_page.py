"""The upload page /notices/import/: step 1 shows the parsed tree and the checks and writes no ledger rows;
step 2 imports and opens the new inspection's tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.notices.test_import_ledger import ledger_rows
from tests.notices.test_parse_structure import LINJIANG
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.models import Inspection
from zhenggai.notices.importing import sha256_of

URL = "/notices/import/"
LINJIANG_BYTES = LINJIANG.encode("gbk")


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def client_for(user: AbstractUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, unit: int, data: bytes = LINJIANG_BYTES, name: str = "临江通报.txt") -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "unit": unit, "round": ""})


def confirm(client: Client, unit: int, data: bytes = LINJIANG_BYTES) -> Any:
    return client.post(URL, {"confirm": "1", "sha256": sha256_of(data), "unit": unit, "round": ""})


def stored_files(settings: Any) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_url_is_named_and_the_form_offers_only_units_the_user_manages(world: World) -> None:
    assert reverse("notice_import") == URL
    page = client_for(world.leader_a).get(URL).content.decode()
    assert "通报文件" in page
    assert "区文旅局" in page
    assert "区档案馆" not in page
    assert "文旅局办公室" not in page  # internal departments are not inspected units


def test_step_one_shows_the_tree_and_checks_and_writes_no_ledger_rows(world: World, settings: Any) -> None:
    before = ledger_rows()

    response = upload(client_for(world.leader_a), world.unit_a.pk)

    assert response.status_code == 200
    page = response.content.decode()
    assert "问题清单与整改措施" in page
    assert "落实上级决策部署" in page  # an aspect
    assert "河道日常巡查不到位" in page  # a problem
    assert "巡查记录填写不规范" in page  # a detail
    assert "统一巡查记录格式" in page  # a measure, with its status
    assert "已完成" in page
    assert "整改时限 2024年6月30日" in page  # the unfinished item's deadline on its open measure
    assert "✓ 通报称8条整改措施，正文统计为8条整改措施，一致。" in page
    assert "确认导入" in page
    assert ledger_rows() == before
    assert [p.name for p in stored_files(settings)] == [
        sha256_of(LINJIANG_BYTES),
        f"{sha256_of(LINJIANG_BYTES)}.name",
    ]


def test_step_two_imports_and_opens_the_inspection_tree(world: World, settings: Any) -> None:
    client = client_for(world.leader_a)
    upload(client, world.unit_a.pk)

    response = confirm(client, world.unit_a.pk)

    inspection = Inspection.objects.get(source_sha256=sha256_of(LINJIANG_BYTES))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection", args=[inspection.pk])
    assert inspection.inspected_unit == world.unit_a
    tree = client.get(response["Location"]).content.decode()
    assert "河道日常巡查不到位" in tree
    assert "已导入“临江通报.txt”" in tree
    assert stored_files(settings) == []


@pytest.mark.seeds
def test_seed_000_through_the_page(world: World, seed: Callable[[str], Path]) -> None:
    path = seed("000")
    data = path.read_bytes()
    client = client_for(world.leader_a)

    page = upload(client, world.unit_a.pk, data, path.name).content.decode()
    assert "✓ 通报称14条整改措施，正文统计为14条整改措施，一致。" in page
    assert "学术社团建设不够有力" in page
    assert "通报中的被巡察单位是“区社科联”" in page
    assert not Inspection.objects.filter(source_sha256=sha256_of(data)).exists()

    confirm(client, world.unit_a.pk, data)
    inspection = Inspection.objects.get(source_sha256=sha256_of(data))
    figures = inspection_figures(inspection.pk)
    assert figures is not None
    assert (figures["problems"], figures["details"], figures["measures"], figures["done"]) == (6, 11, 14, 13)


def test_bad_file_gets_a_chinese_message_beside_the_field(world: World, settings: Any) -> None:
    before = ledger_rows()
    page = upload(
        client_for(world.leader_a), world.unit_a.pk, bytes(range(256)) * 4, "x.txt"
    ).content.decode()
    assert 'id="file-errors"' in page
    assert "二进制文件" in page
    assert ledger_rows() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4", "report.pdf", "PDF 文件已损坏"),
        (b"%PDF-1.4", "report.xls", "请选择 .txt、.html、.docx、.doc、.wps 或 .pdf 格式的通报文件"),
        ("今天天气很好。".encode(), "prose.txt", "未识别出问题清单"),
    ],
)
def test_unusable_uploads_are_explained(world: World, data: bytes, name: str, message: str) -> None:
    page = upload(client_for(world.leader_a), world.unit_a.pk, data, name).content.decode()
    assert message in page
    assert "确认导入" not in page


def test_a_file_already_imported_is_refused_on_step_one(world: World) -> None:
    client = client_for(world.leader_a)
    upload(client, world.unit_a.pk)
    confirm(client, world.unit_a.pk)
    first = Inspection.objects.get(source_sha256=sha256_of(LINJIANG_BYTES))

    page = upload(client, world.unit_a.pk).content.decode()

    assert f"巡察编号 {first.pk}" in page
    assert "不能重复导入" in page
    assert "确认导入" not in page


def test_leader_of_b_cannot_import_into_a_on_either_step(world: World) -> None:
    client = client_for(world.leader_b)
    before = ledger_rows()

    page = upload(client, world.unit_a.pk).content.decode()
    assert "确认导入" not in page
    assert 'id="unit-errors"' in page

    assert confirm(client, world.unit_a.pk).status_code == 400
    assert ledger_rows() == before


def test_another_users_upload_cannot_be_confirmed(world: World) -> None:
    upload(client_for(world.leader_a), world.unit_a.pk)

    page = confirm(client_for(world.supervisor), world.unit_a.pk).content.decode()

    assert "上传的文件已过期或已导入" in page
    assert not Inspection.objects.filter(source_sha256=sha256_of(LINJIANG_BYTES)).exists()


def test_users_who_manage_no_unit_are_turned_away(world: World) -> None:
    response = client_for(world.staff_a).get(URL)
    assert response.status_code == 403
    assert "只有单位领导或巡察办人员可以导入通报" in response.content.decode()


def test_anonymous_users_go_to_the_login_page(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
