"""A leader starts a ledger in the browser (desktop, 1440 px): creates the inspection, then types and pastes
3 方面, 6 问题, 11 具体问题 and 14 整改措施 (the shape of the first seed notice) and assigns the departments,
all with the keyboard and without a page reload."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import SHOTS, User, browser, demo_live  # noqa: F401  (fixtures)
from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.models import Finding, Inspection, Measure

pytestmark = pytest.mark.browser

ASPECTS = ["（二）聚焦群众身边腐败问题和不正之风方面", "（三）聚焦基层党组织和干部队伍建设方面"]
FIRST_ASPECT = "（一）聚焦贯彻落实党的理论路线方针政策、党中央决策部署方面"
# Problems per aspect, details per problem, measures per detail: 3 aspects, 6 problems, 11 details, 14 measures.
PROBLEMS = {0: 4, 1: 1, 2: 1}
DETAILS = [1, 3, 2, 1, 2, 2]
MEASURES = [2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1]


def _counts(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#ledger-counts")).to_contain_text(text)


def _children(parent: Finding | None, inspection: Inspection, level: FindingLevel) -> list[Finding]:
    return list(
        Finding.objects.filter(inspection=inspection, parent=parent, level=level).order_by("position", "id")
    )


def _settled(page: Any) -> None:
    """No HTMX request or swap under way (a box filled during a swap would be replaced, and its text lost)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _paste(page: Any, box: str, lines: list[str]) -> None:
    """Paste several lines into an add box and press Enter (the box submits; Shift+Enter would break a line)."""
    from playwright.sync_api import expect

    _settled(page)
    text = "\n".join(lines)
    page.fill(f"#{box}", text)
    expect(page.locator(f"#{box}")).to_have_value(text)
    page.press(f"#{box}", "Enter")


def test_leader_creates_an_inspection_and_enters_its_ledger_by_typing_and_pasting(
    browser: Any,  # noqa: F811
    demo_live: tuple[Inspection, str],  # noqa: F811
) -> None:
    demo, base = demo_live
    leader = User(browser, base, "lingdao")
    page = leader.page
    page.set_viewport_size({"width": 1440, "height": 900})
    leader.go("/inspections/")
    page.click("text=新建巡察")
    page.select_option("#id_inspected_unit", label=demo.inspected_unit.name)
    page.fill("#id_inspector", "区委巡察二组")
    page.fill("#id_onsite_start", "2026-01-04")
    page.fill("#id_onsite_end", "2026-02-02")
    page.fill("#id_feedback_date", "2026-03-18")
    leader.shot("ledger-new")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/ledger/edit/")
    inspection = Inspection.objects.get(inspector="区委巡察二组")
    reloads: list[str] = []
    page.on("framenavigated", lambda frame: reloads.append(frame.url) if frame == page.main_frame else None)

    # Type the first aspect, then paste the other two into the same box.
    page.click("#add-top-aspect")
    page.keyboard.type(FIRST_ASPECT)
    page.keyboard.press("Enter")
    _counts(page, "共 1 个方面")
    assert page.evaluate("document.activeElement.id") == "add-top-aspect", "focus stays in the add box"
    _paste(page, "add-top-aspect", ASPECTS)
    _counts(page, "共 3 个方面")
    aspects = _children(None, inspection, FindingLevel.ASPECT)
    assert [a.title for a in aspects] == [
        "聚焦贯彻落实党的理论路线方针政策、党中央决策部署方面",
        "聚焦群众身边腐败问题和不正之风方面",
        "聚焦基层党组织和干部队伍建设方面",
    ]

    problem_number = 0
    for index, aspect in enumerate(aspects):
        lines = [f"{n + 1}.关于“第{problem_number + n + 1}项问题”的问题" for n in range(PROBLEMS[index])]
        problem_number += len(lines)
        _paste(page, f"add-problem-{aspect.pk}", lines)
        _counts(page, f"{problem_number} 个问题")
    problems = [p for a in aspects for p in _children(a, inspection, FindingLevel.PROBLEM)]
    assert len(problems) == 6

    detail_number = 0
    for problem, count in zip(problems, DETAILS, strict=True):
        lines = [f"（{n + 1}）针对“具体问题{detail_number + n + 1}”的问题" for n in range(count)]
        detail_number += count
        _paste(page, f"add-detail-{problem.pk}", lines)
        _counts(page, f"{detail_number} 个具体问题")
    details = [d for p in problems for d in _children(p, inspection, FindingLevel.DETAIL)]
    assert len(details) == 11

    measure_number = 0
    for detail, count in zip(details, MEASURES, strict=True):
        lines = [f"{'一二'[n]}是整改措施{measure_number + n + 1}。" for n in range(count)]
        measure_number += count
        _paste(page, f"add-measure-{detail.pk}", lines)
        _counts(page, f"{measure_number} 条整改措施")
    _counts(page, "共 3 个方面、6 个问题、11 个具体问题、14 条整改措施")
    leader.shot("ledger-editor-entered")

    # Assign each measure its owners: lead and cooperating departments, leader, person, type, deadline.
    measures = list(Measure.objects.filter(inspection=inspection).order_by("position", "id"))
    departments = ["办公室", "财务股", "人事股", "产业发展股"]
    for number, measure in enumerate(measures):
        row = page.locator(f"#m-{measure.pk}")
        row.locator("select[name=lead_department]").select_option(label=departments[number % 4])
        row.locator("select[name=cooperating_departments]").select_option(
            label=[departments[(number + 1) % 4]]
        )
        row.locator("input[name=responsible_leader]").fill("王副局长")
        row.locator("input[name=responsible_person]").fill(f"经办人{number + 1}")
        row.locator("select[name=kind]").select_option(label="立行立改" if number % 3 == 0 else "限期整改")
        row.locator("input[name=deadline]").fill("2026-09-30")
        row.locator("button:has-text('保存')").click()
        page.locator(f"#m-{measure.pk} .le-note").wait_for()
    leader.shot("ledger-editor-assigned")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "ledger-editor-top.png"))
    page.locator(f"#f-{problems[1].pk}").screenshot(path=str(SHOTS / "ledger-editor-problem.png"))

    assert reloads == [], f"the editor reloaded the page: {reloads}"
    for number, measure in enumerate(measures):
        measure.refresh_from_db()
        assert measure.lead_department is not None
        assert measure.lead_department.name == departments[number % 4]
        assert [u.name for u in measure.cooperating_departments.all()] == [departments[(number + 1) % 4]]
        assert (measure.responsible_person, str(measure.deadline)) == (f"经办人{number + 1}", "2026-09-30")
    inspection.tally.refresh_from_db()
    assert (inspection.tally.problems, inspection.tally.details, inspection.tally.measures) == (6, 11, 14)

    # A row moved up with the keyboard: Tab to its ↑ button and press Enter.
    last = measures[1]
    page.focus(f"#m-{last.pk} button[aria-label=上移]")
    page.keyboard.press("Enter")
    page.locator(f"#m-{last.pk} .le-note").wait_for()
    first = Measure.objects.filter(finding=last.finding).order_by("position", "id").first()
    assert first == last
    leader.close()
    assert SHOTS.exists()
