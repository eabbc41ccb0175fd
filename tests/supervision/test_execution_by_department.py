"""A department that owns the figures (the finance section's 经办人) imports the 项目执行情况表 for its unit and
issues the 预警单 for its own projects; other departments' rows and indicators are refused row by row, and
nothing is written. The unit's leader keeps every right."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client

from tests.conftest import World
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.supervision.execution_tables import PROJECTS, execution_table
from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import Unit
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.execution import import_execution
from zhenggai.supervision.indicators import add_indicator
from zhenggai.supervision.models import Indicator, IndicatorActual, IndicatorNotice, Notification
from zhenggai.supervision.warning_notices import issue_indicator_notices

Clock = Callable[[dt.date], None]
SIXTY_PERCENT = dt.date(2025, 8, 7)
FINANCE = "文旅局财务股"


@pytest.fixture
def finance(world: World, clock: Clock) -> World:
    clock(SIXTY_PERCENT)
    section = UnitFactory(name=FINANCE, kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    MembershipFactory(user=UserFactory(username="cashier"), unit=section, role=Role.STAFF)
    return world


def _cashier() -> Any:
    from django.contrib.auth.models import User

    return User.objects.get(username="cashier")


def _section() -> Unit:
    return Unit.objects.get(name=FINANCE)


def _finance_rows(department: str = FINANCE) -> list[tuple[str, str, object, int]]:
    return [(name, department, budget, executed) for name, _, budget, executed in PROJECTS]


def test_the_finance_staff_imports_twelve_projects_and_owns_the_new_indicators(
    finance: World, tmp_path: Path
) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows(department=""))

    result = import_execution(path, unit=finance.unit_a, by=_cashier(), on_date=SIXTY_PERCENT)

    assert result.errors == []
    assert (result.created, result.reported) == (12, 12)
    assert result.counts() == {"red": 2, "yellow": 3, "green": 7}
    owners = set(Indicator.objects.values_list("department__name", flat=True))
    assert owners == {FINANCE}


def test_a_row_naming_another_department_refuses_the_whole_table(finance: World, tmp_path: Path) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx")  # the office's projects among the section's

    result = import_execution(path, unit=finance.unit_a, by=_cashier(), on_date=SIXTY_PERCENT)

    assert result.errors[0] == (
        "工作表“项目执行情况”第4行：项目“文物保护修缮专项”的责任部门“文旅局办公室”不是您所在的部门，"
        "请由单位领导导入或删去该行"
    )
    assert len(result.errors) == 7  # every office row, named
    assert not Indicator.objects.exists()
    assert not IndicatorActual.objects.exists()


def test_an_existing_indicator_of_another_department_is_refused_and_nothing_is_written(
    finance: World, tmp_path: Path
) -> None:
    add_indicator(
        by=finance.leader_a,
        name="非遗传承扶持资金",
        year=2025,
        target=80,
        unit=finance.unit_a,
        department=finance.dept_a,
    )
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows(department=""))

    result = import_execution(path, unit=finance.unit_a, by=_cashier(), on_date=SIXTY_PERCENT)

    assert result.errors == [
        "工作表“项目执行情况”第5行：项目“非遗传承扶持资金”的指标属于“文旅局办公室”，不是您所在的部门，不能更新"
    ]
    assert Indicator.objects.count() == 1
    assert not IndicatorActual.objects.exists()


def test_the_leader_still_imports_every_department_and_may_own_unnamed_rows_by_a_department(
    finance: World, tmp_path: Path
) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows(department=""))
    result = import_execution(
        path, unit=finance.unit_a, by=finance.leader_a, on_date=SIXTY_PERCENT, department=finance.dept_a
    )
    assert result.errors == []
    assert set(Indicator.objects.values_list("department__name", flat=True)) == {"文旅局办公室"}


def test_staff_of_another_unit_or_a_viewer_may_not_import(finance: World, tmp_path: Path) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx")
    for user in (finance.staff_b, finance.viewer_a):
        with pytest.raises(NotPermitted, match="导入项目执行情况表由区文旅局的领导或项目的责任部门"):
            import_execution(path, unit=finance.unit_a, by=user, on_date=SIXTY_PERCENT)
    with pytest.raises(InvalidInput, match="不是您在区文旅局所在的部门"):
        import_execution(
            path, unit=finance.unit_a, by=_cashier(), on_date=SIXTY_PERCENT, department=finance.dept_a
        )
    assert not Indicator.objects.exists()


def test_staff_in_two_departments_choose_which_one_owns_unnamed_rows(finance: World, tmp_path: Path) -> None:
    MembershipFactory(user=finance.staff_a, unit=_section(), role=Role.STAFF)
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows(department=""))
    unchosen = import_execution(path, unit=finance.unit_a, by=finance.staff_a, on_date=SIXTY_PERCENT)
    assert unchosen.errors[0] == (
        "工作表“项目执行情况”第4行：没有写责任部门，您在多个部门任职，请选择导入哪个部门的项目"
    )
    assert not Indicator.objects.exists()
    result = import_execution(
        path, unit=finance.unit_a, by=finance.staff_a, on_date=SIXTY_PERCENT, department=_section()
    )
    assert result.errors == []
    # A table naming both of their departments imports as written.
    both = execution_table(tmp_path / "二.xlsx")
    assert import_execution(both, unit=finance.unit_a, by=finance.staff_a, on_date=SIXTY_PERCENT).errors == []


def test_the_finance_staff_issues_notices_for_their_own_projects_only(
    finance: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    import_execution(
        execution_table(tmp_path / "执行情况表.xlsx"),
        unit=finance.unit_a,
        by=finance.leader_a,
        on_date=SIXTY_PERCENT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices = issue_indicator_notices(
            by=_cashier(),
            unit=finance.unit_a,
            on_date=SIXTY_PERCENT,
            reply_deadline=dt.date(2025, 8, 17),
        )
    # 非遗传承扶持资金 (red) and 乡村旅游厕所改造 (yellow) are the section's; the office's three are not.
    assert sorted(n.indicators.get().name for n in notices) == ["乡村旅游厕所改造", "非遗传承扶持资金"]
    told = dict(
        Notification.objects.filter(kind=NotificationKind.WARNING)
        .values_list("user__username")
        .annotate(n=Count("pk"))
    )
    assert told == {"cashier": 2}
    with pytest.raises(NotPermitted, match="预警单由区文旅局的领导或项目的责任部门发出"):
        issue_indicator_notices(
            by=finance.viewer_a,
            unit=finance.unit_a,
            on_date=SIXTY_PERCENT,
            reply_deadline=dt.date(2025, 8, 17),
        )
    assert IndicatorNotice.objects.count() == 2


def test_the_pages_let_the_finance_staff_import_and_issue(finance: World, tmp_path: Path) -> None:
    client = Client()
    client.force_login(_cashier())
    url = f"/supervision/indicators/import/?unit={finance.unit_a.pk}&year=2025"
    assert client.get(url).status_code == 200
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows())
    with path.open("rb") as handle:
        preview = client.post(url, {"file": handle, "on_date": "2025-08-07", "owner": _section().pk})
    assert preview.status_code == 200, preview.content.decode()
    done = client.post(
        url,
        {
            "staged": preview.context["staged"],
            "on_date": "2025-08-07",
            "owner": _section().pk,
            "confirm": "1",
        },
    )
    assert done.status_code == 302
    assert Indicator.objects.filter(department__name=FINANCE).count() == 12
    page = client.get(f"/supervision/indicators/?unit={finance.unit_a.pk}&year=2025").content.decode()
    assert "发出预警单（本部门红色2项、黄色3项）" in page
    issued = client.post(
        f"/supervision/indicators/notices/issue/?unit={finance.unit_a.pk}&year=2025",
        {"per": "department", "reply_deadline": "2025-08-17"},
    )
    assert issued.status_code == 302
    assert IndicatorNotice.objects.get().indicators.count() == 5
    assert Decimal(Indicator.objects.get(name="非遗传承扶持资金").target) == Decimal(80)


def test_cli_imports_for_a_department_and_refuses_a_viewer(finance: World, tmp_path: Path) -> None:
    path = execution_table(tmp_path / "执行情况表.xlsx", rows=_finance_rows(department=""))
    unit = str(finance.unit_a.pk)
    with pytest.raises(CommandError, match="导入项目执行情况表由区文旅局的领导或项目的责任部门"):
        call_command(
            "indicator", "import", str(path), "--unit", unit, "--by", "viewer_a", "--date", "2025-08-07"
        )
    with pytest.raises(CommandError, match="“宣传科”不是区文旅局的内设部门"):
        call_command(
            "indicator", "import", str(path), "--unit", unit, "--by", "leader_a", "--department", "宣传科"
        )
    out = io.StringIO()
    call_command(
        "indicator",
        "import",
        str(path),
        *("--unit", unit, "--by", "leader_a", "--date", "2025-08-07", "--department", FINANCE),
        stdout=out,
    )
    assert "已导入：12个项目" in out.getvalue()
    assert set(Indicator.objects.values_list("department__name", flat=True)) == {FINANCE}
