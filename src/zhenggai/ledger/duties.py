"""三员分立: the three system roles, kept apart from the business roles (Membership).

系统管理员 manages accounts, units and settings; 安全管理员 manages roles and permissions; 安全审计员 reads the
全程纪实 and nothing else. They are Django groups (created after every migrate, ensure_system_roles) and count only for staff accounts. None of them, nor the superuser,
may take a business action (report, approve, publish, import…) without holding the business role in that unit:
permissions.has_role does not let anyone through on a system role.
"""

from __future__ import annotations

from typing import Any

SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
SECURITY_AUDITOR = "安全审计员"
SYSTEM_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, SECURITY_AUDITOR)


def system_roles(user: Any) -> frozenset[str]:
    """The user's system roles (group names), read once per user object."""
    # System roles are held by staff accounts only (they work in the admin): no query for everyone else.
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_zhenggai_system_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=SYSTEM_ROLES).values_list("name", flat=True))
        user._zhenggai_system_roles = cached
    return cached


def is_system_admin(user: Any) -> bool:
    """Accounts and units: the superuser or a 系统管理员."""
    return bool(getattr(user, "is_superuser", False) and user.is_active) or SYSTEM_ADMIN in system_roles(user)


def is_security_admin(user: Any) -> bool:
    """Roles and permissions: the superuser or a 安全管理员."""
    return bool(getattr(user, "is_superuser", False) and user.is_active) or SECURITY_ADMIN in system_roles(
        user
    )


def is_auditor(user: Any) -> bool:
    """Reads the whole 全程纪实 (a 安全审计员; the superuser is not an auditor)."""
    return SECURITY_AUDITOR in system_roles(user)


# What each system role may do in the Django admin (app_label.codename). The auditor uses the 全程纪实 page.
ADMIN_PERMISSIONS: dict[str, tuple[str, ...]] = {
    SYSTEM_ADMIN: (
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "ledger.add_unit",
        "ledger.change_unit",
        "ledger.view_unit",
        "ledger.add_round",
        "ledger.change_round",
        "ledger.view_round",
        "ledger.view_membership",
    ),
    SECURITY_ADMIN: (
        "auth.view_user",
        "auth.change_user",
        "auth.add_group",
        "auth.change_group",
        "auth.view_group",
        "auth.view_permission",
        "ledger.add_membership",
        "ledger.change_membership",
        "ledger.delete_membership",
        "ledger.view_membership",
        "ledger.view_unit",
    ),
    SECURITY_AUDITOR: ("ledger.view_auditevent",),
}


def ensure_system_roles(**kwargs: Any) -> None:
    """post_migrate: the three groups exist with their admin permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for name, codes in ADMIN_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
