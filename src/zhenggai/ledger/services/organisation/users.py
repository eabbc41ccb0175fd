"""Users and their roles: add a user, set a role, reset a password, deactivate or reactivate an account.

The checks of a username, an email and a password are shared with the bulk import (import_plan).
"""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from zhenggai.ledger.choices import Role
from zhenggai.ledger.duties import is_security_admin, is_system_admin
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import Membership, PasswordState, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.organisation.scope import home_unit, require_unit, require_user

_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 12) -> str:
    """A random password that passes the validators: letters and digits without look-alikes (0/O, 1/l)."""
    while True:
        value = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        # upper case, lower case and digits: 3 of the 4 classes the 等保 policy asks for
        if (
            any(c.isdigit() for c in value)
            and any(c.islower() for c in value)
            and any(c.isupper() for c in value)
        ):
            return value


def check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput("".join(error.messages), field="password") from None


def check_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise InvalidInput("请填写用户名。", field="username")
    if len(username) > 150:
        raise InvalidInput("用户名不能超过 150 个字符。", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput("用户名只能包含字母、数字和 @ . + - _ 。", field="username") from None
    return username


def check_email(email: str) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(f"邮箱“{email}”格式不正确。", field="email") from None
    return email


def _require_role_grant(by: User, unit: Unit, role: Role) -> None:
    if role == Role.SUPERVISOR and not (
        is_system_admin(by) or is_security_admin(by) or has_role(by, unit, Role.SUPERVISOR)
    ):
        raise NotPermitted("只有上级巡察办或系统管理员可以授予“巡察办”角色。")


def add_user(
    unit: Unit,
    *,
    username: str,
    role: Role,
    by: User,
    full_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """A new user with one role in `unit`; returns the user and the initial password (generated when none is
    given) to be shown once. The password is stored hashed only."""
    username = check_username(username)
    email = check_email(email)
    if len(full_name.strip()) > 150:
        raise InvalidInput("姓名不能超过 150 个字。", field="full_name")
    if password:
        check_password(password)
    initial = password or generate_password()
    with transaction.atomic():
        require_unit(by, unit, "添加用户")
        _require_role_grant(by, unit, role)
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput(f"用户名“{username}”已被使用，请换一个。", field="username")
        user = User(username=username, first_name=full_name.strip(), email=email)
        user.set_password(initial)
        user.save()
        PasswordState.objects.create(user=user, must_change=True)
        Membership.objects.create(user=user, unit=unit, role=role)
        record(
            actor=by,
            action="add_user",
            obj=user,
            unit=unit,
            after={"username": username, "first_name": user.first_name, "email": email, "role": role.value},
        )
    return user, initial


def set_role(target: User, unit: Unit, role: Role | None, *, by: User) -> None:
    """The target's role in `unit` becomes `role` (None removes their roles there)."""
    with transaction.atomic():
        require_unit(by, unit, "设置用户角色")
        require_user(by, target, "设置角色")
        current = sorted(Membership.objects.filter(user=target, unit=unit).values_list("role", flat=True))
        if role is not None:
            _require_role_grant(by, unit, role)
        elif len(current) == Membership.objects.filter(user=target).count():
            raise InvalidInput("这是该用户唯一的角色，不能删除；不再使用的账号请停用。", field="role")
        if current == ([role.value] if role else []):
            return
        Membership.objects.filter(user=target, unit=unit).delete()
        if role is not None:
            Membership.objects.create(user=target, unit=unit, role=role)
        record(
            actor=by,
            action="set_role",
            obj=target,
            unit=unit,
            before={"unit": unit.name, "roles": current},
            after={"unit": unit.name, "roles": [role.value] if role else []},
        )


def reset_password(target: User, *, by: User, password: str | None = None) -> str:
    """A new password for the target (generated when none is given), returned to be shown once."""
    if password:
        check_password(password, target)
    new = password or generate_password()
    with transaction.atomic():
        require_user(by, target, "重设密码")
        target.set_password(new)
        target.save(update_fields=["password"])
        # set by someone else: the user chooses their own at the next login
        PasswordState.objects.update_or_create(user=target, defaults={"must_change": True})
        # The event says that the password changed, never what it is.
        record(
            actor=by,
            action="reset_password",
            obj=target,
            unit=home_unit(target, by),
            note="生成新密码" if password is None else "设置新密码",
        )
    return new


def set_active(target: User, active: bool, *, by: User) -> None:
    """Deactivate (or reactivate) a user: an inactive user cannot log in; their records stay."""
    if target.pk == by.pk and not active:
        raise InvalidInput("不能停用自己的账号。")
    with transaction.atomic():
        require_user(by, target, "停用或启用账号")
        if target.is_active == active:
            return
        target.is_active = active
        target.save(update_fields=["is_active"])
        record(
            actor=by,
            action="activate_user" if active else "deactivate_user",
            obj=target,
            unit=home_unit(target, by),
            before={"is_active": not active},
            after={"is_active": active},
        )


def describe_role(role: str) -> str:
    return Role(role).label
