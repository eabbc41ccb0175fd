"""Who manages what: the units a user manages and the users whose every role lies within them.

A unit's leader, a supervisor above it or a superuser manages it (`managed_units`); a user is managed by whoever
manages every unit the user belongs to (`managed_users`), so a leader cannot reset the password of a province
supervisor who also holds a role in the leader's unit.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, QuerySet

from zhenggai.ledger.choices import Role
from zhenggai.ledger.duties import is_system_admin
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.querysets import path_q, role_paths

MANAGER_ROLES = (Role.LEADER, Role.SUPERVISOR)


def managed_units(user: User) -> QuerySet[Unit]:
    """Units the user manages: the subtrees where they lead or supervise; every unit for a superuser."""
    paths = None if is_system_admin(user) else role_paths(user, tuple(MANAGER_ROLES))
    units = Unit.objects.all()
    return units if paths is None else units.filter(path_q("path", paths))


def managed_users(user: User) -> QuerySet[User]:
    """Users whose every role lies in units the user manages (superusers only by superusers)."""
    paths = None if is_system_admin(user) else role_paths(user, tuple(MANAGER_ROLES))
    users = User.objects.all()
    if paths is None:
        return users if user.is_superuser else users.filter(is_superuser=False)
    if not paths:
        return users.none()
    outside = Membership.objects.filter(user=OuterRef("pk")).exclude(path_q("unit__path", paths))
    inside = Membership.objects.filter(path_q("unit__path", paths), user=OuterRef("pk"))
    return users.filter(Exists(inside), is_superuser=False).exclude(Exists(outside))


def can_manage_unit(user: User, unit: Unit) -> bool:
    return is_system_admin(user) or has_role(user, unit, *MANAGER_ROLES)


def can_import(user: User) -> bool:
    """Supervisors (for the units below them) and superusers bulk-import units and users."""
    return user.is_active and (is_system_admin(user) or role_paths(user, (Role.SUPERVISOR,)) != [])


def require_unit(user: User, unit: Unit, action: str) -> None:
    if not can_manage_unit(user, unit):
        raise NotPermitted(f"您不是“{unit.display_name}”的单位领导或上级巡察办，不能{action}。")


def require_user(by: User, target: User, action: str) -> None:
    if not managed_users(by).filter(pk=target.pk).exists():
        raise NotPermitted(f"用户“{target.username}”不全在您管理的单位内，不能{action}。")


def home_unit(target: User, by: User) -> Unit | None:
    """The unit an audit event about a user is filed under: the first of the user's units the actor manages."""
    return managed_units(by).filter(memberships__user=target).order_by("path").first()
