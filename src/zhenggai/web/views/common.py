from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import Unit
from zhenggai.ledger.permissions import can_manage
from zhenggai.ledger.querysets import role_paths

PAGE_SIZE = 50


class CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told its count by the caller, who already has it (saves a COUNT over a GROUP BY)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE, *, count: int | None = None
) -> Page[Any]:
    paginator = (
        Paginator(queryset, per_page) if count is None else CountedPaginator(queryset, per_page, count)
    )
    return paginator.get_page(request.GET.get("page"))


def actor(request: HttpRequest) -> User:
    """The logged-in user; LoginRequiredMiddleware has turned anonymous requests away before any view."""
    assert isinstance(request.user, User)
    return request.user


def safe_next(request: HttpRequest, default: str) -> str:
    """The form's `next` target when it points back into this site, else `default` (a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(default)


# Who may open a page (the README's role table); a page a role may not use answers our Chinese 403 page.
MANAGERS = (Role.LEADER.value, Role.SUPERVISOR.value)
SUPERVISORS = (Role.SUPERVISOR.value,)


def require_roles(request: HttpRequest, roles: tuple[str, ...], message: str) -> None:
    """Refuse (403) a user who holds none of `roles` anywhere; a superuser passes."""
    if role_paths(actor(request), roles) == []:
        raise PermissionDenied(message)


def require_manager_of(request: HttpRequest, unit: Unit, message: str) -> None:
    """Refuse (403) a user who is neither a leader of `unit` nor a supervisor above it."""
    if not can_manage(actor(request), unit):
        raise PermissionDenied(message)
