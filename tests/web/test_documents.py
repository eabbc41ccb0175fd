"""The leader's documents in the browser: the ledger .xlsx out and back in, the notice .docx, publishing
versions with redaction and exclusions, and the list of stored versions."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from tests.sheets.conftest import edit, row_of, table_counts
from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureStatus, Role
from zhenggai.ledger.models import AuditEvent, Inspection, Measure, Membership, Unit
from zhenggai.notices.choices import Audience
from zhenggai.notices.models import Notice
from zhenggai.notices.services import publish_notice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "临江区文化和旅游局关于十一届区委第四轮巡察整改情况的通报"
EXCLUDED_TEXT = "建立文旅企业联系走访制度，定期收集诉求"
EXCLUDED_WORDS = "建立文旅企业联系走访制度"  # the renderer turns the ASCII comma full-width
SECRET_NAME = "钱多多"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def urls(inspection: Inspection) -> dict[str, str]:
    pk = inspection.pk
    return {
        "xlsx": f"/inspections/{pk}/ledger.xlsx",
        "import": f"/inspections/{pk}/ledger/import/",
        "docx": f"/inspections/{pk}/notice.docx",
        "versions": f"/inspections/{pk}/notices/",
        "publish": f"/inspections/{pk}/notices/publish/",
    }


def attachment_name(response: Any) -> str:
    header = response["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert match, header
    return match.group(1)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return "\n".join(p.text.replace("\n", "") for p in document.paragraphs)  # a title's line breaks


def open_measure(demo: Inspection, department: str = "办公室") -> Measure:
    measure = (
        Measure.objects.filter(
            inspection=demo, status=MeasureStatus.IN_PROGRESS, lead_department__name=department
        )
        .order_by("position", "id")
        .first()
    )
    assert measure is not None
    return measure


def publish_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "audience": Audience.PUBLIC,
        "names": "",
        "spans": "",
        "phone": "0571-88776655",
        "address": "临江区人民路1号",
        "postcode": "311000",
        "email": "",
        "date": "",
        "action": "preview",
    }
    return data | overrides


def written() -> tuple[int, int, dict[str, int]]:
    """What “nothing written” means here: notices, audit events, and every ledger table."""
    return Notice.objects.count(), AuditEvent.objects.count(), table_counts()


# --- downloads ------------------------------------------------------------------------------------------------


def test_ledger_download_opens_in_excel_with_every_measure(demo: Inspection) -> None:
    response = login("lingdao").get(urls(demo)["xlsx"])

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert attachment_name(response) == quote("临江区文化和旅游局巡察整改台账.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    for measure in Measure.objects.filter(inspection=demo):
        assert measure.text in cells
        assert measure.code in cells


def test_staff_download_holds_only_their_departments_measures(demo: Inspection) -> None:
    response = login("jingban").get(urls(demo)["xlsx"])

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    own = Measure.objects.filter(inspection=demo, lead_department__name="办公室").first()
    other = Measure.objects.filter(inspection=demo, lead_department__name="人事股").first()
    assert own is not None
    assert other is not None
    assert own.text in cells
    assert other.text not in cells


def test_notice_download_is_a_word_file_with_the_notice_title(demo: Inspection) -> None:
    response = login("lingdao").get(urls(demo)["docx"])

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert attachment_name(response) == quote(f"{TITLE}（内部）.docx")
    text = docx_text(response.content)
    assert TITLE in text
    assert EXCLUDED_WORDS in text
    assert Notice.objects.count() == 0  # rendered on the fly, not stored


def test_staff_and_viewers_get_the_403_page_for_the_internal_notice(demo: Inspection) -> None:
    for username in ("jingban", "chakan"):
        response = login(username).get(urls(demo)["docx"])
        assert response.status_code == 403
        assert "无权操作" in response.content.decode()


def test_inspection_page_offers_the_documents_by_role(demo: Inspection) -> None:
    leader = login("lingdao").get(f"/inspections/{demo.pk}/").content.decode()
    for url in urls(demo).values():
        assert f'href="{url}"' in leader
    assert "下载整改台账（.xlsx）" in leader
    assert "发布通报" in leader
    assert "下载通报（.docx）" in leader

    staff = login("jingban").get(f"/inspections/{demo.pk}/").content.decode()
    assert f'href="{urls(demo)["xlsx"]}"' in staff
    assert f'href="{urls(demo)["versions"]}"' in staff
    assert f'href="{urls(demo)["publish"]}"' not in staff
    assert f'href="{urls(demo)["docx"]}"' not in staff


# --- publishing -----------------------------------------------------------------------------------------------


def test_public_version_masks_the_extra_name_and_leaves_out_the_excluded_measure(demo: Inspection) -> None:
    leader = User.objects.get(username="lingdao")
    services.update_inspection(
        by=leader,
        inspection=demo,
        organising_work=f"局党组成立整改工作领导小组,由{SECRET_NAME}同志具体负责。",
    )
    excluded = Measure.objects.get(inspection=demo, text=EXCLUDED_TEXT)
    client = login("lingdao")
    form = publish_form(
        names=f"{SECRET_NAME}\n",
        exclude=[f"measure:{excluded.pk}"],
        **{f"reason-measure-{excluded.pk}": "privacy"},
        action="publish",
    )

    response = client.post(urls(demo)["publish"], form)

    assert response.status_code == 302
    assert response["Location"] == urls(demo)["versions"]
    notice = Notice.objects.get(inspection=demo)
    assert notice.audience == Audience.PUBLIC
    assert notice.created_by == leader
    assert [(e["id"], e["reason"]) for e in notice.exclusions] == [(excluded.pk, "privacy")]
    download = client.get(f"/notices/{notice.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == DOCX
    assert attachment_name(download) == quote(f"{TITLE}（第1版·向社会公开）.docx")
    text = docx_text(download.content)
    assert TITLE in text
    assert SECRET_NAME not in text
    assert "钱某" in text
    assert EXCLUDED_WORDS not in text
    assert "0571-88776655" in text  # the published supervision phone stays
    assert AuditEvent.objects.filter(action="publish_notice", actor=leader).count() == 1
    versions = client.get(urls(demo)["versions"]).content.decode()
    assert "已发布" in versions
    assert "第1版" in versions
    assert "向社会公开" in versions


def test_preview_is_exactly_the_html_that_publishing_stores(demo: Inspection) -> None:
    client = login("xunchaban")
    form = publish_form(spans="学习研讨\n", date="2025-01-20")
    before = written()

    preview = client.post(urls(demo)["publish"], form)

    assert preview.status_code == 200
    assert written() == before  # a preview stores nothing
    page = preview.content.decode()
    assert 'id="notice-preview"' in page
    client.post(urls(demo)["publish"], form | {"action": "publish"})
    notice = Notice.objects.get(inspection=demo)
    assert notice.html in page
    assert notice.notice_date.isoformat() == "2025-01-20"


def test_preview_shows_markup_in_a_measure_as_text(demo: Inspection) -> None:
    leader = User.objects.get(username="lingdao")
    measure = open_measure(demo)
    services.edit_measure(by=leader, measure=measure, text="建立网络舆情研判机制<script>alert(1)</script>")

    page = login("lingdao").post(urls(demo)["publish"], publish_form()).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_staff_cannot_open_or_post_the_publish_page_and_nothing_is_written(demo: Inspection) -> None:
    client = login("jingban")
    before = written()

    assert client.get(urls(demo)["publish"]).status_code == 403
    response = client.post(urls(demo)["publish"], publish_form(action="publish"))

    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    assert written() == before


def test_publish_refusals_show_beside_their_fields_and_nothing_is_written(demo: Inspection) -> None:
    measure = open_measure(demo)
    before = written()

    internal_with_names = login("lingdao").post(
        urls(demo)["publish"],
        publish_form(audience=Audience.INTERNAL, names="张三", action="publish"),
    )
    no_reason = login("lingdao").post(
        urls(demo)["publish"],
        publish_form(exclude=[f"measure:{measure.pk}"], postcode="3110", action="publish"),
    )

    assert internal_with_names.status_code == 400
    assert "内部通报不做脱敏" in _errors(internal_with_names.content.decode(), "names")
    page = no_reason.content.decode()
    assert "请选择不予公开的理由" in _errors(page, f"reason-measure-{measure.pk}")
    assert "1项不予公开的事项没有选择理由" in _errors(page, "exclude")
    assert "邮政编码应为6位数字" in _errors(page, "postcode")
    assert f'value="measure:{measure.pk}" checked' in page  # the choice survives the error
    assert written() == before


def _errors(html: str, field: str) -> str:
    start = html.find(f'id="{field}-errors"')
    assert start != -1, f"no errors shown beside {field}"
    return html[start : html.find("</ul>", start)]


# --- versions -------------------------------------------------------------------------------------------------


def _publish(demo: Inspection, username: str, audience: str) -> Notice:
    return publish_notice(by=User.objects.get(username=username), inspection=demo, audience=audience)


def test_versions_list_names_audience_author_and_figures(demo: Inspection) -> None:
    _publish(demo, "lingdao", Audience.INTERNAL)
    _publish(demo, "xunchaban", Audience.PUBLIC)

    page = login("lingdao").get(urls(demo)["versions"]).content.decode()

    assert page.count('class="version"') == 2
    assert page.index("第2版") < page.index("第1版")  # newest first
    assert "党内（内部）" in page
    assert "向社会公开" in page
    assert "文旅局 局长 赵某某" in page
    assert "区委巡察办 李某" in page
    assert "制定整改措施30条" in page


def test_staff_may_download_a_published_public_version_but_not_an_internal_one(demo: Inspection) -> None:
    from zhenggai.notices.workflow import approve_notice, sign_notice

    internal = _publish(demo, "lingdao", Audience.INTERNAL)
    public = _publish(demo, "lingdao", Audience.PUBLIC)
    client = login("jingban")
    assert client.get(f"/notices/{public.pk}/download/").status_code == 403  # still a draft
    approved = approve_notice(by=User.objects.get(username="xunchaban"), notice=public)
    sign_notice(by=User.objects.get(username="lingdao"), notice=approved)

    page = client.get(urls(demo)["versions"]).content.decode()

    assert f"/notices/{public.pk}/download/" in page
    assert f"/notices/{internal.pk}/download/" not in page
    assert client.get(f"/notices/{public.pk}/download/").status_code == 200
    assert client.get(f"/notices/{internal.pk}/download/").status_code == 403


def test_versions_list_takes_the_same_queries_for_one_version_or_many(demo: Inspection) -> None:
    client = login("lingdao")
    _publish(demo, "lingdao", Audience.INTERNAL)
    one = _count_queries(client, urls(demo)["versions"])
    for _ in range(4):
        _publish(demo, "xunchaban", Audience.PUBLIC)
    many = _count_queries(client, urls(demo)["versions"])
    assert many == one
    assert (
        one <= 11
    )  # session, user, memberships, inspection, role, count, page, unread messages, session save


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- ledger import --------------------------------------------------------------------------------------------


def _exported(client: Client, demo: Inspection, folder: Path) -> Path:
    path = folder / "台账.xlsx"
    path.write_bytes(client.get(urls(demo)["xlsx"]).content)
    return path


def _upload(client: Client, demo: Inspection, path: Path) -> Any:
    with path.open("rb") as stream:
        return client.post(urls(demo)["import"], {"file": stream})


def _stored(settings: Any) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads" / "ledgers"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_ledger_import_dry_run_shows_the_one_change_then_confirming_applies_it(
    demo: Inspection, tmp_path: Path, settings: Any
) -> None:
    client = login("lingdao")
    measure = open_measure(demo)
    path = _exported(client, demo, tmp_path)
    edit(path, {(row_of(path, measure.code), "责任人"): "钱某某"})
    before = written()

    preview = _upload(client, demo, path)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "试导入结果（未写入）" in page
    assert page.count('class="change"') == 1
    assert f"整改措施{measure.code} 责任人" in page
    assert written() == before
    stored = _stored(settings)
    assert [p.name for p in stored] == [f"{_sha(path)}.xlsx"]
    assert stored[0].parent.name == str(User.objects.get(username="lingdao").pk)

    done = client.post(urls(demo)["import"], {"confirm": "1", "sha256": _sha(path), "name": "台账.xlsx"})

    assert done.status_code == 302
    assert done["Location"] == f"/inspections/{demo.pk}/"
    measure.refresh_from_db()
    assert measure.responsible_person == "钱某某"
    event = AuditEvent.objects.get(
        action="edit_measure", object_id=str(measure.pk), after__responsible_person="钱某某"
    )
    assert event.request_id.startswith("ledger-import-")
    assert _stored(settings) == []
    assert "已导入台账“台账.xlsx”：更新措施1条" in client.get(done["Location"]).content.decode()


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese_and_nothing_is_written(
    demo: Inspection, tmp_path: Path, settings: Any
) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes("序号,整改措施\n1,测试\n".encode("gbk"))
    before = written()

    response = _upload(login("lingdao"), demo, path)

    assert response.status_code == 400
    assert "不是 .xlsx 文件" in _errors(response.content.decode(), "file")
    assert written() == before
    assert _stored(settings) == []


def test_row_errors_name_sheet_row_and_column_and_nothing_is_written(
    demo: Inspection, tmp_path: Path, settings: Any
) -> None:
    client = login("lingdao")
    measure = open_measure(demo)
    path = _exported(client, demo, tmp_path)
    row = row_of(path, measure.code)
    edit(path, {(row, "整改时限"): "2031-01-01", (row, "责任人"): "钱某某"})
    before = written()

    response = _upload(client, demo, path)

    assert response.status_code == 400
    page = response.content.decode()
    assert f"工作表“台账”第{row}行“整改时限”列" in page
    assert "没有写入任何数据" in page
    assert "确认导入" not in page
    assert written() == before
    assert _stored(settings) == []


def test_confirming_an_unknown_upload_asks_for_the_file_again(demo: Inspection) -> None:
    before = written()
    response = login("lingdao").post(
        urls(demo)["import"], {"confirm": "1", "sha256": "0" * 64, "name": "x.xlsx"}
    )
    assert response.status_code == 400
    assert "上传的文件已过期或已导入" in response.content.decode()
    assert written() == before


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- scope ----------------------------------------------------------------------------------------------------


def test_another_units_leader_gets_404_on_every_document_url(demo: Inspection) -> None:
    notice = _publish(demo, "lingdao", Audience.PUBLIC)
    archive = Unit.objects.get(name="临江区档案馆")
    other = User.objects.create_user("danganguan", password="unused-pass-1")
    Membership.objects.create(user=other, unit=archive, role=Role.LEADER)
    client = Client()
    client.force_login(other)
    before = written()

    for url in [*urls(demo).values(), f"/notices/{notice.pk}/download/"]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, publish_form(action="publish")).status_code == 404, url
    assert written() == before


def test_a_version_is_approved_by_another_leader_signed_and_withdrawn_through_the_versions_page(
    demo: Inspection,
) -> None:
    notice = _publish(demo, "lingdao", Audience.PUBLIC)
    drafter = login("lingdao")
    page = drafter.get(urls(demo)["versions"]).content.decode()
    assert "拟稿" in page
    assert "待他人审定" in page
    assert f"/notices/{notice.pk}/approve/" not in page  # not by the drafter
    supervisor = login("xunchaban")
    response = supervisor.post(f"/notices/{notice.pk}/approve/", {"note": "同意。"})
    assert response.status_code == 302
    page = drafter.get(urls(demo)["versions"]).content.decode()
    assert "已审定" in page
    assert "（同意。）" in page
    drafter.post(f"/notices/{notice.pk}/sign/")
    assert Notice.objects.get(pk=notice.pk).state == "published"
    response = drafter.post(f"/notices/{notice.pk}/withdraw/", {"reason": ""}, follow=True)
    assert "撤回理由不能为空" in response.content.decode()
    drafter.post(f"/notices/{notice.pk}/withdraw/", {"reason": "数字有误"})
    page = drafter.get(urls(demo)["versions"]).content.decode()
    assert "已撤回" in page
    assert "数字有误" in page
    assert login("jingban").post(f"/notices/{notice.pk}/withdraw/", {"reason": "x"}).status_code == 403


def test_the_internal_version_ignores_exemptions_and_the_preview_has_the_notices_typography(
    demo: Inspection,
) -> None:
    measure = open_measure(demo)
    client = login("lingdao")
    page = client.post(
        urls(demo)["publish"], publish_form(audience=Audience.INTERNAL, exclude=[f"measure:{measure.pk}"])
    )
    assert page.status_code == 200  # no reason asked: 党内 versions leave nothing out
    assert measure.text[:12] in page.content.decode()
    assert 'href="/notices/notice.css"' in page.content.decode()
    css = client.get("/notices/notice.css")
    assert css["Content-Type"].startswith("text/css")
    assert b".notice h2,.notice h3,.notice h4,.notice h5{font-size:16pt" in css.content
