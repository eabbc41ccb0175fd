"""Query sets: who may see what (`visible_to`), and the ledger's figures as annotations.

Permission scoping lives here and nowhere else: every list and every lookup goes through `visible_to(user)`.
A membership in a unit reaches that unit's whole subtree; department staff also reach the measures their
department leads or cooperates on, and the inspections those belong to.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, connections, models
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # Named in the QuerySet[...] generics below, as strings (the models import this module).
    from zhenggai.ledger.models import AuditEvent, Inspection, Measure, Unit  # noqa: F401

    AnyUser = User | AnonymousUser

_M = TypeVar("_M", bound=models.Model)


def memberships(user: AnyUser) -> list[tuple[str, str]]:
    """(unit path, role) of each of the user's memberships: read once per user object, then cached on it.

    The same query says how wide each membership is, at no extra query and a bounded cost, where it counted
    every unit of the tree on each request before. The units below a membership are counted up to WIDE_UNITS
    (an index range read that stops there); at that many it is wide, and the tree's size is not read. Below
    that, the tree's units are counted only as far as decides the share: a membership with n units below is
    wide when the tree has at most n ÷ WIDE_SHARE units, so the count stops at the next tier's bound
    (81 units for n < 4, … 5,121 for n < 256). The decision is the same as with the exact counts.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[tuple[str, str]] | None = getattr(user, "_zhenggai_memberships", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_membership_sql(), [user.pk])
            rows = cursor.fetchall()
        cached = [(row[0], row[1]) for row in rows]
        user._zhenggai_memberships = cached  # type: ignore[attr-defined]
        user._zhenggai_share = max(  # type: ignore[attr-defined]
            (1.0 if row[2] >= WIDE_UNITS else row[2] / max(row[3], 1) for row in rows), default=0.0
        )
    return cached


@cache
def _membership_sql() -> str:
    """The memberships query (raw SQL, built once: the ORM took longer to compile it than the database to run it).
    For each membership: path, role, the units below (up to WIDE_UNITS), the tree's units counted up to the
    bound that decides the share for that many (0 when it is wide anyway)."""
    from zhenggai.ledger.models import Membership, Unit

    q = connection.ops.quote_name
    unit, membership = q(Unit._meta.db_table), q(Membership._meta.db_table)

    def units_up_to(n: int) -> str:
        return f"(SELECT COUNT(*) FROM (SELECT 1 AS one FROM {unit} LIMIT {n}) capped)"

    tiers = " ".join(f"WHEN x.n < {n} THEN {units_up_to(int(n / WIDE_SHARE) + 1)}" for n in _TIERS)
    # paths end in "/", and "/" < "0": the subtree of p is p <= path < p without its "/" followed by "0"
    below = (
        f"(SELECT COUNT(*) FROM (SELECT 1 AS one FROM {unit} b WHERE b.path >= u.path "
        f"AND b.path < (SUBSTR(u.path, 1, LENGTH(u.path) - 1) || '0') LIMIT {WIDE_UNITS}) capped)"
    )
    return (
        f"SELECT x.path, x.role, x.n, CASE WHEN x.n >= {WIDE_UNITS} THEN 0 {tiers} ELSE 0 END FROM "
        f"(SELECT u.path AS path, m.role AS role, {below} AS n FROM {membership} m "
        f"JOIN {unit} u ON u.id = m.unit_id WHERE m.user_id = %s ORDER BY m.id) x"
    )


# A user reaching at least this share of the units' tree (or at least WIDE_UNITS units) walks the page's ordered
# index and checks each row's reach (the page fills after a few rows); a narrower one collects its few reach rows
# first.
WIDE_SHARE = 0.05
WIDE_UNITS = 256
_TIERS = (4, 16, 64, WIDE_UNITS)  # the bounds of `below` whose tree counts stop at n ÷ WIDE_SHARE + 1


def scope_is_wide(user: AnyUser) -> bool:
    memberships(user)
    return float(getattr(user, "_zhenggai_share", 0.0)) >= WIDE_SHARE


def role_paths(user: AnyUser, roles: tuple[str, ...] | None = None) -> list[str] | None:
    """Roots of the subtrees where the user holds one of `roles` (any role when None).

    With `roles` None (what the user may read) a superuser gets None: everything. With named roles (where the
    user may act) the superuser has only the roles they hold (三员分立: no business action by rank)."""
    if roles is None and getattr(user, "is_superuser", False) and user.is_active:
        return None
    paths = sorted({path for path, role in memberships(user) if roles is None or role in roles})
    # Drop paths inside another path: one prefix match covers them.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def scope_paths(user: AnyUser) -> list[str] | None:
    """Unit paths the user reaches with any role; None means everything (superuser)."""
    return role_paths(user)


def scope_is_whole(user: AnyUser) -> bool:
    """Whether the user reaches every unit (a superuser, or a membership at each root of the tree): a page over
    stored per-unit rows then reads its sort's index with no path condition, where a condition covering every
    row would make the planner read the whole range and sort it. One small query (the roots), once per user
    object, and only for a user with a membership at a root."""
    paths = scope_paths(user)
    if paths is None:
        return True
    cached: bool | None = getattr(user, "_zhenggai_whole", None)
    if cached is None:
        from zhenggai.ledger.models import Unit
        from zhenggai.ledger.models.units import PATH_STEP

        cached = any(len(path) == PATH_STEP for path in paths) and set(
            Unit.objects.filter(parent__isnull=True).values_list("path", flat=True)
        ) <= set(paths)
        user._zhenggai_whole = cached  # type: ignore[union-attr]
    return cached


def path_q(lookup: str, paths: list[str]) -> Q:
    """Q matching rows whose unit (reached by `lookup`) lies in one of the subtrees."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{lookup}__prefix": path}) for path in paths))


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: AnyUser) -> UnitQuerySet:
        paths = scope_paths(user)
        return self if paths is None else self.filter(path_q("path", paths))

    def subtree_of(self, unit: Any) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def with_figures(self, today: dt.date | None = None) -> UnitQuerySet:
        """Figures over the inspections of which each unit is the inspected unit."""
        return self.annotate(**figure_annotations("inspection__inspected_unit", today))


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: AnyUser) -> InspectionQuerySet:
        """The inspected unit in scope, or (department staff) a measure led or co-led by a department in scope:
        one semi-join on the reach rows."""
        paths = scope_paths(user)
        return self if paths is None else self.filter(user_reach_q(user, paths, "inspection"))

    def with_figures(self, today: dt.date | None = None) -> InspectionQuerySet:
        return self.annotate(**figure_annotations("inspection", today))


class FindingQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser) -> FindingQuerySet:
        paths = scope_paths(user)
        return (
            self if paths is None else self.filter(user_reach_q(user, paths, "inspection", "inspection_id"))
        )


def reach_q(paths: list[str], via: str, outer: str = "pk", *, wide: bool = False) -> Q:
    """Rows reached (ledger.Reach) by a unit in one of the subtrees: a semi-join on indexed columns.

    `via` is the reach column the outer row is ("measure" or "inspection"), `outer` the outer row's column
    holding that id. Wide scopes are written EXISTS (SQLite then walks the outer rows in the page's index order
    and checks each with one index look-up, and the page fills after a few rows); narrow ones `IN (reach rows of
    the subtrees)`, which the databases drive from the unit path range. PostgreSQL plans both as a semi-join.
    No UNION of id sets, no OR of subqueries.
    """
    from zhenggai.ledger.models import Reach

    reach = Reach.objects.filter(path_q("unit__path", paths))
    if wide:
        return Q(Exists(reach.filter(**{via: OuterRef(outer)})))
    return Q(**{f"{outer}__in": reach.order_by().values(via)})


def user_reach_q(user: AnyUser, paths: list[str], via: str, outer: str = "pk") -> Q:
    return reach_q(paths, via, outer, wide=scope_is_wide(user))


class MeasureQuerySet(models.QuerySet["Measure"]):
    def visible_to(self, user: AnyUser) -> MeasureQuerySet:
        paths = scope_paths(user)
        if paths is None:
            return self
        if connections[self.db].vendor == "sqlite" and scope_is_whole(user):
            # Every unit lies in the user's subtrees, so every measure is reached (its inspection's unit
            # always is: a reach row per measure, ledger.reach): no check per row. SQLite only: it tests the
            # semi-join row by row along the page's order (3 µs a row, 3 ms for a capped count of 1,000);
            # PostgreSQL's plans are tuned with it.
            return self
        return self.filter(user_reach_q(user, paths, "measure"))

    def listed_for(self, user: AnyUser) -> MeasureQuerySet:
        """The same rows as `visible_to` (kept for the API's callers: the reach semi-join pages fast in id
        order at every scope)."""
        return self.visible_to(user)

    def responsible_for(self, user: AnyUser) -> MeasureQuerySet:
        """我的整改任务: measures of units the user leads, or of departments they work in. Supervisors and
        viewers reach more (visible_to) but are not responsible for the work itself."""
        from zhenggai.ledger.choices import Role

        paths = role_paths(user, (Role.LEADER, Role.STAFF))
        if paths is None:
            return self
        return self.filter(user_reach_q(user, paths, "measure")) if paths else self.none()

    def overdue(self, today: dt.date | None = None) -> MeasureQuerySet:
        return self.filter(overdue_q(today or timezone.localdate()))


class ScopedByMeasureQuerySet(models.QuerySet[_M]):
    """Reports, evidence, sign-offs and extensions: visible exactly when their measure is."""

    def visible_to(self, user: AnyUser) -> ScopedByMeasureQuerySet[_M]:
        paths = scope_paths(user)
        return self if paths is None else self.filter(user_reach_q(user, paths, "measure", "measure_id"))


class ScopedByInspectionQuerySet(models.QuerySet[_M]):
    """Regulations and clues: visible exactly when their inspection is."""

    def visible_to(self, user: AnyUser) -> ScopedByInspectionQuerySet[_M]:
        paths = scope_paths(user)
        return (
            self if paths is None else self.filter(user_reach_q(user, paths, "inspection", "inspection_id"))
        )


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: AnyUser) -> AuditEventQuerySet:
        paths = scope_paths(user)
        return self if paths is None else self.filter(path_q("unit__path", paths))

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.model_name, object_id=str(obj.pk))


# --- figures ---------------------------------------------------------------------------------------------

# The figures' public names (JSON keys); the annotations are these with an "n_" prefix (completion_rate as is),
# since "measures" and "regulations" are already reverse relations on Inspection.
FIGURE_NAMES = (
    "problems",
    "details",
    "measures",
    "done",
    "ongoing",
    "overdue",
    "completion_rate",
    "regulations_new",
    "regulations_revised",
    "done_late",
)


def done_late_q() -> Q:
    """逾期完成: signed off as done after the (possibly extended) deadline; a subset of `done`."""
    from zhenggai.ledger.choices import MeasureStatus

    return Q(status=MeasureStatus.DONE, deadline__isnull=False, completed_date__gt=F("deadline"))


def overdue_q(today: dt.date) -> Q:
    from zhenggai.ledger.choices import OPEN_STATUSES

    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def _count(qs: models.QuerySet[Any], outer: str) -> Coalesce:
    """A correlated COUNT(*) of `qs` rows whose `outer` field is the outer row."""
    counted = (
        qs.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


def figure_annotations(outer: str, today: dt.date | None = None) -> dict[str, Any]:
    """Annotations for the ledger figures, correlated on `outer` (the path from a finding or measure up to the
    annotated row: "inspection" or "inspection__inspected_unit"). One subquery per figure, none per row."""
    from zhenggai.ledger.choices import FindingLevel, MeasureStatus, RegulationKind
    from zhenggai.ledger.models import Finding, Measure, Regulation

    today = today or timezone.localdate()
    problems = Finding.objects.filter(level=FindingLevel.PROBLEM)
    has_details = Finding.objects.filter(parent=OuterRef("pk"), level=FindingLevel.DETAIL)
    # A problem without 具体问题 counts as its own detail.
    details = Finding.objects.filter(
        Q(level=FindingLevel.DETAIL) | Q(level=FindingLevel.PROBLEM) & ~Q(Exists(has_details))
    )
    ongoing = (MeasureStatus.IN_PROGRESS, MeasureStatus.PENDING_SIGNOFF, MeasureStatus.ONGOING)
    return {
        "n_problems": _count(problems, outer),
        "n_details": _count(details, outer),
        "n_measures": _count(Measure.objects.all(), outer),
        "n_done": _count(Measure.objects.filter(status=MeasureStatus.DONE), outer),
        "n_done_late": _count(Measure.objects.filter(done_late_q()), outer),
        "n_ongoing": _count(Measure.objects.filter(status__in=ongoing), outer),
        "n_overdue": _count(Measure.objects.filter(overdue_q(today)), outer),
        "completion_rate": Coalesce(
            Cast(F("n_done"), FloatField()) * 100.0 / NullIf(Cast(F("n_measures"), FloatField()), 0.0),
            Value(0.0),
        ),
        "n_regulations_new": _count(Regulation.objects.filter(kind=RegulationKind.NEW), outer),
        "n_regulations_revised": _count(Regulation.objects.filter(kind=RegulationKind.REVISED), outer),
    }
