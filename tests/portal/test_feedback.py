"""群众意见 from the portal: captcha, honeypot, rate limits, the 查询码, and what the sender reads by it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.portal.conftest import published, withdrawn
from zhenggai.ledger.models import AuditEvent
from zhenggai.notices.models import Notice
from zhenggai.portal import captcha
from zhenggai.portal.choices import FeedbackState
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.services import CODE_LENGTH, answer_feedback, code_hash, normalise_code

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def form_for(client: Client, url: str, **fields: Any) -> dict[str, Any]:
    page = client.get(url).content.decode()
    found = TOKEN.search(page)
    assert found, "the page has the feedback form"
    token = found.group(1)
    nonce = captcha.nonce_of(token)
    assert nonce is not None
    data = {
        "category": "not_done",
        "content": "接待审批仍未按要求执行，整改不到位。",
        "name": "",
        "phone": "",
        "email": "",
        "website": "",
        "token": token,
        "captcha": captcha.answer_for(nonce),
    }
    return data | fields


def send(client: Client, notice: Notice, **fields: Any) -> Any:
    url = reverse("portal:notice", args=[notice.pk])
    return client.post(reverse("portal:notice_feedback", args=[notice.pk]), form_for(client, url, **fields))


def code_of(response: Any) -> str:
    found = re.search(r'id="tracking-code">([^<]+)<', response.content.decode())
    assert found
    return found.group(1)


def test_a_citizen_sends_feedback_and_follows_it_by_code(world: World) -> None:
    notice = published(world)
    client = Client()
    response = send(client, notice, name="张三", phone="13812345678", email="z@example.cn")
    assert response.status_code == 200
    code = code_of(response)
    feedback = PublicFeedback.objects.get()
    assert (feedback.unit, feedback.notice, feedback.state) == (world.unit_a, notice, FeedbackState.RECEIVED)
    assert feedback.code_hash == code_hash(code)
    assert code not in feedback.code_hash
    assert AuditEvent.objects.filter(
        action="submit_feedback", object_id=str(feedback.pk), actor=None
    ).exists()
    status = client.get(reverse("portal:feedback_status", args=[normalise_code(code)]))
    assert status.status_code == 200
    text = status.content.decode()
    assert "待受理" in text
    assert "13812345678" not in text
    assert "张三" not in text
    assert "接待审批" not in text
    answer_feedback(by=world.leader_a, feedback=feedback, answer="已约谈相关责任人，补办审批手续。")
    text = client.get(reverse("portal:feedback_status", args=[code])).content.decode()  # dashes are fine
    assert "已答复" in text
    assert "已约谈相关责任人" in text


def test_codes_are_long_random_and_stored_only_as_a_hash(world: World) -> None:
    notice = published(world)
    codes = {normalise_code(code_of(send(Client(), notice, phone=f"1381234567{i}"))) for i in range(3)}
    assert len(codes) == 3
    assert all(len(c) == CODE_LENGTH for c in codes)  # 20 × 5 bits = 100 bits
    stored = set(PublicFeedback.objects.values_list("code_hash", flat=True))
    assert not codes & stored
    wrong = next(iter(codes))[:-1] + ("0" if next(iter(codes))[-1] != "0" else "1")
    assert Client().get(reverse("portal:feedback_status", args=[wrong])).status_code == 404


def test_a_wrong_captcha_is_refused_and_nothing_is_stored(world: World) -> None:
    notice = published(world)
    response = send(Client(), notice, captcha="00000" if True else "")
    if PublicFeedback.objects.exists():  # the right answer happened to be 00000
        pytest.skip("random captcha answer was 00000")
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()


def test_a_captcha_token_works_once(world: World) -> None:
    notice = published(world)
    client = Client()
    data = form_for(client, reverse("portal:notice", args=[notice.pk]))
    url = reverse("portal:notice_feedback", args=[notice.pk])
    assert client.post(url, data).status_code == 200
    again = client.post(url, data)
    assert again.status_code == 400
    assert "验证码已使用过" in again.content.decode()
    assert PublicFeedback.objects.count() == 1


def test_the_honeypot_refuses_robots_silently(world: World) -> None:
    notice = published(world)
    response = send(Client(), notice, website="http://spam.example")
    assert response.status_code == 400
    assert "提交未成功" in response.content.decode()
    assert not PublicFeedback.objects.exists()


def test_rate_limits_per_network_and_per_phone(world: World, settings: Any) -> None:
    settings.PORTAL_FEEDBACK_PER_IP = 3
    settings.PORTAL_FEEDBACK_PER_PHONE = 2
    notice = published(world)
    client = Client(REMOTE_ADDR="10.1.1.1")
    assert send(client, notice, phone="13800000001").status_code == 200
    assert send(client, notice, phone="13800000001").status_code == 200
    third = send(Client(REMOTE_ADDR="10.1.1.2"), notice, phone="13800000001")
    assert third.status_code == 400
    assert "该手机号今天提交的意见已达上限" in third.content.decode()
    assert send(client, notice).status_code == 200
    fourth = send(client, notice)
    assert fourth.status_code == 400
    assert "同一网络今天提交的意见已达上限" in fourth.content.decode()
    assert PublicFeedback.objects.count() == 3
    assert send(Client(REMOTE_ADDR="10.1.1.3"), notice).status_code == 200


def test_attachments_pass_the_evidence_checks(world: World) -> None:
    notice = published(world)
    client = Client()
    url = reverse("portal:notice", args=[notice.pk])
    fake = SimpleUploadedFile("照片.jpg", b"not really a jpeg", content_type="image/jpeg")
    refused = client.post(
        reverse("portal:notice_feedback", args=[notice.pk]), form_for(client, url, attachments=fake)
    )
    assert refused.status_code == 400
    assert "内容与扩展名不符" in refused.content.decode()
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    ok = client.post(
        reverse("portal:notice_feedback", args=[notice.pk]), form_for(client, url, attachments=pdf)
    )
    assert ok.status_code == 200
    assert PublicFeedback.objects.get().attachments.get().original_name == "材料.pdf"


def test_the_unit_page_has_the_form_too_and_a_withdrawn_notice_takes_no_more(world: World) -> None:
    notice = published(world)
    client = Client()
    url = reverse("portal:unit", args=[world.unit_a.pk])
    response = client.post(reverse("portal:unit_feedback", args=[world.unit_a.pk]), form_for(client, url))
    assert response.status_code == 200
    assert PublicFeedback.objects.get().notice is None
    withdrawn(world, Notice.objects.get(pk=notice.pk))
    assert 'name="token"' not in client.get(reverse("portal:notice", args=[notice.pk])).content.decode()
    assert client.post(reverse("portal:notice_feedback", args=[notice.pk]), {}).status_code == 404


def test_the_captcha_image_is_a_png_and_a_forged_token_gets_none(world: World) -> None:
    token = captcha.new_token()
    image = Client().get(reverse("portal:captcha", args=[token]))
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")
    assert Client().get(reverse("portal:captcha", args=["abc:def:ghi"])).status_code == 404
