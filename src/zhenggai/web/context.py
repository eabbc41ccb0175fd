"""What the page header needs to know about the user (memberships are read once per request)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhenggai.ledger.choices import Role
from zhenggai.ledger.duties import is_auditor, is_system_admin
from zhenggai.ledger.querysets import role_paths
from zhenggai.supervision.models import Notification

# Pages that belong to 巡察台账 in the navigation (their url names).
LEDGER_PAGES = (
    "inspections",
    "inspection",
    "inspection_edit",
    "inspection_new",
    "ledger_editor",
    "regulation_add",
    "clue_add",
    "clue_update",
    "measure",
    "measure_edit",
    "audit",
    "ledger_import",
    "notice_versions",
    "notice_publish",
)


def roles(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_manage": role_paths(user, (Role.LEADER, Role.SUPERVISOR)) != [],
        "nav_supervisor": role_paths(user, (Role.SUPERVISOR,)) != [],
        "nav_org": is_system_admin(user) or role_paths(user, (Role.LEADER, Role.SUPERVISOR)) != [],
        "nav_audit": is_auditor(user)
        or (not user.is_superuser and role_paths(user, (Role.SUPERVISOR,)) != []),
        "nav_unread": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        "nav_ledger_pages": LEDGER_PAGES,
    }
