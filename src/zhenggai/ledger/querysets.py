"""Query sets: who may see what (`visible_to`), and the ledger's figures as annotations.

Permission scoping lives here and nowhere else: every list and every lookup goes through `visible_to(user)`.
A membership in a unit reaches that unit's whole subtree; department staff also reach the measures their
department leads or cooperates on, and the inspections those belong to.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
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
    """(unit path, role) of each of the user's memberships: read once per user object, then cached on it."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[tuple[str, str]] | None = getattr(user, "_zhenggai_memberships", None)
    if cached is None:
        from zhenggai.ledger.models import Membership

        cached = list(Membership.objects.filter(user=user).values_list("unit__path", "role"))
        user._zhenggai_memberships = cached  # type: ignore[attr-defined]
    return cached


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
        paths = scope_paths(user)
        if paths is None:
            return self
        units = _units_in(paths)
        # Department staff also see the inspections their departments have measures in.
        from zhenggai.ledger.models import Measure

        through = Measure.cooperating_departments.through
        led = Measure.objects.filter(lead_department_id__in=units).order_by().values("inspection_id")
        cooperating = (
            Measure.objects.filter(pk__in=through.objects.filter(unit_id__in=units).values("measure_id"))
            .order_by()
            .values("inspection_id")
        )
        return self.filter(Q(inspected_unit_id__in=units) | Q(pk__in=led.union(cooperating)))

    def with_figures(self, today: dt.date | None = None) -> InspectionQuerySet:
        return self.annotate(**figure_annotations("inspection", today))


class FindingQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser) -> FindingQuerySet:
        if scope_paths(user) is None:
            return self
        from zhenggai.ledger.models import Inspection

        return self.filter(inspection__in=Inspection.objects.visible_to(user).values("pk"))


def _units_in(paths: list[str]) -> models.QuerySet[Any]:
    """Ids of the units in the subtrees, as a subquery the database evaluates once."""
    from zhenggai.ledger.models import Unit

    return Unit.objects.filter(path_q("path", paths)).values("pk")


def measure_scope_q(paths: list[str]) -> Q:
    """Measures of inspections of units in the subtrees, or led or co-led by departments in them.

    Each branch is an indexed IN over a small uncorrelated subquery, so the database can union index
    look-ups instead of scanning every measure.
    """
    from zhenggai.ledger.models import Inspection, Measure

    units = _units_in(paths)
    through = Measure.cooperating_departments.through
    return (
        Q(inspection_id__in=Inspection.objects.filter(inspected_unit_id__in=units).values("pk"))
        | Q(lead_department_id__in=units)
        | Q(pk__in=through.objects.filter(unit_id__in=units).values("measure_id"))
    )


def measure_ids_in(paths: list[str]) -> models.QuerySet[Any]:
    """The ids of the measures `measure_scope_q` matches, as one UNION of index look-ups: the form for
    listing a scope (the OR form suits checking given rows, e.g. one measure by id)."""
    from zhenggai.ledger.models import Measure

    units = _units_in(paths)
    through = Measure.cooperating_departments.through
    led = Measure.objects.filter(lead_department_id__in=units).order_by().values("pk")
    cooperating = through.objects.filter(unit_id__in=units).order_by().values("measure_id")
    inspected = Measure.objects.filter(inspection__inspected_unit_id__in=units).order_by().values("pk")
    return led.union(cooperating, inspected)


class MeasureQuerySet(models.QuerySet["Measure"]):
    def visible_to(self, user: AnyUser) -> MeasureQuerySet:
        paths = scope_paths(user)
        if paths is None:
            return self
        return self.filter(measure_scope_q(paths))

    def responsible_for(self, user: AnyUser) -> MeasureQuerySet:
        """我的整改任务: measures of units the user leads, or of departments they work in. Supervisors and
        viewers reach more (visible_to) but are not responsible for the work itself."""
        from zhenggai.ledger.choices import Role

        paths = role_paths(user, (Role.LEADER, Role.STAFF))
        if paths is None:
            return self
        return self.filter(pk__in=measure_ids_in(paths)) if paths else self.none()

    def overdue(self, today: dt.date | None = None) -> MeasureQuerySet:
        return self.filter(overdue_q(today or timezone.localdate()))


class ScopedByMeasureQuerySet(models.QuerySet[_M]):
    """Reports, evidence, sign-offs and extensions: visible exactly when their measure is."""

    def visible_to(self, user: AnyUser) -> ScopedByMeasureQuerySet[_M]:
        if scope_paths(user) is None:
            return self
        from zhenggai.ledger.models import Measure

        return self.filter(measure__in=Measure.objects.visible_to(user).values("pk"))


class ScopedByInspectionQuerySet(models.QuerySet[_M]):
    """Regulations and clues: visible exactly when their inspection is."""

    def visible_to(self, user: AnyUser) -> ScopedByInspectionQuerySet[_M]:
        if scope_paths(user) is None:
            return self
        from zhenggai.ledger.models import Inspection

        return self.filter(inspection__in=Inspection.objects.visible_to(user).values("pk"))


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
