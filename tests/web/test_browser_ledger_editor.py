"""A leader starts a ledger in the browser (desktop, 1440 px): creates the inspection, then types and pastes
3 方面, 6 问题, 11 具体问题 and 14 整改措施 (the shape of the first seed notice) and assigns the departments,
all with the keyboard and without a page reload; then the ledger is lived (issue 11's acceptance journey):
staff report with evidence, a sign-off below 100 % and an extension to 9999-12-31 are refused with a message, a
200-day extension goes to the 巡察办 after the leader, a returned sign-off reaches staff as an unread message,
and a 督办单 cannot be closed while its measure stands at 40 %."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.web.test_browser import SHOTS, User, browser, demo_live  # noqa: F401  (fixtures)
from zhenggai.ledger.choices import Decision, FindingLevel, MeasureStatus
from zhenggai.ledger.models import Extension, Finding, Inspection, Measure, SignOff
from zhenggai.supervision.choices import NoticeStatus
from zhenggai.supervision.models import SupervisionNotice

pytestmark = pytest.mark.browser

ASPECTS = ["（二）景区门票和经营收入管理不够规范方面", "（三）干部队伍作风建设有待加强方面"]
FIRST_ASPECT = "（一）落实文旅融合发展部署不够到位方面"
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


def test_a_ledger_typed_and_pasted_in_the_browser_then_lived_under_the_rules(
    browser: Any,  # noqa: F811
    demo_live: tuple[Inspection, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    demo, base = demo_live
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=60)
    leader = User(browser, base, "lingdao")
    page = leader.page
    page.set_viewport_size({"width": 1440, "height": 900})
    leader.go("/inspections/")
    page.click("text=新建巡察")
    page.select_option("#id_inspected_unit", label=demo.inspected_unit.name)
    page.fill("#id_inspector", "区委巡察二组")
    page.fill("#id_onsite_start", str(today - dt.timedelta(days=90)))
    page.fill("#id_onsite_end", str(today - dt.timedelta(days=60)))
    page.fill("#id_feedback_date", str(today - dt.timedelta(days=30)))
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
        "落实文旅融合发展部署不够到位方面",
        "景区门票和经营收入管理不够规范方面",
        "干部队伍作风建设有待加强方面",
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
        row.locator("input[name=deadline]").fill(str(deadline))
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
        assert (measure.responsible_person, str(measure.deadline)) == (f"经办人{number + 1}", str(deadline))
    inspection.tally.refresh_from_db()
    assert (inspection.tally.problems, inspection.tally.details, inspection.tally.measures) == (6, 11, 14)

    # A row moved up with the keyboard: Tab to its ↑ button and press Enter.
    last = measures[1]
    page.focus(f"#m-{last.pk} button[aria-label=上移]")
    page.keyboard.press("Enter")
    page.locator(f"#m-{last.pk} .le-note").wait_for()
    first = Measure.objects.filter(finding=last.finding).order_by("position", "id").first()
    assert first == last
    assert SHOTS.exists()

    _staff_reports_and_the_rules_hold(browser, base, leader, measures, deadline, tmp_path)


def _open(page: Any, fold: str) -> None:
    """Unfold a folded form (a <details> card) on the measure page."""
    page.locator(f"#{fold} > summary").click()


def _staff_reports_and_the_rules_hold(
    browser: Any,  # noqa: F811
    base: str,
    leader: User,
    measures: list[Measure],
    deadline: dt.date,
    tmp_path: Path,
) -> None:
    """The ledger just built, lived: staff report with evidence; the rules refuse a sign-off below 100 %, an
    extension to 9999-12-31 and a 督办单's close while a measure is at 40 %; a 200-day extension goes to the
    巡察办 after the leader; a returned sign-off reaches the staff member as an unread message."""
    from playwright.sync_api import expect

    evidence = tmp_path / "整改会议纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% minutes of the rectification meeting\n")
    # 办公室 and 财务股 are the demo staff member's departments (measures 1, 2 and 5 of the ledger).
    partial, complete, supervised = measures[0], measures[1], measures[4]
    staff = User(browser, base, "jingban")
    staff.page.set_viewport_size({"width": 1440, "height": 900})
    page = staff.page

    # 60 %: reported with evidence, but the sign-off is refused with the reason beside the form.
    staff.go(f"/measures/{partial.pk}/")
    expect(page.locator("#report input[name=progress]")).to_have_value("0")
    page.fill("#report textarea[name=text]", "已召开专题会议部署整改，制定工作方案。")
    page.fill("#report input[name=progress]", "60")
    page.set_input_files("#report input[name=evidence]", str(evidence))
    page.click("#report button[type=submit]")
    expect(page.locator("main")).to_contain_text("整改进展已报送")
    _open(page, "signoff")
    page.click("#signoff button[type=submit]")
    expect(page.locator("#signoff")).to_contain_text("进度达到100%方可申请销号")
    assert not SignOff.objects.filter(measure=partial).exists()

    # An extension to 9999-12-31 is refused with a message; nothing is recorded.
    _open(page, "extension")
    page.fill("#extension input[name=new_deadline]", "9999-12-31")
    page.fill("#extension textarea[name=reason]", "项目周期长。")
    page.click("#extension button[type=submit]")
    expect(page.locator("#extension")).to_contain_text("不予受理")
    assert not Extension.objects.filter(measure=partial).exists()

    # 200 days: the leader approves, and the request waits for the 巡察办 (beyond the 90-day limit).
    later = deadline + dt.timedelta(days=200)
    if not page.locator("#extension").evaluate("e => e.open"):
        _open(page, "extension")
    page.fill("#extension input[name=new_deadline]", str(later))
    page.fill("#extension textarea[name=reason]", "需待明年预算批复后实施，申请延期。")
    page.click("#extension button[type=submit]")
    expect(page.locator("#pending-extension")).to_contain_text("+200 天")
    extension = Extension.objects.get(measure=partial)
    leader.go("/reviews/")
    card = leader.page.locator(f"#extension-{extension.pk}")
    card.locator("summary", has_text="同意延期").click()
    card.locator("button[name=approve]").click()
    expect(leader.page.locator("main")).to_contain_text("待巡察办审核后生效")
    extension.refresh_from_db()
    assert extension.decision == Decision.PENDING
    supervisor = User(browser, base, "xunchaban")
    supervisor.page.set_viewport_size({"width": 1440, "height": 900})
    supervisor.go("/reviews/")
    expect(supervisor.page.locator(f"#extension-{extension.pk} .awaits-supervisor")).to_contain_text(
        "超过延期限额"
    )
    supervisor.shot("journey-extension-awaits-supervisor")

    # 100 % with evidence, sign-off requested; the leader returns it with 审核意见.
    staff.go(f"/measures/{complete.pk}/")
    page.fill("#report textarea[name=text]", "已完成收入台账清理并建立月度核对制度。")
    page.fill("#report input[name=progress]", "100")
    page.set_input_files("#report input[name=evidence]", str(evidence))
    page.click("#report button[type=submit]")
    expect(page.locator("main")).to_contain_text("整改进展已报送")
    page.click("#signoff button[type=submit]")
    expect(page.locator("main")).to_contain_text("已提交销号申请")
    signoff = SignOff.objects.get(measure=complete)
    leader.go("/reviews/")
    card = leader.page.locator(f"#signoff-{signoff.pk}")
    expect(card.locator(".zg-evidence a", has_text="整改会议纪要.pdf")).to_have_count(1)
    card.locator("textarea[name=note]").fill("核对制度未见印发文件，请补充后再申请。")
    card.locator("summary", has_text="退回").click()
    card.locator("button[name=reject]").click()
    expect(leader.page.locator("main")).to_contain_text("已退回")
    staff.go("/")
    expect(page.locator("#unread-count")).to_have_text(re.compile(r"[1-9]\d*"))
    page.locator("#unread-count").click()
    expect(page.locator("main")).to_contain_text("核对制度未见印发文件，请补充后再申请。")
    staff.shot("journey-staff-messages")

    # A 督办单 on a measure at 40 %: issued, replied, and its close is refused while the measure stands there.
    staff.go(f"/measures/{supervised.pk}/")
    page.fill("#report textarea[name=text]", "已完成一半人员的约谈。")
    page.fill("#report input[name=progress]", "40")
    page.click("#report button[type=submit]")
    expect(page.locator("main")).to_contain_text("整改进展已报送")
    spage = supervisor.page
    supervisor.go(f"/supervision/notices/issue/?measures={supervised.pk}")
    spage.fill("#id_title", "督促加快干部作风问题整改")
    spage.fill("#id_content", "请于期限内报告约谈进展。")
    spage.fill("#id_reply_deadline", str(timezone.localdate() + dt.timedelta(days=10)))
    spage.click("main form button[type=submit]")
    spage.wait_for_url("**/supervision/notices/*/")
    notice = SupervisionNotice.objects.get(title="督促加快干部作风问题整改")
    staff.go(f"/supervision/notices/{notice.pk}/")
    page.fill("textarea[name=reply]", "已约谈一半人员，其余月底前完成。")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("已约谈一半人员")
    supervisor.go(f"/supervision/notices/{notice.pk}/")
    expect(spage.locator("#close-blocked")).to_contain_text("进度40%")
    # Even past the disabled button (a stale page, a script) the service refuses.
    spage.fill("textarea[name=closing_note]", "同意办结。")
    spage.evaluate("document.querySelector('form[action$=\"/close/\"] button').disabled = false")
    spage.click("form[action$='/close/'] button")
    expect(spage.locator("main")).to_contain_text("督办单尚不能办结")
    supervisor.shot("journey-notice-close-refused")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED
    assert Measure.objects.get(pk=supervised.pk).status == MeasureStatus.IN_PROGRESS
    for user in (staff, supervisor, leader):
        user.close()
