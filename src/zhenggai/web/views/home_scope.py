"""The supervisor's scope on the home page: the units under the 巡察办, from the stored figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import InspectionTally, Unit
from zhenggai.ledger.querysets import path_q, role_paths
from zhenggai.web.access import AnyUser

SHOWN_UNITS = 10  # the units with the lowest completion rate; the rest are on 整改总览


def supervised_scope(user: AnyUser) -> dict[str, Any] | None:
    """For a 巡察办: the supervised units (roots), how many inspected units lie under them with their totals,
    and the units furthest behind — three queries, whatever the number of units. None for anyone else."""
    paths = role_paths(user, (Role.SUPERVISOR.value,))
    if not paths:  # not a supervisor (a superuser, None, has the overview and the admin)
        return None
    roots = list(Unit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))
    tallies = InspectionTally.objects.filter(path_q("unit__path", paths))
    totals = tallies.aggregate(
        units=Count("unit", distinct=True),
        inspections=Count("pk"),
        measures=Coalesce(Sum("measures"), 0),
        done=Coalesce(Sum("done"), 0),
        overdue=Coalesce(Sum("overdue"), 0),
    )
    rows = list(
        tallies.values("unit", "unit__name")
        .annotate(inspections=Count("pk"), measures=Sum("measures"), done=Sum("done"), overdue=Sum("overdue"))
        .annotate(
            rate=Coalesce(
                Cast(F("done"), FloatField()) * 100.0 / NullIf(Cast(F("measures"), FloatField()), 0.0),
                Value(0.0),
            )
        )
        .order_by("rate", "-overdue", "unit__name")[:SHOWN_UNITS]
    )
    return {"roots": roots, "totals": totals, "rows": rows}
