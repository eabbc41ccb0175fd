"""Shared fixtures: a small world of two units with named actors in every role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from tests.factories import (
    FindingFactory,
    InspectionFactory,
    MeasureFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from zhenggai.ledger.choices import FindingLevel, Role, UnitKind
from zhenggai.ledger.models import Finding, Inspection, Measure, Unit


@dataclass
class World:
    district: Unit
    unit_a: Unit
    dept_a: Unit
    unit_b: Unit
    dept_b: Unit
    supervisor: AbstractUser  # 巡察办 at the district: sees A and B
    leader_a: AbstractUser
    deputy_a: AbstractUser  # a second leader of A, to review what leader_a requests
    staff_a: AbstractUser  # staff of A's department
    viewer_a: AbstractUser
    leader_b: AbstractUser
    staff_b: AbstractUser
    outsider: AbstractUser  # a user with no role anywhere
    inspection_a: Inspection
    detail_a: Finding
    measure_a: Measure
    inspection_b: Inspection
    measure_b: Measure


def _member(username: str, unit: Unit, role: Role) -> AbstractUser:
    user: AbstractUser = UserFactory(username=username)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world(db: Any) -> World:
    district = UnitFactory(name="临江区", kind=UnitKind.REGION)
    unit_a = UnitFactory(name="区文旅局", parent=district)
    dept_a = UnitFactory(name="文旅局办公室", kind=UnitKind.DEPARTMENT, parent=unit_a)
    unit_b = UnitFactory(name="区档案馆", parent=district)
    dept_b = UnitFactory(name="档案馆办公室", kind=UnitKind.DEPARTMENT, parent=unit_b)

    inspection_a = InspectionFactory(inspected_unit=unit_a)
    problem_a = FindingFactory(
        inspection=inspection_a, level=FindingLevel.PROBLEM, title="关于财务管理不规范的问题"
    )
    detail_a = FindingFactory(
        inspection=inspection_a,
        parent=problem_a,
        level=FindingLevel.DETAIL,
        title="针对接待审批手续不全的问题",
    )
    inspection_b = InspectionFactory(inspected_unit=unit_b)
    problem_b = FindingFactory(inspection=inspection_b, title="关于档案数字化推进缓慢的问题")
    return World(
        district=district,
        unit_a=unit_a,
        dept_a=dept_a,
        unit_b=unit_b,
        dept_b=dept_b,
        supervisor=_member("supervisor", district, Role.SUPERVISOR),
        leader_a=_member("leader_a", unit_a, Role.LEADER),
        deputy_a=_member("deputy_a", unit_a, Role.LEADER),
        staff_a=_member("staff_a", dept_a, Role.STAFF),
        viewer_a=_member("viewer_a", unit_a, Role.VIEWER),
        leader_b=_member("leader_b", unit_b, Role.LEADER),
        staff_b=_member("staff_b", dept_b, Role.STAFF),
        outsider=UserFactory(username="outsider"),
        inspection_a=inspection_a,
        detail_a=detail_a,
        measure_a=MeasureFactory(
            finding=detail_a,
            lead_department=dept_a,
            deadline=dt.date(2030, 6, 30),
            original_deadline=dt.date(2030, 6, 30),
        ),
        inspection_b=inspection_b,
        measure_b=MeasureFactory(finding=problem_b, lead_department=dept_b),
    )


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Path) -> None:
    # Evidence files of each test land in its own temporary folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs ~0.3 s a user; tests check permissions, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system_roles(db: Any) -> None:
    """The three system groups that migrate creates. A transactional test elsewhere on the same worker flushes
    the tables, so the tests that rely on them make sure they are there."""
    from zhenggai.ledger.duties import ensure_system_roles

    ensure_system_roles()


@pytest.fixture
def shipped_calendar(db: Any) -> None:
    """The holiday table the portal's data migration ships (lost to a flush, like system_roles)."""
    from zhenggai.portal.models import CalendarDay
    from zhenggai.portal.workdays import shipped_days

    for day, workday, note in shipped_days():
        CalendarDay.objects.get_or_create(day=day, defaults={"is_workday": workday, "note": note})
