"""The ledger as an import compares it: the user's measures with what the sheet shows of them, and the
names of the units a row may name. A fixed number of queries, whatever the size of the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, Subquery

from zhenggai.ledger.models import Inspection, Measure, ProgressReport, Unit
from zhenggai.sheets.values import fold

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class CurrentMeasure:
    id: int
    code: str
    finding: int
    text: str
    kind: str
    leader: str
    person: str
    lead: int | None
    cooperating: frozenset[int]
    deadline: dt.date | None
    status: str
    progress: int
    latest_report: str
    updated_at: dt.datetime | None = None
    version: int | None = None


def load_measures(inspection: Inspection, user: User) -> list[CurrentMeasure]:
    """The measures the user may see, with what the sheet shows of them: three queries in all."""
    visible = Measure.objects.visible_to(user).filter(inspection=inspection)
    latest = ProgressReport.objects.filter(measure=OuterRef("pk")).order_by("-reported_at", "-id")
    rows = list(
        visible.annotate(latest_report=Subquery(latest.values("text")[:1])).values_list(
            "id",
            "code",
            "finding_id",
            "text",
            "kind",
            "responsible_leader",
            "responsible_person",
            "lead_department_id",
            "deadline",
            "status",
            "progress",
            "latest_report",
            "updated_at",
            "version",
        )
    )
    cooperating: dict[int, set[int]] = defaultdict(set)
    through = Measure.cooperating_departments.through.objects.filter(measure__inspection=inspection)
    for measure_id, unit_id in through.values_list("measure_id", "unit_id"):
        cooperating[measure_id].add(unit_id)
    return [
        CurrentMeasure(
            id=r[0],
            code=r[1],
            finding=r[2],
            text=r[3],
            kind=r[4],
            leader=r[5],
            person=r[6],
            lead=r[7],
            cooperating=frozenset(cooperating.get(r[0], ())),
            deadline=r[8],
            status=r[9],
            progress=r[10],
            latest_report=r[11] or "",
            updated_at=r[12],
            version=r[13],
        )
        for r in rows
    ]


def unit_names(unit: Unit, measures: list[CurrentMeasure]) -> dict[str, set[int]]:
    """Names (and short names) of the units a row may name: the inspected unit's subtree, and any unit the
    inspection's measures already name."""
    referenced = {m.lead for m in measures if m.lead} | {u for m in measures for u in m.cooperating}
    names: dict[str, set[int]] = defaultdict(set)
    units = Unit.objects.filter(Q(path__startswith=unit.path) | Q(pk__in=referenced))
    for pk, name, short_name in units.values_list("pk", "name", "short_name"):
        for word in {fold(name), fold(short_name)} - {""}:
            names[word].add(pk)
    return names
