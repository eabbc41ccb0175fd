"""The bulk import's plan: the 单位 and 用户 sheets compared in memory with the units and users in scope.

Every error is named with its sheet, row and column; nothing is written here (importing.py applies the plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models.functions import Lower

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.querysets import path_q
from zhenggai.ledger.services.organisation.users import (
    check_email,
    check_password,
    check_username,
    generate_password,
)
from zhenggai.sheets.org import UNIT_SHEET, USER_SHEET, OrgBook, OrgRow

BATCH = 500

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


@dataclass
class Node:
    name: str
    short_name: str
    kind: str
    parent: Node | None
    pk: int | None = None
    path: str = ""
    row: int | None = None  # the 单位 sheet row that creates it
    changed: bool = False

    def chain(self) -> list[Node]:
        nodes: list[Node] = []
        node: Node | None = self
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
class UserPlan:
    username: str
    full_name: str
    email: str
    password: str
    generated: bool
    unit: Node
    existing: User | None = None
    new: bool = True
    changed: dict[str, str] = field(default_factory=dict)
    roles: list[tuple[Node, str]] = field(default_factory=list)


class Units:
    """Every unit the importer may place things under: those in the database within scope, then the file's."""

    def __init__(self, scope: list[str] | None) -> None:
        queryset = Unit.objects.all() if scope is None else Unit.objects.filter(path_q("path", scope))
        rows = list(
            queryset.values_list("pk", "name", "short_name", "kind", "parent_id", "path").order_by("path")
        )
        by_pk: dict[int, Node] = {}
        self.by_name: dict[str, list[Node]] = {}
        self.children: dict[tuple[int, str], Node] = {}  # (id(parent node) or 0, name) → node
        self.changed: list[Node] = []  # existing units whose short name or kind the file changes
        for pk, name, short_name, kind, parent_id, path in rows:  # parents come before children (path order)
            node = Node(name, short_name, kind, by_pk.get(parent_id) if parent_id else None, pk, path)
            by_pk[pk] = node
            self._add(node)

    def _add(self, node: Node) -> None:
        self.by_name.setdefault(node.name, []).append(node)
        if node.short_name and node.short_name != node.name:
            self.by_name.setdefault(node.short_name, []).append(node)
        self.children[(id(node.parent) if node.parent else 0, node.name)] = node

    def child(self, parent: Node | None, name: str) -> Node | None:
        return self.children.get((id(parent) if parent else 0, name))

    def add(self, node: Node) -> None:
        self._add(node)

    def find(self, reference: str) -> tuple[Node | None, str]:
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


def plan_units(book: OrgBook, units: Units, scope: list[str] | None, result: OrgImportResult) -> list[Node]:
    created: list[Node] = []
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
        parent: Node | None = None
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
            node = Node(name, short_name, kind or UnitKind.ORGAN, parent, row=row.number)
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


def plan_users(
    book: OrgBook, units: Units, scope: list[str] | None, by: User, result: OrgImportResult
) -> list[UserPlan]:
    plans: dict[str, UserPlan] = {}
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
            username = check_username(username)
        except InvalidInput as error:
            result.errors.append(f"{_where(USER_SHEET, row, '用户名')}：{error.message}")
        try:
            email = check_email(cells.get("邮箱", ""))
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
                    check_password(password)
                except InvalidInput as error:
                    result.errors.append(f"{_where(USER_SHEET, row, '初始密码')}：{error.message}")
                    continue
            elif found is not None and password:
                result.notes.append(
                    f"{_where(USER_SHEET, row, '初始密码')}：用户“{username}”已存在，密码不变。"
                )
            plan = UserPlan(
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
    for start in range(0, len(names), BATCH):
        chunk = names[start : start + BATCH]
        # usernames differing only in case are the same person to the import (and to add_user)
        users.extend(User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk))
    roles: dict[int, set[tuple[int, str]]] = {}
    paths: dict[int, list[str]] = {}
    ids = [user.pk for user in users]
    for start in range(0, len(ids), BATCH):
        for user_id, unit_id, role, path in Membership.objects.filter(
            user_id__in=ids[start : start + BATCH]
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
