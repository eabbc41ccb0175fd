"""Role checks up the unit tree. Visibility (read) is a queryset concern, see querysets.visible_to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.models import Measure, Membership, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def has_role(user: User, unit: Unit, *roles: Role) -> bool:
    """True when the user holds one of `roles` in `unit` or in any unit above it. A business role only:
    the superuser and the system roles (三员分立, ledger.duties) get no business action from their rank."""
    if (
        not user.is_active or user.pk is None
    ):  # an unsaved reader (a command reading everything) holds no role
        return False
    return Membership.objects.filter(user=user, unit__path__in=unit.ancestor_paths(), role__in=roles).exists()


def require_role(user: User, unit: Unit, *roles: Role, action: str) -> None:
    if not has_role(user, unit, *roles):
        raise NotPermitted(f"您没有在“{unit.display_name}”{action}的权限。")


def can_manage(user: User, unit: Unit) -> bool:
    """Leaders of the inspected unit and supervisors above it manage its ledger."""
    return has_role(user, unit, Role.LEADER, Role.SUPERVISOR)


def require_manager(user: User, unit: Unit, action: str) -> None:
    require_role(user, unit, Role.LEADER, Role.SUPERVISOR, action=action)


def require_reporter(user: User, measure: Measure, action: str) -> None:
    """Staff of the lead department report on a measure; the unit's leaders and supervisors may too."""
    unit = measure.inspection.inspected_unit
    if can_manage(user, unit):
        return
    department = measure.lead_department
    if department is not None and has_role(user, department, Role.STAFF, Role.LEADER):
        return
    raise NotPermitted(f"您不是整改措施{measure.code}的责任部门人员，不能{action}。")
