"""Acceptance in a real browser: a citizen reads a published notice and sends feedback with the captcha; the
unit's staff sees it by the unread count and answers; the citizen reads the answer by code; a withdrawn notice
shows 已撤回; the 16th working day without an answer turns an item red in the sweep. Every public page fits a
desk and a phone and an axe-core scan finds no serious or critical violation (GB/T 37668 basics)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.notices.test_notice_versions import CONTACT
from tests.web.test_browser import CULPRITS, OVERFLOW, PASSWORD, SHOTS, WIDTHS, User, browser  # noqa: F401
from zhenggai.ledger.demo import load_demo
from zhenggai.notices.choices import Audience
from zhenggai.notices.models import Notice
from zhenggai.notices.services import publish_notice
from zhenggai.notices.workflow import approve_notice, sign_notice, withdraw_notice
from zhenggai.portal import captcha
from zhenggai.portal.models import PublicFeedback

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "web" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _check(page: Any, name: str, width: str, problems: list[str]) -> None:
    if page.locator('body[data-layout="portal"]').count() != 1:
        problems.append(f"{name} {width}: not the public layout")
    scroll, inner = page.evaluate(OVERFLOW)
    if scroll > inner:
        problems.append(f"{name} {width}: {scroll} px wide in {inner} px: {page.evaluate(CULPRITS)}")
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("() => typeof axe.run") == "function"  # the scan really runs
    for violation in page.evaluate(SERIOUS):
        problems.append(f"{name} {width}: axe {violation}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{width}-{name}.png"), full_page=True)


def _publish() -> Notice:
    from django.contrib.auth.models import User as DjangoUser

    inspection = load_demo(password=PASSWORD).inspection
    leader, supervisor = (
        DjangoUser.objects.get(username="lingdao"),
        DjangoUser.objects.get(username="xunchaban"),
    )
    draft = publish_notice(by=leader, inspection=inspection, audience=Audience.PUBLIC, contact=CONTACT)
    return sign_notice(by=leader, notice=approve_notice(by=supervisor, notice=draft))


def _send_feedback(page: Any, content: str) -> str:
    page.locator("#feedback").scroll_into_view_if_needed()
    page.check("input[name=category][value=not_done]")
    page.fill("textarea[name=content]", content)
    page.fill("input[name=phone]", "13812341234")
    token = page.get_attribute("input[name=token]", "value")
    nonce = captcha.nonce_of(token or "")
    assert nonce is not None
    page.fill("input[name=captcha]", captcha.answer_for(nonce))  # the test reads the answer from the token
    page.click("#feedback button[type=submit]")
    page.locator("#tracking-code").wait_for()
    return str(page.inner_text("#tracking-code")).strip()


def test_a_citizen_and_the_unit_exchange_feedback_through_the_portal(
    browser: Any,  # noqa: F811
    transactional_db: Any,
    live_server: Any,
) -> None:
    from django.contrib.auth.models import User as DjangoUser

    notice = _publish()
    base = live_server.url
    unit_id = notice.inspection.inspected_unit_id
    problems: list[str] = []

    # a citizen: no account, no login. bypass_csp: the axe-core scan is injected as a script, which our
    # Content-Security-Policy (script-src 'self') rightly refuses.
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        for name, path in [
            ("index", "/gongkai/"),
            ("search", "/gongkai/?q=文旅"),
            ("notice", f"/gongkai/notices/{notice.pk}/"),
            ("unit", f"/gongkai/units/{unit_id}/"),
            ("lookup", "/gongkai/feedback/"),
        ]:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            _check(page, name, width, problems)
    page.set_viewport_size(WIDTHS["desk"])
    page.goto(f"{base}/gongkai/")
    page.click(f"a[href='/gongkai/notices/{notice.pk}/']")
    page.locator("article.notice h1").wait_for()
    assert "发布日期" in page.inner_text("main")
    code = _send_feedback(page, "区文旅局接待审批仍未按要求执行。")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    _check(page, "feedback-sent", "desk", problems)

    staff = User(browser, base, "lingdao")  # the unit's leader
    assert int(staff.page.inner_text("#unread-count")) >= 1
    staff.go("/supervision/notifications/")
    staff.page.click("text=新的群众意见")
    feedback = PublicFeedback.objects.get()
    for width, size in WIDTHS.items():  # the handling pages sit in the intranet layout and fit a phone
        staff.page.set_viewport_size(size)
        for name, path in (("queue", "/feedback/"), ("detail", f"/feedback/{feedback.pk}/")):
            staff.go(path)
            assert staff.page.locator('body[data-layout="zhenggai"]').count() == 1
            scroll, inner = staff.page.evaluate(OVERFLOW)
            assert scroll <= inner, f"{path} {width}: {staff.page.evaluate(CULPRITS)}"
            staff.page.screenshot(path=str(SHOTS / f"portal-{width}-staff-{name}.png"), full_page=True)
    staff.page.set_viewport_size(WIDTHS["desk"])
    staff.go(f"/feedback/{feedback.pk}/")
    assert "138****1234" in staff.page.inner_text("#contact")  # the leader is not the handler: masked
    staff.page.fill("#answer textarea[name=answer-answer]", "已约谈相关负责同志，补办接待审批手续。")
    staff.page.click("#answer button[type=submit]")
    staff.page.wait_for_selector("text=已答复，来信人可凭查询码查看")

    page.goto(f"{base}/gongkai/feedback/")
    page.fill("input[name=code]", code)
    page.click("main form button[type=submit]")
    page.locator("#feedback-answer").wait_for()
    assert "补办接待审批手续" in page.inner_text("#feedback-answer")
    assert "13812341234" not in page.content()
    _check(page, "feedback-status", "desk", problems)

    withdraw_notice(
        by=DjangoUser.objects.get(username="lingdao"), notice=notice, reason="数字有误，重新核对。"
    )
    page.goto(f"{base}/gongkai/notices/{notice.pk}/")
    assert "已撤回" in page.inner_text(".portal-withdrawn")
    staff.close()

    # a second item, sent on Monday 30 November 2026 and not answered: red on the 16th working day
    notice2 = _publish_again(notice)
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=True):
        page.goto(f"{base}/gongkai/notices/{notice2.pk}/")
        _send_feedback(page, "整改情况与实际不符。")
    late = PublicFeedback.objects.latest("pk")
    assert late.due_on == dt.date(2026, 12, 21)
    from zhenggai.supervision.services import run_sweep

    with time_machine.travel(dt.datetime(2026, 12, 22, 9, tzinfo=SHANGHAI), tick=True):
        run_sweep()
        staff = User(browser, base, "lingdao")
        staff.go("/feedback/")
        assert staff.page.locator(f"tr.feedback-overdue a[href='/feedback/{late.pk}/']").count() == 1
        staff.close()
    context.close()
    assert not problems, "\n".join(problems)


def _publish_again(previous: Notice) -> Notice:
    from django.contrib.auth.models import User as DjangoUser

    leader, supervisor = (
        DjangoUser.objects.get(username="lingdao"),
        DjangoUser.objects.get(username="xunchaban"),
    )
    draft = publish_notice(
        by=leader, inspection=previous.inspection, audience=Audience.PUBLIC, contact=CONTACT
    )
    return sign_notice(by=leader, notice=approve_notice(by=supervisor, notice=draft))
