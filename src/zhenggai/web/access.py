"""Who may do what, for showing the right buttons; the services enforce it again on every call."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus, Role
from zhenggai.ledger.models import Measure
from zhenggai.ledger.permissions import can_manage, has_role
from zhenggai.ledger.querysets import path_q, role_paths

AnyUser = User | AnonymousUser


def managed_paths(user: AnyUser) -> list[str] | None:
    """Unit paths where the user leads or supervises (reviews happen there); None for a superuser."""
    return role_paths(user, (Role.LEADER, Role.SUPERVISOR))


def managed_q(user: AnyUser, lookup: str) -> Q:
    """Rows whose unit (reached by `lookup`, a path to a Unit) the user manages."""
    paths = managed_paths(user)
    return Q() if paths is None else path_q(f"{lookup}__path", paths)


def is_supervisor(user: AnyUser) -> bool:
    return role_paths(user, (Role.SUPERVISOR,)) != []


def measure_actions(user: User, measure: Measure) -> dict[str, bool]:
    """Which forms the measure page shows this user, given the measure's state."""
    manages = can_manage(user, measure.inspection.inspected_unit)
    department = measure.lead_department
    reports = manages or (department is not None and has_role(user, department, Role.STAFF, Role.LEADER))
    status = measure.status
    return {
        "manage": manages,
        "report": reports
        and status in (MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.ONGOING),
        "signoff": reports and status in (MeasureStatus.IN_PROGRESS, MeasureStatus.ONGOING),
        "extend": reports and status in OPEN_STATUSES,
        "reopen": manages and status in (MeasureStatus.DONE, MeasureStatus.ONGOING),
    }
