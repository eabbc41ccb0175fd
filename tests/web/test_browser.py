"""The daily journey in a real browser (Debian's chromium, headless, driven by Playwright).

Staff reports progress with a file → the leader rejects with a reason → staff reports again → the leader
approves → the measure shows done and the supervisor's completion rate for the unit rises; a unit-A user
opening a unit-B measure gets 404; the supervisor sees both units. Screenshots of the main pages are saved
into `screenshots/` (or $ZHENGGAI_SCREENSHOTS).
"""

from __future__ import annotations

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
    row.locator("input[name=reason]").fill("佐证材料不全,请补充制度全文。")
    row.locator("button[name=reject]").click()
    leader.page.wait_for_selector("text=已退回")
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS

    staff.go(f"/measures/{measure.pk}/")
    assert "佐证材料不全,请补充制度全文。" in staff.page.content()
    staff.report(measure, "已补充制度全文。", 100, evidence)

    leader.go("/reviews/")
    pending = measure.signoffs.get(decision="pending")
    leader.page.locator(f"#signoff-{pending.pk} button[name=approve]").click()
    leader.page.wait_for_selector("text=已同意")

    staff.go(f"/measures/{measure.pk}/")
    assert staff.page.locator("#measure-status").inner_text() == "已完成"
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
