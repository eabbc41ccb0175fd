"""The daily journey in a real browser (Debian's chromium, headless, driven by Playwright).

Staff reports progress with a file → the leader rejects with a reason → staff reports again → the leader
approves → the measure shows done and the supervisor's completion rate for the unit rises; a unit-A user
opening a unit-B measure gets 404; the supervisor sees both units. Screenshots of the main pages are saved
into `screenshots/` (or $ZHENGGAI_SCREENSHOTS).

Then every page of every role, at 1440×900 and 390×844: the one layout is there and nothing scrolls sideways;
a screenshot per page and width (pages-desk-ROLE-PAGE.png, pages-phone-ROLE-PAGE.png).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.models import Inspection, Measure

CHROMIUM = os.environ.get("ZHENGGAI_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "demo-pass-123"
SHOTS = Path(os.environ.get("ZHENGGAI_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("ZHENGGAI_REQUIRE_BROWSER"):
            pytest.fail(
                f"chromium not found at {CHROMIUM}; ./dev test installs it (apt-get install chromium)"
            )
        pytest.skip(f"chromium not found at {CHROMIUM}: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls of the test are
    # ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def demo_live(transactional_db: Any, live_server: Any) -> tuple[Inspection, str]:
    return load_demo(password=PASSWORD).inspection, live_server.url


class User:
    """One person at their own browser."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.base = base
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
        self.page = self.context.new_page()
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        return self.page.goto(f"{self.base}{path}")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def report(self, measure: Measure, text: str, progress: int, evidence: Path) -> None:
        self.go(f"/measures/{measure.pk}/")
        self.page.fill("#report textarea[name=text]", text)
        self.page.fill("#report input[name=progress]", str(progress))
        self.page.set_input_files("#report input[name=evidence]", str(evidence))
        self.page.click("#report button[type=submit]")
        self.page.wait_for_selector("text=整改进展已报送")
        self.page.click("#signoff button[type=submit]")
        self.page.wait_for_selector("text=已提交销号申请")

    def close(self) -> None:
        self.context.close()


def _rate(supervisor: User, unit: str) -> float:
    supervisor.go("/overview/")
    cell = supervisor.page.locator(f'tr[data-unit="{unit}"] td.rate').inner_text()
    match = re.match(r"([\d.]+)%", cell)
    assert match, cell
    return float(match.group(1))


def test_report_reject_report_again_approve_raises_the_units_completion_rate(
    browser: Any, demo_live: tuple[Inspection, str], tmp_path: Path
) -> None:
    inspection, base = demo_live
    unit = inspection.inspected_unit.name
    measure = Measure.objects.filter(
        inspection=inspection, status=MeasureStatus.IN_PROGRESS, lead_department__name="办公室"
    ).first()
    assert measure is not None
    evidence = tmp_path / "制度印发文件.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence for the browser test\n")

    supervisor = User(browser, base, "xunchaban")
    before = _rate(supervisor, unit)
    supervisor.shot("overview")

    staff = User(browser, base, "jingban")
    staff.go("/tasks/")
    staff.shot("my-tasks")
    staff.report(measure, "已制定制度并印发执行。", 100, evidence)
    staff.shot("measure-pending")

    leader = User(browser, base, "lingdao")
    leader.go("/reviews/")
    leader.shot("reviews")
    row = leader.page.locator(f"#signoff-{measure.signoffs.get().pk}")
    assert row.locator(".zg-evidence a", has_text="制度印发文件.pdf").count() == 1
    row.locator("textarea[name=note]").fill("佐证材料不全,请补充制度全文。")
    row.locator("summary", has_text="退回").click()
    row.locator("button[name=reject]").click()
    leader.page.wait_for_selector("text=已退回")
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS

    staff.go(f"/measures/{measure.pk}/")
    assert "佐证材料不全,请补充制度全文。" in staff.page.content()
    staff.report(measure, "已补充制度全文。", 100, evidence)

    leader.go("/reviews/")
    pending = measure.signoffs.get(decision="pending")
    leader.page.locator(f"#signoff-{pending.pk} summary", has_text="同意销号").click()
    leader.page.locator(f"#signoff-{pending.pk} button[name=approve]").click()
    leader.page.wait_for_selector("text=已同意")

    staff.go(f"/measures/{measure.pk}/")
    done = Measure.objects.get(pk=measure.pk)
    assert done.status == MeasureStatus.DONE
    # Signed off after its deadline the measure reads 逾期完成 (done_late), else 已完成.
    assert staff.page.locator("#measure-status").inner_text() == (
        "逾期完成" if done.is_done_late else "已完成"
    )
    staff.shot("measure-done")

    after = _rate(supervisor, unit)
    assert after > before
    leader.go(f"/inspections/{inspection.pk}/")
    leader.shot("inspection-tree")
    for user in (supervisor, staff, leader):
        user.close()


def test_unit_a_user_gets_404_for_unit_b_and_supervisor_sees_both(
    browser: Any, demo_live: tuple[Inspection, str]
) -> None:
    inspection, base = demo_live
    foreign = Measure.objects.exclude(inspection=inspection).first()
    assert foreign is not None
    leader = User(browser, base, "lingdao")
    response = leader.go(f"/measures/{foreign.pk}/")
    assert response.status == 404
    assert "页面不存在" in leader.page.content()
    supervisor = User(browser, base, "xunchaban")
    assert supervisor.go(f"/measures/{foreign.pk}/").status == 200
    supervisor.go("/overview/")
    units = supervisor.page.locator("#overview-table tr[data-unit]").evaluate_all(
        "rows => rows.map(r => r.dataset.unit)"
    )
    assert {"临江区文化和旅游局", "临江区档案馆"} <= set(units)
    leader.close()
    supervisor.close()


# --- every page, every role, desk and phone ------------------------------------------------------------------

WIDTHS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

# (name, path) per role: every page the role can open. Paths use {inspection}, {measure}, {unit}, {notice}.
COMMON = [
    ("home", "/"),
    ("tasks", "/tasks/"),
    ("inspections", "/inspections/"),
    ("inspection-tree", "/inspections/{inspection}/"),
    ("measure", "/measures/{measure}/"),
    ("audit", "/audit/measure/{measure}/"),
    ("notice-versions", "/inspections/{inspection}/notices/"),
    ("supervision-notices", "/supervision/notices/"),
    ("supervision-notice", "/supervision/notices/{notice}/"),
    ("notifications", "/supervision/notifications/"),
    ("indicators", "/supervision/indicators/"),
    ("password", "/accounts/password/"),
    ("coverage", "/evaluation/inspections/{inspection}/coverage/"),
    ("evaluations", "/evaluation/"),
    ("evaluation", "/evaluation/{evaluation}/"),
    ("feedback-queue", "/feedback/"),
    ("api-tokens", "/accounts/tokens/"),
]
MANAGE = [
    ("all-measures", "/tasks/?scope=all&show=all"),
    ("reviews", "/reviews/"),
    ("ledger-import", "/inspections/{inspection}/ledger/import/"),
    ("measure-edit", "/measures/{measure}/edit/"),
    ("inspection-edit", "/inspections/{inspection}/edit/"),
    ("notice-publish", "/inspections/{inspection}/notices/publish/"),
    ("notice-import", "/notices/import/"),
    ("inspection-new", "/inspections/new/"),
    ("ledger-editor", "/inspections/{inspection}/ledger/edit/"),
    ("warnings", "/supervision/warnings/"),
    ("weekly", "/supervision/weekly/"),
    ("signals", "/evaluation/signals/"),
]
SUPERVISE = [
    ("overview", "/overview/"),
    ("unit", "/units/{unit}/"),
    ("issue-notice", "/supervision/notices/issue/?measures={measure}"),
    ("rubric", "/evaluation/rubric/"),
    ("rechecks", "/evaluation/rechecks/"),
    ("recheck", "/evaluation/rechecks/{recheck}/"),
    ("audit-log", "/audit/"),
]
ROLE_PAGES = {
    "xunchaban": COMMON + MANAGE + SUPERVISE,
    "lingdao": [*COMMON, *MANAGE, ("indicators-import", "/supervision/indicators/import/")],
    "jingban": COMMON,
    "chakan": COMMON,
}

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Elements sticking out of the viewport, to name the culprit when a page overflows.
CULPRITS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
  .slice(0, 5).map(e => e.tagName + '.' + [...e.classList].join('.') + ' ' + (e.textContent || '').trim().slice(0, 30))"""


def _check(page: Any, role: str, name: str, width: str, problems: list[str]) -> None:
    if name == "overview":  # the charts are loaded by HTMX after the page, then drawn by ECharts
        page.locator('[data-chart="trend"][data-drawn]').wait_for()
    if page.locator('body[data-layout="zhenggai"]').count() != 1:
        problems.append(f"{role} {name} {width}: no layout marker (unstyled page)")
    scroll, inner = page.evaluate(OVERFLOW)
    if scroll > inner:
        problems.append(
            f"{role} {name} {width}: {scroll} px wide in a {inner} px window: {page.evaluate(CULPRITS)}"
        )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pages-{width}-{role}-{name}.png"), full_page=True)


def test_every_page_of_every_role_has_the_layout_and_fits_a_desk_and_a_phone(
    browser: Any, demo_live: tuple[Inspection, str], tmp_path: Path
) -> None:
    from django.contrib.auth.models import User as DjangoUser

    from tests.notices.test_import_statuses import ALL_COMPLETE
    from zhenggai.supervision.notices import issue_supervision_notice
    from zhenggai.supervision.services import run_sweep

    inspection, base = demo_live
    run_sweep()  # lights, warnings and the messages they send
    overdue = (
        Measure.objects.filter(inspection=inspection, lead_department__name="办公室")
        .exclude(status__in=(MeasureStatus.DONE, MeasureStatus.ONGOING))
        .order_by("deadline")
    )
    measure = overdue.first()
    assert measure is not None
    notice = issue_supervision_notice(
        by=DjangoUser.objects.get(username="xunchaban"),
        measures=list(overdue[:3]),
        title="关于加快推进财务整改的督办单",
        content="请于回复时限前报送整改进展，逐条说明未完成的原因和下一步措施。",
        reply_deadline=dt.date.today() + dt.timedelta(days=7),
    )
    from zhenggai.evaluation import services as evaluation_services

    supervisor = DjangoUser.objects.get(username="xunchaban")
    evaluation = evaluation_services.evaluate(by=supervisor, inspection=inspection)
    recheck = evaluation_services.draw_recheck(by=supervisor, unit=inspection.inspected_unit, size=3, seed=1)
    values = {
        "evaluation": evaluation.pk,
        "recheck": recheck.pk,
        "inspection": inspection.pk,
        "measure": measure.pk,
        "unit": inspection.inspected_unit_id,
        "notice": notice.pk,
    }
    # a notice whose preview also shows a measure's warning (该措施表述中有“…”，请核对状态。)
    notice_file = tmp_path / "档案局通报.txt"
    notice_file.write_bytes(ALL_COMPLETE.encode("gbk"))
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(f"{base}/accounts/login/")
        _check(page, "anonymous", "login", width, problems)
    context.close()

    for role, pages in ROLE_PAGES.items():
        user = User(browser, base, role)
        for width, size in WIDTHS.items():
            user.page.set_viewport_size(size)
            for name, path in pages:
                response = user.go(path.format(**values))
                assert response.status < 400, f"{role} {path}: {response.status}"
                _check(user.page, role, name, width, problems)
            if role == "lingdao":
                # The notice import's second step: the parsed notice, checks and tree before confirming.
                user.go("/notices/import/")
                user.page.set_input_files("#id_file", str(notice_file))
                user.page.select_option("#id_unit", index=1)
                user.page.click("main form button[type=submit]")
                user.page.locator("#preview").wait_for()
                _check(user.page, role, "notice-import-preview", width, problems)
            if width == "phone":
                # The navigation collapses behind a toggler and opens on a tap.
                user.go("/")
                toggler = user.page.locator(".navbar-toggler")
                assert toggler.is_visible()
                assert not user.page.locator("#zg-nav").is_visible()
                toggler.click()
                user.page.locator("#zg-nav a", has_text="巡察台账").wait_for(state="visible")
                _check(user.page, role, "menu-open", width, problems)
        user.close()
    assert not problems, "\n".join(problems)
