"""Login defences (等保 身份鉴别): lockout after repeated failures (django-axes), the password policy's validator
for character classes, and the forced password change (first login with a password set by someone else, and
the optional expiry).

django-axes counts failures per user name (and, when configured, per address) in the database, so a lockout
holds across processes and servers; it is the field's long-kept library for this. Its backend refuses a locked
account before the password is checked; its middleware turns that into our page (lockout_response).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.models import PasswordState
from zhenggai.ledger.security_audit import security_event

SESSION_KEY = "zhenggai_password_change"
CHANGE_REASONS = {
    "initial": "您的密码由他人设置，请先修改为只有您自己知道的密码。",
    "expired": "您的密码已到期，请修改密码后继续使用。",
}


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' check, skipped when there is no request (test clients' login(), management commands)."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def _remaining_minutes(username: str) -> int:
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    latest = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    if latest is None:
        return math.ceil(cool_off.total_seconds() / 60)
    attempted: dt.datetime = latest.attempt_time
    left = attempted + cool_off - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def lockout_message(username: str) -> str:
    return (
        f"登录失败次数过多，账号已临时锁定，请 {_remaining_minutes(username)} 分钟后再试，"
        "或请系统管理员解锁。"
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page with the lockout message and the remaining wait (HTTP 429)."""
    from zhenggai.web.form_messages import LoginForm

    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    form = LoginForm(request, data=None, initial={"username": username})
    response = TemplateResponse(
        request, "web/login.html", {"form": form, "lockout": lockout_message(username)}, status=429
    )
    return response.render()


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    name = username or ""
    known = User.objects.filter(username=name).first()
    security_event("lockout", user=None, request=request, username=name, obj=known, note=f"用户名：{name}")


@receiver(post_delete, sender=AccessAttempt)
def _unlocked(sender: Any, instance: AccessAttempt, **kwargs: Any) -> None:
    """An unlock (the admin deletes the attempts, or `zhenggai axes_reset_username`)."""
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT:
        known = User.objects.filter(username=instance.username).first()
        security_event(
            "unlock",
            user=None,
            request=None,
            username=instance.username or "",
            obj=known,
            note="解除登录锁定",
        )


class CharacterClassesValidator:
    """At least `min_classes` of: upper case, lower case, digits, other characters (等保 password complexity)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、其他符号中的至少 {self.min_classes} 类。"


# --- forced change -------------------------------------------------------------------------------------------


def change_reason(user: User) -> str | None:
    state = PasswordState.objects.filter(user=user).first()
    if state is not None and state.must_change:
        return "initial"
    max_days = int(settings.PASSWORD_MAX_DAYS)
    if max_days:
        changed = state.changed_at if state is not None and state.changed_at else user.date_joined
        if timezone.now() - changed > dt.timedelta(days=max_days):
            return "expired"
    return None


def password_changed(request: HttpRequest, user: User) -> None:
    PasswordState.objects.update_or_create(
        user=user, defaults={"must_change": False, "changed_at": timezone.now()}
    )
    request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in)
def _check_password_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not isinstance(user, User) or not hasattr(request, "session"):
        return
    reason = change_reason(user)
    if reason is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = reason


class PasswordChangeRequiredMiddleware:
    """While the session says the password must change, every page leads to the password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and request.user.is_authenticated:
            allowed = {reverse("password_change"), reverse("logout"), reverse("login")}
            path = request.path
            if path not in allowed and not path.startswith(
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
            ):
                return redirect("password_change")
        return self.get_response(request)
