"""The bulk import of units and users: plan the whole file (import_plan), then apply it in one transaction.

The plan is applied with bulk inserts: units level by level (a unit's path needs its id), users, memberships,
and one audit event naming the counts, not one event per row.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import User
from django.db import transaction

from zhenggai.ledger.choices import Role
from zhenggai.ledger.duties import is_system_admin
from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import Membership, PasswordState, Unit
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.ledger.querysets import role_paths
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.organisation.import_plan import (
    BATCH,
    NewPassword,
    Node,
    OrgImportResult,
    Units,
    UserPlan,
    plan_units,
    plan_users,
)
from zhenggai.ledger.services.organisation.scope import can_import
from zhenggai.sheets.org import OrgBook

# Initial passwords of a bulk import are hashed with fewer PBKDF2 rounds than Django's default (1,000,000 take
# 0.25 s each: 5,000 users would take 20 minutes). Django re-hashes with the full count at the first login.
# A generated password (12 of 55 symbols, about 69 bits) needs no stretching to resist guessing; a typed one
# (at least 8 characters, not a common one) gets ten times more.
INITIAL_PASSWORD_ITERATIONS = 10_000
GENERATED_PASSWORD_ITERATIONS = 1_000


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
    units = Units(scope)
    new_units = plan_units(book, units, scope, result)
    plans = plan_users(book, units, scope, by, result)
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


def _initial_hash(password: str, *, generated: bool) -> str:
    hasher = get_hasher()
    # The default hasher: fewer rounds now, the full count at the first login.
    if isinstance(hasher, PBKDF2PasswordHasher):
        rounds = GENERATED_PASSWORD_ITERATIONS if generated else INITIAL_PASSWORD_ITERATIONS
        return hasher.encode(password, hasher.salt(), iterations=rounds)
    return make_password(password, hasher=hasher)


def _apply(new_units: list[Node], plans: list[UserPlan], units: Units) -> Unit | None:
    """Write the plan; returns the unit the audit event is filed under."""
    # New units level by level: a unit's path is its parent's path plus its own id.
    levels: dict[int, list[Node]] = {}
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
        Unit.objects.bulk_create(objects, batch_size=BATCH)
        for node, unit in zip(nodes, objects, strict=True):
            assert unit.pk is not None  # SQLite ≥ 3.35 and PostgreSQL return the ids
            prefix = node.parent.path if node.parent else ""
            unit.path = node.path = f"{prefix}{unit.pk:0{PATH_STEP - 1}d}/"
            node.pk = unit.pk
        Unit.objects.bulk_update(objects, ["path"], batch_size=BATCH)
    changed = [Unit(pk=node.pk, short_name=node.short_name, kind=node.kind) for node in units.changed]
    Unit.objects.bulk_update(changed, ["short_name", "kind"], batch_size=BATCH)
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
    User.objects.bulk_create(fresh, batch_size=BATCH)
    for plan, user in zip([p for p in plans if p.existing is None], fresh, strict=True):
        plan.existing = user
    PasswordState.objects.bulk_create(
        [PasswordState(user=user, must_change=True) for user in fresh], batch_size=BATCH
    )
    updated: list[User] = []
    for plan in plans:
        if plan.changed and plan.existing is not None:
            for key, value in plan.changed.items():
                setattr(plan.existing, key, value)
            updated.append(plan.existing)
    User.objects.bulk_update(updated, ["first_name", "email"], batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(user_id=plan.existing.pk, unit_id=node.pk, role=role)
            for plan in plans
            if plan.existing is not None
            for node, role in plan.roles
            if node.pk is not None  # every node has its id by now
        ],
        batch_size=BATCH,
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
