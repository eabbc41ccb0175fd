"""The supervisor's scope on the home page: the units under the 巡察办, from the stored figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import InspectionTally, Unit
from zhenggai.ledger.models.tally import ALL_ROUNDS, UnitTally
from zhenggai.ledger.querysets import path_q, role_paths, scope_is_whole
from zhenggai.web.access import AnyUser

SHOWN_UNITS = 10  # the units with the lowest completion rate; the rest are on 整改总览


def supervised_scope(user: AnyUser) -> dict[str, Any] | None:
    """For a 巡察办: the supervised units (roots), how many inspected units lie under them with their totals,
    and the units furthest behind — three queries, whatever the number of units. None for anyone else."""
    paths = role_paths(user, (Role.SUPERVISOR.value,))
    if not paths:  # not a supervisor (a superuser, None, has the overview and the admin)
        return None
    roots = list(Unit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))
    tallies = InspectionTally.objects.all()
    if not (scope_is_whole(user) and paths == role_paths(user)):  # else every tally: no join for the totals
        tallies = tallies.filter(path_q("unit__path", paths))
    totals = tallies.aggregate(
        units=Count("unit", distinct=True),
        inspections=Count("pk"),
        measures=Coalesce(Sum("measures"), 0),
        done=Coalesce(Sum("done"), 0),
        overdue=Coalesce(Sum("overdue"), 0),
    )
    # The units furthest behind from their stored overview rows (ledger.UnitTally, all rounds): the same sums
    # and rate as grouping the tallies, read along the (round_key, rate, path) index instead of grouping every
    # tally of the province joined with its unit (about 4 ms on PostgreSQL).
    behind = UnitTally.objects.filter(round_key=ALL_ROUNDS, inspections__gt=0)
    if tallies.query.has_filters():
        behind = behind.filter(path_q("path", paths))
    fields = ("unit_id", "name", "inspections", "measures", "done", "overdue", "rate")
    keys = ("unit", "unit__name", *fields[2:])  # the names the template reads (the grouped rows' before)
    rows = [
        dict(zip(keys, row, strict=True))
        for row in behind.order_by("rate", "-overdue", "name").values_list(*fields)[:SHOWN_UNITS]
    ]
    return {"roots": roots, "totals": totals, "rows": rows}
