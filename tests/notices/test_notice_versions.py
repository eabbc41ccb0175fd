"""Stored notice versions: files and figures, public redaction, exclusions, preview, permission, audit."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory
from zhenggai.ledger import services as ledger_services
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import AuditEvent, Measure
from zhenggai.notices.choices import Audience, Exemption
from zhenggai.notices.document import Contact
from zhenggai.notices.models import Notice
from zhenggai.notices.redact import Redactions
from zhenggai.notices.services import Exclusion, preview_notice, publish_notice

CONTACT = Contact(phone="0571-88776655", address="临江区滨江路18号", postcode="310000", email="jw@example.cn")
VALID_ID = "11010519491231002X"
CARD = "6214830012345673"


@pytest.fixture
def sensitive(world: World) -> Measure:
    """A measure whose text names people and carries numbers that must not reach the public."""
    ledger_services.update_inspection(
        by=world.leader_a,
        inspection=world.inspection_a,
        organising_work="局党组书记王五任整改领导小组组长,青川建设公司配合。监督电话0571-88776655。",
    )
    measure: Measure = MeasureFactory(
        finding=world.detail_a,
        lead_department=world.dept_a,
        text=f"由张三督促退款至银行卡{CARD},经办人李四(手机13812345678,身份证号{VALID_ID})",
        responsible_leader="局长张三",
        responsible_person="李四",
        deadline=dt.date(2030, 6, 30),
        status=MeasureStatus.DONE,
    )
    return measure


def _docx_text(notice: Notice) -> str:
    document = docx.Document(notice.docx.path)
    return "\n".join(p.text for p in document.paragraphs)


def _publish(world: World, **kw: Any) -> Notice:
    kw.setdefault("by", world.leader_a)
    kw.setdefault("inspection", world.inspection_a)
    kw.setdefault("audience", Audience.INTERNAL)
    kw.setdefault("contact", CONTACT)
    return publish_notice(**kw)


def test_leader_publishes_an_internal_version_with_its_files_and_figures(
    world: World, sensitive: Measure
) -> None:
    notice = _publish(world)

    assert (notice.version, notice.audience, notice.created_by) == (1, "internal", world.leader_a)
    data = Path(notice.docx.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == notice.docx_sha256
    assert len(data) == notice.docx_size
    assert docx.Document(notice.docx.path).paragraphs[0].text == "区文旅局关于区委巡察整改情况的通报"
    assert notice.title in notice.html
    assert notice.markdown.startswith("# 区文旅局关于区委巡察整改情况的通报")
    assert notice.figures["problems"] == 1
    assert (notice.figures["measures"], notice.figures["completed"]) == (2, 1)
    assert notice.figures["completion_rate"] == 50.0
    assert "张三" in notice.html  # the internal version is not redacted
    assert notice.redaction == {}


def test_versions_are_numbered_per_inspection(world: World) -> None:
    first = _publish(world)
    second = _publish(world, audience=Audience.PUBLIC)
    other = _publish(world, by=world.leader_b, inspection=world.inspection_b)

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.docx.name != second.docx.name


def test_public_version_masks_names_phones_ids_and_bank_numbers_in_every_format(
    world: World, sensitive: Measure
) -> None:
    notice = _publish(world, audience=Audience.PUBLIC)

    for text in (notice.html, notice.markdown, _docx_text(notice)):
        for secret in ("张三", "李四", "13812345678", VALID_ID, CARD):
            assert secret not in text
        assert "由张某督促退款" in text
        assert "0571-88776655" in text  # the published supervision phone stays
    assert notice.redaction["counts"] == {"id_card": 1, "bank_account": 1, "phone": 1, "name": 2}


def test_names_and_spans_the_user_gives_are_masked_too(world: World, sensitive: Measure) -> None:
    notice = _publish(
        world, audience=Audience.PUBLIC, redactions=Redactions(names=("王五",), spans=("青川建设公司",))
    )

    assert "王五" not in notice.html
    assert "青川建设公司" not in notice.html
    assert "局党组书记王某任整改领导小组组长" in notice.html
    assert (notice.redaction["names_given"], notice.redaction["spans_marked"]) == (1, 1)


def test_excluded_items_are_left_out_of_the_public_version_with_their_reasons_recorded(
    world: World, sensitive: Measure
) -> None:
    problem = FindingFactory(inspection=world.inspection_a, title="关于涉密载体管理不规范的问题")
    MeasureFactory(finding=problem, text="清查涉密载体")
    exclusions = [
        Exclusion(kind="measure", id=sensitive.pk, reason=Exemption.PRIVACY),
        Exclusion(kind="finding", id=problem.pk, reason=Exemption.STATE_SECRET, note="经保密审查"),
    ]

    notice = _publish(world, audience=Audience.PUBLIC, exclusions=exclusions)

    for text in (notice.html, notice.markdown, _docx_text(notice)):
        assert "退款" not in text
        assert "涉密载体" not in text
        assert "接待审批手续不全" in text  # the rest of the tree is still there
    assert [(e["kind"], e["id"], e["reason"], e["reason_label"]) for e in notice.exclusions] == [
        ("measure", sensitive.pk, "privacy", "涉及个人隐私"),
        ("finding", problem.pk, "state_secret", "涉及党和国家秘密"),
    ]
    assert notice.exclusions[1]["text"] == "关于涉密载体管理不规范的问题"
    assert notice.exclusions[1]["note"] == "经保密审查"
    event = AuditEvent.objects.for_object(notice).get()
    assert event.after is not None
    assert event.after["exclusions"] == notice.exclusions
    assert notice.figures["measures"] == 3  # the totals stay the ledger's


def _nothing_written(tmp_path: Path) -> bool:
    files = list((tmp_path / "media").rglob("*.docx")) if (tmp_path / "media").exists() else []
    return (
        not Notice.objects.exists() and not AuditEvent.objects.filter(action="publish_notice") and not files
    )


def test_an_exclusion_without_a_valid_reason_writes_nothing(
    world: World, sensitive: Measure, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="请为不予公开的事项选择理由"):
        _publish(world, audience=Audience.PUBLIC, exclusions=[Exclusion("measure", sensitive.pk, "")])

    assert _nothing_written(tmp_path)


def test_an_exclusion_from_another_inspection_is_refused(world: World, tmp_path: Path) -> None:
    exclusion = Exclusion("measure", world.measure_b.pk, Exemption.PRIVACY)

    with pytest.raises(InvalidInput, match=r"要删减的整改措施（编号 \d+）不属于这次巡察"):
        _publish(world, audience=Audience.PUBLIC, exclusions=[exclusion])

    assert _nothing_written(tmp_path)


def test_an_internal_version_refuses_redactions(world: World, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="内部通报不做脱敏"):
        _publish(world, redactions=Redactions(names=("张三",)))

    assert _nothing_written(tmp_path)


def test_a_public_version_stores_exactly_the_previewed_html(world: World, sensitive: Measure) -> None:
    args: dict[str, Any] = {
        "inspection": world.inspection_a,
        "audience": Audience.PUBLIC,
        "redactions": Redactions(names=("王五",)),
        "exclusions": [Exclusion("finding", world.detail_a.pk, Exemption.SENSITIVE)],
        "contact": CONTACT,
    }

    preview = preview_notice(by=world.leader_a, **args)
    notice = publish_notice(by=world.leader_a, **args)

    assert notice.html == preview
    assert "王五" not in preview


@pytest.mark.parametrize("who", ["leader_b", "staff_a", "viewer_a", "outsider"])
def test_only_leaders_and_supervisors_of_the_unit_may_publish(world: World, who: str, tmp_path: Path) -> None:
    with pytest.raises(NotPermitted):
        _publish(world, by=getattr(world, who))
    with pytest.raises(NotPermitted):
        preview_notice(by=getattr(world, who), inspection=world.inspection_a, audience=Audience.PUBLIC)

    assert _nothing_written(tmp_path)
    assert _publish(world, by=world.supervisor).version == 1


def test_each_publish_writes_exactly_one_audit_event(world: World) -> None:
    before = AuditEvent.objects.count()

    notice = _publish(world, audience=Audience.PUBLIC)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="publish_notice")
    assert (event.actor, event.unit, event.object_id) == (world.leader_a, world.unit_a, str(notice.pk))
    assert event.after is not None
    assert (event.after["version"], event.after["audience"]) == (1, "public")
    assert event.after["docx_sha256"] == notice.docx_sha256


def test_versions_are_visible_only_within_the_inspected_unit(world: World) -> None:
    notice_a = _publish(world)
    notice_b = _publish(world, by=world.leader_b, inspection=world.inspection_b)

    assert list(Notice.objects.visible_to(world.viewer_a)) == [notice_a]
    assert list(Notice.objects.visible_to(world.leader_b)) == [notice_b]
    assert set(Notice.objects.visible_to(world.supervisor)) == {notice_a, notice_b}
    assert not Notice.objects.visible_to(world.outsider).exists()
