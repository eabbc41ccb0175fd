"""Redaction of a public notice: names, phones, ID and bank numbers, marked spans; nothing else touched."""

from __future__ import annotations

from zhenggai.notices.document import (
    Contact,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    OutstandingItem,
)
from zhenggai.notices.redact import (
    MASK,
    Redactor,
    id_card_valid,
    luhn_valid,
    policy_for,
    redact_notice,
    redact_text,
)

VALID_ID = "11010519491231002X"  # the check character is right
CARD = "6214830012345673"  # passes the Luhn check


def _redact(text: str, **policy: object) -> str:
    redacted, _ = redact_text(text, policy_for(**policy))  # type: ignore[arg-type]
    return redacted


def test_names_become_surname_and_mou() -> None:
    text = "由张三牵头，李建国、欧阳明华配合，张三负责督办。"

    assert (
        _redact(text, names=["张三", "李建国", "欧阳明华"]) == "由张某牵头，李某、欧阳某配合，张某负责督办。"
    )


def test_names_can_be_masked_entirely() -> None:
    assert _redact("张三负责", names=["张三"], name_style="anonymous") == "某某负责"


def test_only_given_names_are_masked_no_guessing() -> None:
    text = "王五同志和局办公室共同推进。"

    assert _redact(text, names=["张三"]) == text


def test_mobile_and_landline_numbers_are_masked() -> None:
    text = "联系人手机13812345678，办公电话0571-87654321，另有138 1234 5679。"

    assert _redact(text) == f"联系人手机{MASK}，办公电话{MASK}，另有{MASK}。"


def test_the_published_contact_phone_is_kept_whatever_its_spacing() -> None:
    text = "监督电话0571 88776655；经办人电话0571-87654321。"

    redacted = _redact(text, keep_phones=["0571-88776655"])

    assert redacted == f"监督电话0571 88776655；经办人电话{MASK}。"


def test_a_local_number_after_a_phone_label_is_masked() -> None:
    assert _redact("联系电话：87654321。") == f"联系电话：{MASK}。"


def test_id_card_numbers_with_a_valid_check_character_are_masked() -> None:
    assert id_card_valid(VALID_ID)
    assert _redact(f"身份证号{VALID_ID}，已核实。") == f"身份证号{MASK}，已核实。"


def test_an_eighteen_digit_number_failing_the_check_is_left_alone() -> None:
    number = "110105194912310021"
    assert not id_card_valid(number)

    assert _redact(f"项目编号{number}。") == f"项目编号{number}。"


def test_bank_numbers_are_masked_by_checksum_or_by_label() -> None:
    assert luhn_valid(CARD)
    text = f"退还至银行卡{CARD}；对公账号：1202 0211 0900 1234 567。"

    assert _redact(text) == f"退还至银行卡{MASK}；对公账号：{MASK}。"


def test_amounts_dates_and_document_numbers_are_not_touched() -> None:
    text = "清退资金12.5万元，共1234567元，2024年3月18日印发区委〔2024〕5号文件，举报电话12388。"

    assert _redact(text, keep_phones=["0571-88776655"]) == text


def test_marked_spans_are_masked_wherever_they_occur() -> None:
    text = "某场馆维修项目由青川建设公司承建，青川建设公司已退款。"

    assert _redact(text, spans=["青川建设公司"]) == f"某场馆维修项目由{MASK}承建，{MASK}已退款。"


def test_the_report_counts_what_was_masked_without_keeping_it() -> None:
    redactor = Redactor(policy_for(names=["张三"], spans=["某公司"]))
    redactor.text(f"张三，13812345678，{VALID_ID}，{CARD}，某公司，张三")

    assert redactor.report.to_dict() == {
        "marked": 1,
        "id_card": 1,
        "bank_account": 1,
        "phone": 1,
        "name": 2,
    }
    assert "张三" not in redactor.report.summary()


def _doc() -> NoticeDoc:
    return NoticeDoc(
        title="区文旅局关于区委巡察整改情况的通报",
        issuer="区文旅局",
        organising_work="党组书记张三任组长。",
        findings=[
            NoticeFinding(
                "problem",
                "张三分管领域财务管理不规范",
                measures=[NoticeMeasure("由张三联系13812345678落实", "open")],
            )
        ],
        outstanding=[OutstandingItem("张三分管领域财务管理不规范", reason="张三请假", deadline="2025-03-31")],
        clues="反映张三的问题线索1件。",
        contact=Contact(phone="0571-88776655"),
    )


def test_redacting_a_notice_masks_every_text_field_and_keeps_titles_linked() -> None:
    doc = _doc()

    redacted, report = redact_notice(doc, policy_for(names=["张三"], keep_phones=[doc.contact.phone]))

    assert redacted.organising_work == "党组书记张某任组长。"
    assert redacted.findings[0].title == "张某分管领域财务管理不规范"
    assert redacted.findings[0].measures[0].text == f"由张某联系{MASK}落实"
    assert redacted.findings[0].measures[0].status == "open"
    assert redacted.outstanding[0].finding == redacted.findings[0].title
    assert redacted.outstanding[0].reason == "张某请假"
    assert redacted.clues == "反映张某的问题线索1件。"
    assert redacted.contact.phone == "0571-88776655"
    assert report.counts["name"] == 6


def test_redacting_a_notice_leaves_the_original_as_it_was() -> None:
    doc = _doc()

    redact_notice(doc, policy_for(names=["张三"]))

    assert doc.findings[0].title == "张三分管领域财务管理不规范"
    assert doc.organising_work == "党组书记张三任组长。"
