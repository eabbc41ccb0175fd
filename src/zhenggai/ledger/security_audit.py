"""全程纪实 of what is not a ledger change but a 等保 reviewer asks for: logins (and failures, with the user name
and address), logouts, lockouts, password changes, downloads of internal documents, and account and role edits
made in the Django admin (Django's own User and Group pages, which AuditedAdmin does not cover).

Each is one event on the same hash chain, in its own transaction unless the caller's is open.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from zhenggai.ledger.models import Unit
from zhenggai.ledger.services.audit import append

ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "lockout": "账号锁定",
    "unlock": "解除锁定",
    "change_password": "修改密码",
    "download_ledger": "下载整改台账",
    "download_notice": "下载通报",
    "download_internal_notice": "下载内部通报",
    "download_evidence": "下载佐证材料",
    "download_weekly": "下载每周汇总",
    "download_overview": "下载整改总览",
    "export_audit": "导出全程纪实",
}
_USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser")


def client_ip(request: HttpRequest | None) -> str:
    """The address the request came from (REMOTE_ADDR: behind a proxy, the proxy must set it, see 运维手册)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) and user.pk else None


def security_event(
    action: str,
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    request: HttpRequest | None,
    username: str = "",
    obj: models.Model | None = None,
    unit: Unit | None = None,
    note: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """One event about the user (or `obj`), with the request's address in the note."""
    actor = _user(user)
    ip = client_ip(request)
    where = f"IP {ip}" if ip else ""
    text = "；".join(part for part in (note, where) if part)
    target: Any = obj if obj is not None else actor
    with transaction.atomic():
        append(
            actor=actor,
            action=action,
            object_type=(target._meta.model_name or "") if target is not None else "user",
            object_id=str(target.pk) if target is not None else "",
            object_repr=str(target) if target is not None else username,
            unit=unit,
            after=after,
            note=text,
        )


def download_event(
    request: HttpRequest, action: str, obj: models.Model | None, unit: Unit | None, name: str
) -> None:
    """A download of an internal document: who, which file, from where."""
    security_event(action, user=request.user, request=request, obj=obj, unit=unit, note=f"文件：{name}")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # A login through the site (a request with a method); not a programmatic one such as a test client's
    # login(), which builds an empty request.
    if request is not None and request.method is not None:
        security_event("login", user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        security_event("logout", user=user, request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    security_event(
        "login_failed",
        user=None,
        request=request,
        username=username,
        obj=known,
        note=f"用户名：{username}",
    )


@receiver(post_save, sender=LogEntry)
def _admin_logged(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Django's admin log of users and groups, mirrored on the chain (inside the admin view's transaction)."""
    content_type = instance.content_type
    if not created or content_type is None or content_type.app_label != "auth":
        return
    verb = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}.get(instance.action_flag, "change")
    model = content_type.model
    after: dict[str, Any] | None = None
    target = content_type.get_object_for_this_type(pk=instance.object_id) if verb != "delete" else None
    if isinstance(target, User):
        after = {name: getattr(target, name) for name in _USER_FIELDS}
        after["groups"] = sorted(target.groups.values_list("name", flat=True))
    elif isinstance(target, Group):
        after = {
            "name": target.name,
            "permissions": sorted(target.permissions.values_list("codename", flat=True)),
        }
    with transaction.atomic():
        append(
            actor=_user(instance.user),
            action=f"admin_{verb}_{model}",
            object_type=model,
            object_id=str(instance.object_id or ""),
            object_repr=instance.object_repr,
            unit=None,
            after=after,
            note=instance.get_change_message(),
        )
