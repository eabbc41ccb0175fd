"""What the page header needs to know about the user (memberships are read once per request)."""

from __future__ import annotations

from django.http import HttpRequest

from zhenggai.ledger.choices import Role
from zhenggai.ledger.querysets import role_paths


def roles(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_manage": role_paths(user, (Role.LEADER, Role.SUPERVISOR)) != [],
        "nav_supervisor": role_paths(user, (Role.SUPERVISOR,)) != [],
    }
