"""Organisation management: a unit's departments and users, and the bulk import of units and users.

Every change is one function: the permission check, the change and its AuditEvent in one transaction. A unit's
leader, a supervisor above it or a superuser manages it (`managed_units`); a user is managed by whoever manages
every unit the user belongs to (`managed_users`), so a leader cannot reset the password of a province supervisor
who also holds a role in the leader's unit.

The bulk import is planned in memory first (every error with its sheet, row and column), then applied in one
transaction with bulk inserts: units level by level (a unit's path needs its id), users, memberships, and one
audit event naming the counts, not one event per row.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.duties import is_security_admin, is_system_admin
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import Membership, PasswordState, Unit
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.querysets import path_q, role_paths
from zhenggai.ledger.services.audit import record
from zhenggai.sheets.org import UNIT_SHEET, USER_SHEET, OrgBook, OrgRow

MANAGER_ROLES = (Role.LEADER, Role.SUPERVISOR)
# Initial passwords of a bulk import are hashed with fewer PBKDF2 rounds than Django's default (1,000,000 take
# 0.25 s each: 5,000 users would take 20 minutes). Django re-hashes with the full count at the first login.
# A generated password (12 of 55 symbols, about 69 bits) needs no stretching to resist guessing; a typed one
# (at least 8 characters, not a common one) gets ten times more.
INITIAL_PASSWORD_ITERATIONS = 10_000
GENERATED_PASSWORD_ITERATIONS = 1_000
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BATCH = 500

# 全程纪实 names of this module's actions.
ACTION_LABELS = {
    "add_department": "添加内设部门",
    "rename_unit": "修改单位名称",
    "add_user": "添加用户",
    "set_role": "设置用户角色",
    "reset_password": "重设密码",
    "deactivate_user": "停用账号",
    "activate_user": "启用账号",
    "import_organisation": "批量导入单位和用户",
}

ROLE_WORDS: dict[str, Role] = {
    **{role.value: role for role in Role},
    **{role.label: role for role in Role},
    "巡察办": Role.SUPERVISOR,
    "监督": Role.SUPERVISOR,
    "单位领导": Role.LEADER,
    "领导": Role.LEADER,
    "经办人": Role.STAFF,
    "部门经办人": Role.STAFF,
    "查看": Role.VIEWER,
}
KIND_WORDS: dict[str, UnitKind] = {
    **{kind.value: kind for kind in UnitKind},
    **{kind.label: kind for kind in UnitKind},
    "部门": UnitKind.DEPARTMENT,
}


# --- scope --------------------------------------------------------------------------------------------------


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


def _require_unit(user: User, unit: Unit, action: str) -> None:
    if not can_manage_unit(user, unit):
        raise NotPermitted(f"您不是“{unit.display_name}”的单位领导或上级巡察办，不能{action}。")


def _require_user(by: User, target: User, action: str) -> None:
    if not managed_users(by).filter(pk=target.pk).exists():
        raise NotPermitted(f"用户“{target.username}”不全在您管理的单位内，不能{action}。")


def _home_unit(target: User, by: User) -> Unit | None:
    """The unit an audit event about a user is filed under: the first of the user's units the actor manages."""
    return managed_units(by).filter(memberships__user=target).order_by("path").first()


# --- units --------------------------------------------------------------------------------------------------


def _clean_name(name: str, short_name: str) -> tuple[str, str]:
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise InvalidInput("请填写名称。", field="name")
    if len(name) > 200:
        raise InvalidInput("名称不能超过 200 个字。", field="name")
    if len(short_name) > 100:
        raise InvalidInput("简称不能超过 100 个字。", field="short_name")
    return name, short_name


def add_department(parent: Unit, *, name: str, short_name: str = "", by: User) -> Unit:
    """A 内设部门 under `parent`."""
    name, short_name = _clean_name(name, short_name)
    with transaction.atomic():
        _require_unit(by, parent, "添加内设部门")
        if Unit.objects.filter(parent=parent, name=name).exists():
            raise InvalidInput(f"“{parent.display_name}”下已有“{name}”。", field="name")
        unit = Unit(name=name, short_name=short_name, kind=UnitKind.DEPARTMENT, parent=parent)
        unit.save()
        record(
            actor=by,
            action="add_department",
            obj=unit,
            unit=parent,
            after={"name": name, "short_name": short_name, "parent": parent.name},
        )
    return unit


def rename_unit(unit: Unit, *, name: str, short_name: str, by: User) -> Unit:
    name, short_name = _clean_name(name, short_name)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        _require_unit(by, unit, "修改单位名称")
        if name != unit.name and Unit.objects.filter(parent_id=unit.parent_id, name=name).exists():
            raise InvalidInput("同一上级单位下已有这个名称。", field="name")
        before = {"name": unit.name, "short_name": unit.short_name}
        unit.name, unit.short_name = name, short_name
        unit.save(update_fields=["name", "short_name"])
        record(
            actor=by,
            action="rename_unit",
            obj=unit,
            unit=unit,
            before=before,
            after={"name": name, "short_name": short_name},
        )
    return unit


# --- users --------------------------------------------------------------------------------------------------


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


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput("".join(error.messages), field="password") from None


def _check_username(username: str) -> str:
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


def _check_email(email: str) -> str:
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
    username = _check_username(username)
    email = _check_email(email)
    if len(full_name.strip()) > 150:
        raise InvalidInput("姓名不能超过 150 个字。", field="full_name")
    if password:
        _check_password(password)
    initial = password or generate_password()
    with transaction.atomic():
        _require_unit(by, unit, "添加用户")
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
        _require_unit(by, unit, "设置用户角色")
        _require_user(by, target, "设置角色")
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
        _check_password(password, target)
    new = password or generate_password()
    with transaction.atomic():
        _require_user(by, target, "重设密码")
        target.set_password(new)
        target.save(update_fields=["password"])
        # set by someone else: the user chooses their own at the next login
        PasswordState.objects.update_or_create(user=target, defaults={"must_change": True})
        # The event says that the password changed, never what it is.
        record(
            actor=by,
            action="reset_password",
            obj=target,
            unit=_home_unit(target, by),
            note="生成新密码" if password is None else "设置新密码",
        )
    return new


def set_active(target: User, active: bool, *, by: User) -> None:
    """Deactivate (or reactivate) a user: an inactive user cannot log in; their records stay."""
    if target.pk == by.pk and not active:
        raise InvalidInput("不能停用自己的账号。")
    with transaction.atomic():
        _require_user(by, target, "停用或启用账号")
        if target.is_active == active:
            return
        target.is_active = active
        target.save(update_fields=["is_active"])
        record(
            actor=by,
            action="activate_user" if active else "deactivate_user",
            obj=target,
            unit=_home_unit(target, by),
            before={"is_active": not active},
            after={"is_active": active},
        )


# --- bulk import --------------------------------------------------------------------------------------------


@dataclass
class _Node:
    name: str
    short_name: str
    kind: str
    parent: _Node | None
    pk: int | None = None
    path: str = ""
    row: int | None = None  # the 单位 sheet row that creates it
    changed: bool = False

    def chain(self) -> list[_Node]:
        nodes: list[_Node] = []
        node: _Node | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def names(self) -> list[str]:
        return [node.name for node in self.chain()]

    def answers_to(self, parts: list[str]) -> bool:
        """True when the path `parts` (full names or short names) names this unit and the units above it."""
        chain = self.chain()
        if len(parts) > len(chain):
            return False
        return all(
            part in (node.name, node.short_name)
            for part, node in zip(parts, chain[-len(parts) :], strict=True)
        )

    @property
    def full_name(self) -> str:
        return "/".join(self.names())


@dataclass
class NewPassword:
    username: str
    full_name: str
    unit: str
    password: str


@dataclass
class OrgImportResult:
    dry_run: bool
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    units_changed: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    users_changed: list[str] = field(default_factory=list)
    roles_added: list[str] = field(default_factory=list)
    passwords: list[NewPassword] = field(default_factory=list)  # generated ones, after a real import only
    request_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(
            self.units_created
            or self.units_changed
            or self.users_created
            or self.users_changed
            or self.roles_added
        )

    def counts(self) -> dict[str, int]:
        return {
            "units_created": len(self.units_created),
            "units_changed": len(self.units_changed),
            "users_created": len(self.users_created),
            "users_changed": len(self.users_changed),
            "roles_added": len(self.roles_added),
        }


@dataclass
class _UserPlan:
    username: str
    full_name: str
    email: str
    password: str
    generated: bool
    unit: _Node
    existing: User | None = None
    new: bool = True
    changed: dict[str, str] = field(default_factory=dict)
    roles: list[tuple[_Node, str]] = field(default_factory=list)


class _Units:
    """Every unit the importer may place things under: those in the database within scope, then the file's."""

    def __init__(self, scope: list[str] | None) -> None:
        queryset = Unit.objects.all() if scope is None else Unit.objects.filter(path_q("path", scope))
        rows = list(
            queryset.values_list("pk", "name", "short_name", "kind", "parent_id", "path").order_by("path")
        )
        by_pk: dict[int, _Node] = {}
        self.by_name: dict[str, list[_Node]] = {}
        self.children: dict[tuple[int, str], _Node] = {}  # (id(parent node) or 0, name) → node
        self.changed: list[_Node] = []  # existing units whose short name or kind the file changes
        for pk, name, short_name, kind, parent_id, path in rows:  # parents come before children (path order)
            node = _Node(name, short_name, kind, by_pk.get(parent_id) if parent_id else None, pk, path)
            by_pk[pk] = node
            self._add(node)

    def _add(self, node: _Node) -> None:
        self.by_name.setdefault(node.name, []).append(node)
        if node.short_name and node.short_name != node.name:
            self.by_name.setdefault(node.short_name, []).append(node)
        self.children[(id(node.parent) if node.parent else 0, node.name)] = node

    def child(self, parent: _Node | None, name: str) -> _Node | None:
        return self.children.get((id(parent) if parent else 0, name))

    def add(self, node: _Node) -> None:
        self._add(node)

    def find(self, reference: str) -> tuple[_Node | None, str]:
        """The unit a cell names (a full name, or a path 临江区/区文旅局 for names used twice), or why not."""
        parts = [part.strip() for part in reference.replace("／", "/").split("/") if part.strip()]
        if not parts:
            return None, "未填写"
        found = list(
            {id(node): node for node in self.by_name.get(parts[-1], []) if node.answers_to(parts)}.values()
        )
        if not found:
            return (
                None,
                f"找不到单位“{reference}”（须是系统中您管辖范围内已有的单位，或本文件“单位”表中的单位）",
            )
        if len(found) > 1:
            examples = "、".join(f"“{node.full_name}”" for node in found[:3])
            return (
                None,
                f"有{len(found)}个单位名为“{reference}”（如{examples}），请写出上级单位，如“上级/名称”",
            )
        return found[0], ""


def _where(sheet: str, row: OrgRow, column: str | None = None) -> str:
    return f"工作表“{sheet}”第{row.number}行" + (f"“{column}”列" if column else "")


def import_organisation(
    book: OrgBook, *, by: User, dry_run: bool = False, name: str = "上传的文件"
) -> OrgImportResult:
    """Plan the whole file; with no error and not `dry_run`, apply it in one transaction.

    Units match by full name under the same parent, users by username: importing the same file again changes
    nothing. An existing user's password is never changed by an import."""
    result = OrgImportResult(dry_run=dry_run)
    if not by.is_active or not can_import(by):
        raise NotPermitted("只有巡察办（为其下级单位）或系统管理员可以批量导入单位和用户。")
    scope = None if is_system_admin(by) else role_paths(by, (Role.SUPERVISOR,))
    units = _Units(scope)
    new_units = _plan_units(book, units, scope, result)
    plans = _plan_users(book, units, scope, by, result)
    if result.errors or dry_run or not result.has_changes:
        return result  # nothing written: no transaction, no audit event
    result.request_id = current_request_id.get() or uuid.uuid4().hex
    token = current_request_id.set(result.request_id)
    try:
        with transaction.atomic():
            anchor = _apply(new_units, plans, units)
            if anchor is not None:
                record(
                    actor=by,
                    action="import_organisation",
                    obj=anchor,
                    unit=anchor,
                    after=result.counts() | {"file": name},
                    note=f"导入自 {name}",
                )
    finally:
        current_request_id.reset(token)
    result.passwords = [
        NewPassword(plan.username, plan.full_name, plan.unit.full_name, plan.password)
        for plan in plans
        if plan.new and plan.generated
    ]
    return result


def _plan_units(
    book: OrgBook, units: _Units, scope: list[str] | None, result: OrgImportResult
) -> list[_Node]:
    created: list[_Node] = []
    if book.units is None:
        return created
    seen: dict[tuple[int, str], int] = {}
    for row in book.units.rows:
        cells = row.cells
        name = cells.get("单位名称", "").strip()
        short_name = cells.get("简称", "").strip()
        kind_text = cells.get("类别", "").strip()
        parent_text = cells.get("上级单位", "").strip()
        errors_before = len(result.errors)
        if not name:
            result.errors.append(f"{_where(UNIT_SHEET, row, '单位名称')}：请填写单位名称。")
        elif len(name) > 200 or "/" in name or "／" in name:
            result.errors.append(
                f"{_where(UNIT_SHEET, row, '单位名称')}：单位名称不能超过200个字，也不能含“/”。"
            )
        if len(short_name) > 100:
            result.errors.append(f"{_where(UNIT_SHEET, row, '简称')}：简称不能超过100个字。")
        kind = KIND_WORDS.get(kind_text) if kind_text else None
        if kind_text and kind is None:
            result.errors.append(
                f"{_where(UNIT_SHEET, row, '类别')}：类别“{kind_text}”无效，应为地区、单位或内设部门。"
            )
        parent: _Node | None = None
        if parent_text:
            parent, why = units.find(parent_text)
            if parent is None:
                result.errors.append(f"{_where(UNIT_SHEET, row, '上级单位')}：{why}。")
        elif scope is not None:
            result.errors.append(
                f"{_where(UNIT_SHEET, row, '上级单位')}：请填写上级单位（只有系统管理员可以建顶层单位）。"
            )
        if len(result.errors) > errors_before:
            continue
        key = (id(parent) if parent else 0, name)
        if key in seen:
            result.errors.append(
                f"{_where(UNIT_SHEET, row, '单位名称')}：与第{seen[key]}行重复（同一上级单位下的同名单位）。"
            )
            continue
        seen[key] = row.number
        node = units.child(parent, name)
        if node is None:
            node = _Node(name, short_name, kind or UnitKind.ORGAN, parent, row=row.number)
            units.add(node)
            created.append(node)
            result.units_created.append(node.full_name)
            continue
        changes = []
        if short_name and short_name != node.short_name:
            changes.append(f"简称：{node.short_name or '（空）'} → {short_name}")
            node.short_name = short_name
        if kind is not None and kind != node.kind:
            changes.append(f"类别：{UnitKind(node.kind).label} → {kind.label}")
            node.kind = kind
        if changes and node.pk is not None:
            node.changed = True
            units.changed.append(node)
            result.units_changed.append(f"{node.full_name}（{'；'.join(changes)}）")
    return created


def _plan_users(
    book: OrgBook, units: _Units, scope: list[str] | None, by: User, result: OrgImportResult
) -> list[_UserPlan]:
    plans: dict[str, _UserPlan] = {}
    if book.users is None:
        return []
    rows = book.users.rows
    usernames = {row.cells.get("用户名", "").strip().lower() for row in rows} - {""}
    existing = _existing_users(usernames, scope)
    for row in rows:
        cells = row.cells
        errors_before = len(result.errors)
        username = cells.get("用户名", "").strip()
        full_name = cells.get("姓名", "").strip()
        password = cells.get("初始密码", "")
        try:
            username = _check_username(username)
        except InvalidInput as error:
            result.errors.append(f"{_where(USER_SHEET, row, '用户名')}：{error.message}")
        try:
            email = _check_email(cells.get("邮箱", ""))
        except InvalidInput as error:
            email = ""
            result.errors.append(f"{_where(USER_SHEET, row, '邮箱')}：{error.message}")
        if len(full_name) > 150:
            result.errors.append(f"{_where(USER_SHEET, row, '姓名')}：姓名不能超过150个字。")
        unit, why = units.find(cells.get("单位", ""))
        if unit is None:
            result.errors.append(f"{_where(USER_SHEET, row, '单位')}：{why}。")
        role_text = cells.get("角色", "").strip()
        role = ROLE_WORDS.get(role_text)
        if role is None:
            result.errors.append(
                f"{_where(USER_SHEET, row, '角色')}："
                + (f"角色“{role_text}”无效，" if role_text else "请填写角色，")
                + "应为巡察办、单位领导、部门经办人或查看。"
            )
        if len(result.errors) > errors_before or unit is None or role is None:
            continue
        key = username.lower()
        found = existing.get(key)
        if isinstance(found, str):
            result.errors.append(f"{_where(USER_SHEET, row, '用户名')}：{found}")
            continue
        plan = plans.get(key)
        if plan is None:
            if found is None and password:
                try:
                    _check_password(password)
                except InvalidInput as error:
                    result.errors.append(f"{_where(USER_SHEET, row, '初始密码')}：{error.message}")
                    continue
            elif found is not None and password:
                result.notes.append(
                    f"{_where(USER_SHEET, row, '初始密码')}：用户“{username}”已存在，密码不变。"
                )
            plan = _UserPlan(
                username,
                full_name,
                email,
                password or generate_password(),
                not password,
                unit,
                existing=found,
            )
            plan.new = found is None
            plans[key] = plan
            if found is None:
                result.users_created.append(f"{username}（{full_name or '未填姓名'}，{unit.full_name}）")
            else:
                if full_name and full_name != found.first_name:
                    plan.changed["first_name"] = full_name
                if email and email != found.email:
                    plan.changed["email"] = email
                if plan.changed:
                    words = {"first_name": ("姓名", found.first_name), "email": ("邮箱", found.email)}
                    text = "；".join(
                        f"{words[k][0]}：{words[k][1] or '（空）'} → {v}" for k, v in plan.changed.items()
                    )
                    result.users_changed.append(f"{username}（{text}）")
        else:
            clash = [
                label
                for label, value, first in (("姓名", full_name, plan.full_name), ("邮箱", email, plan.email))
                if value and first and value != first
            ]
            if clash:
                result.errors.append(
                    f"{_where(USER_SHEET, row, clash[0])}：与同一用户名前面一行所填的{clash[0]}不同。"
                )
                continue
        if (unit, role.value) in [(node, value) for node, value in plan.roles]:
            continue
        if (
            found is not None
            and unit.pk is not None
            and (unit.pk, role.value) in getattr(found, "_org_roles", set())
        ):
            continue
        plan.roles.append((unit, role.value))
        result.roles_added.append(f"{username}：{unit.full_name} · {role.label}")
    return list(plans.values())


def _existing_users(usernames: set[str], scope: list[str] | None) -> dict[str, User | str]:
    """Existing users by lower-case username; a string says why the importer may not touch that user."""
    found: dict[str, User | str] = {}
    names = sorted(usernames)
    users: list[User] = []
    for start in range(0, len(names), _BATCH):
        chunk = names[start : start + _BATCH]
        # usernames differing only in case are the same person to the import (and to add_user)
        users.extend(User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk))
    roles: dict[int, set[tuple[int, str]]] = {}
    paths: dict[int, list[str]] = {}
    ids = [user.pk for user in users]
    for start in range(0, len(ids), _BATCH):
        for user_id, unit_id, role, path in Membership.objects.filter(
            user_id__in=ids[start : start + _BATCH]
        ).values_list("user_id", "unit_id", "role", "unit__path"):
            roles.setdefault(user_id, set()).add((unit_id, role))
            paths.setdefault(user_id, []).append(path)
    for user in users:
        user._org_roles = roles.get(user.pk, set())  # type: ignore[attr-defined]
        outside = scope is not None and (
            user.is_superuser
            or not paths.get(
                user.pk
            )  # an account with no role anywhere (a system account) is nobody's to manage
            or any(not any(p.startswith(root) for root in scope) for p in paths.get(user.pk, []))
        )
        found[user.username.lower()] = (
            f"用户名“{user.username}”已被您管辖范围以外的用户使用，请换一个。" if outside else user
        )
    return found


def _initial_hash(password: str, *, generated: bool) -> str:
    hasher = get_hasher()
    # The default hasher: fewer rounds now, the full count at the first login.
    if isinstance(hasher, PBKDF2PasswordHasher):
        rounds = GENERATED_PASSWORD_ITERATIONS if generated else INITIAL_PASSWORD_ITERATIONS
        return hasher.encode(password, hasher.salt(), iterations=rounds)
    return make_password(password, hasher=hasher)


def _apply(new_units: list[_Node], plans: list[_UserPlan], units: _Units) -> Unit | None:
    """Write the plan; returns the unit the audit event is filed under."""
    # New units level by level: a unit's path is its parent's path plus its own id.
    levels: dict[int, list[_Node]] = {}
    for node in new_units:
        depth, parent = 0, node.parent
        while parent is not None and parent.pk is None:
            depth, parent = depth + 1, parent.parent
        levels.setdefault(depth, []).append(node)
    for depth in sorted(levels):
        nodes = levels[depth]
        objects = [
            Unit(
                name=node.name,
                short_name=node.short_name,
                kind=node.kind,
                parent_id=node.parent.pk if node.parent else None,
                path="",
            )
            for node in nodes
        ]
        Unit.objects.bulk_create(objects, batch_size=_BATCH)
        for node, unit in zip(nodes, objects, strict=True):
            assert unit.pk is not None  # SQLite ≥ 3.35 and PostgreSQL return the ids
            prefix = node.parent.path if node.parent else ""
            unit.path = node.path = f"{prefix}{unit.pk:0{PATH_STEP - 1}d}/"
            node.pk = unit.pk
        Unit.objects.bulk_update(objects, ["path"], batch_size=_BATCH)
    changed = [Unit(pk=node.pk, short_name=node.short_name, kind=node.kind) for node in units.changed]
    Unit.objects.bulk_update(changed, ["short_name", "kind"], batch_size=_BATCH)
    # Users, then their roles.
    fresh = [
        User(
            username=plan.username,
            first_name=plan.full_name,
            email=plan.email,
            password=_initial_hash(plan.password, generated=plan.generated),
        )
        for plan in plans
        if plan.existing is None
    ]
    User.objects.bulk_create(fresh, batch_size=_BATCH)
    for plan, user in zip([p for p in plans if p.existing is None], fresh, strict=True):
        plan.existing = user
    PasswordState.objects.bulk_create(
        [PasswordState(user=user, must_change=True) for user in fresh], batch_size=_BATCH
    )
    updated: list[User] = []
    for plan in plans:
        if plan.changed and plan.existing is not None:
            for key, value in plan.changed.items():
                setattr(plan.existing, key, value)
            updated.append(plan.existing)
    User.objects.bulk_update(updated, ["first_name", "email"], batch_size=_BATCH)
    Membership.objects.bulk_create(
        [
            Membership(user_id=plan.existing.pk, unit_id=node.pk, role=role)
            for plan in plans
            if plan.existing is not None
            for node, role in plan.roles
            if node.pk is not None  # every node has its id by now
        ],
        batch_size=_BATCH,
        ignore_conflicts=True,
    )
    anchor_node = next(
        (node for node in (n.parent for n in new_units) if node is not None and node.row is None),
        None,
    )
    anchor_node = anchor_node or (new_units[0] if new_units else None) or (plans[0].unit if plans else None)
    if anchor_node is None or anchor_node.pk is None:
        changed_pks = [unit.pk for unit in changed]
        return Unit.objects.filter(pk__in=changed_pks[:1]).first()
    return Unit.objects.get(pk=anchor_node.pk)


def describe_role(role: str) -> str:
    return Role(role).label


__all__ = [
    "NewPassword",
    "OrgImportResult",
    "add_department",
    "add_user",
    "can_import",
    "can_manage_unit",
    "generate_password",
    "import_organisation",
    "managed_units",
    "managed_users",
    "rename_unit",
    "reset_password",
    "set_active",
    "set_role",
]
