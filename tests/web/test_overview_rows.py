"""The overview reads stored per-unit rows (UnitTally): the same figures, in the same order, as the sums of the
inspections' tallies it grouped on every request before, and as fresh (the tallies' service transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Max, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.factories import UnitFactory, report_with_evidence
from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.models import Inspection, InspectionTally, Round, SignOff, Unit, UnitTally
from zhenggai.ledger.models.tally import ALL_ROUNDS
from zhenggai.ledger.tally import UNIT_SUMS, rebuild_tallies, refresh_unit_tallies, sync_unit_tallies
from zhenggai.supervision.models import DailySnapshot, SnapshotBasis
from zhenggai.supervision.services import run_sweep

FIGURES = ("inspections", *UNIT_SUMS, "rate", "red", "yellow")


def _grouped(round_id: int | None = None) -> dict[int, dict[str, Any]]:
    """What the overview computed per request before: the tallies grouped by unit, the latest sweep's lights."""
    tallies = InspectionTally.objects.all()
    if round_id is not None:
        tallies = tallies.filter(round_id=round_id)
    rate = Coalesce(
        Cast(F("done"), FloatField()) * 100.0 / NullIf(Cast(F("measures"), FloatField()), 0.0), Value(0.0)
    )
    rows = {
        row["unit"]: row
        for row in tallies.values("unit")
        .annotate(inspections=Count("pk"), **{name: Sum(name) for name in UNIT_SUMS})
        .annotate(rate=rate)
    }
    snapshots = DailySnapshot.objects.filter(basis=SnapshotBasis.UNIT)
    day = snapshots.aggregate(day=Max("day"))["day"]
    lights = {s.unit_id: (s.red, s.yellow) for s in snapshots.filter(day=day)}
    return {
        unit: {name: row[name] for name in FIGURES if name not in ("red", "yellow")}
        | dict(zip(("red", "yellow"), lights.get(unit, (0, 0)), strict=True))
        for unit, row in rows.items()
    }


def _stored(round_key: int = ALL_ROUNDS) -> dict[int, dict[str, Any]]:
    return {
        row["unit_id"]: {name: row[name] for name in FIGURES}
        for row in UnitTally.objects.filter(round_key=round_key).values("unit_id", *FIGURES)
    }


def _assert_rows_equal_the_grouped_tallies() -> None:
    assert _stored() == _grouped()
    for round_id in Round.objects.values_list("pk", flat=True):
        assert _stored(round_id) == _grouped(round_id)


def test_the_stored_rows_equal_the_grouped_tallies_on_the_demo_and_after_the_sweep(demo: Inspection) -> None:
    _assert_rows_equal_the_grouped_tallies()
    run_sweep()  # lights and overdue move
    assert UnitTally.objects.filter(red__gt=0).exists() or UnitTally.objects.filter(yellow__gt=0).exists()
    _assert_rows_equal_the_grouped_tallies()
    rebuild_tallies()
    _assert_rows_equal_the_grouped_tallies()


def test_a_signoff_moves_the_units_row_in_the_same_transaction(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    services.request_signoff(by=world.staff_a, measure=world.measure_a)
    row = UnitTally.objects.get(unit=world.unit_a, round_key=ALL_ROUNDS)
    assert (row.done, row.ongoing) == (0, 1)
    services.approve_signoff(by=world.leader_a, signoff=SignOff.objects.get())
    row = UnitTally.objects.get(unit=world.unit_a, round_key=ALL_ROUNDS)
    assert (row.done, row.ongoing, row.rate) == (1, 0, 100.0)
    _assert_rows_equal_the_grouped_tallies()


def test_an_inspection_moved_to_another_unit_leaves_no_row_behind(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)  # the tally and the unit's row exist
    assert UnitTally.objects.filter(unit=world.unit_a).exists()
    other = UnitFactory(name="区教育局", parent=world.unit_a.parent)
    Inspection.objects.filter(pk=world.inspection_a.pk).update(inspected_unit=other)
    services.request_signoff(by=world.staff_a, measure=world.measure_a)  # any change refreshes the tally
    assert not UnitTally.objects.filter(unit=world.unit_a).exists()
    _assert_rows_equal_the_grouped_tallies()


def test_a_moved_unit_keeps_its_rows_in_its_new_scope(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    city = UnitFactory(name="青川市")
    district = Unit.objects.get(pk=world.unit_a.parent_id)
    district.parent = city
    district.save()
    world.unit_a.refresh_from_db()
    assert set(UnitTally.objects.filter(unit=world.unit_a).values_list("path", flat=True)) == {
        world.unit_a.path
    }


SORTS = [
    "",
    "unit__name",
    "-unit__name",
    "-red",
    "red",
    "rate",
    "-rate",
    "-measures",
    "overdue",
    "-inspections",
]


def test_the_page_lists_the_same_rows_in_the_same_order_as_before(demo: Inspection) -> None:
    run_sweep()
    client: Client = login("xunchaban")
    grouped = _grouped()
    units = {u.pk: u for u in Unit.objects.filter(pk__in=grouped)}
    for sort in SORTS:
        response = client.get("/overview/" + (f"?sort={sort}" if sort else ""))
        assert response.status_code == 200
        shown = [
            (row["unit"], {name: row[name] for name in FIGURES})
            for row in response.context["page"].object_list
        ]
        key = (sort or "unit__name").lstrip("-")
        # as the grouped query sorted: by the column, then by the unit (its path)
        expected = sorted(grouped, key=lambda pk: units[pk].path)
        expected.sort(
            key=lambda pk: units[pk].name if key == "unit__name" else grouped[pk][key],
            reverse=sort.startswith("-"),
        )
        assert shown == [(pk, grouped[pk]) for pk in expected[: len(shown)]], sort
        totals = response.context["totals"]
        assert totals["units"] == len(grouped)
        assert totals["measures"] == sum(row["measures"] for row in grouped.values())
    for round_id in ("99999999999", "99999999999999999999999"):  # beyond int4, beyond int8: no rows, no error
        response = client.get(f"/overview/?round={round_id}")
        assert response.status_code == 200
        assert response.context["totals"]["units"] == 0


ROW_COLUMNS = ("unit_id", "round_key", "name", "path", *FIGURES)


def _all_rows() -> list[tuple[Any, ...]]:
    return list(UnitTally.objects.order_by("unit_id", "round_key").values_list(*ROW_COLUMNS))


def _rows_from_scratch() -> list[tuple[Any, ...]]:
    """Every row deleted and written again by the per-unit refresh (the services' path), then read back."""
    with transaction.atomic():
        units = set(InspectionTally.objects.values_list("unit_id", flat=True))
        UnitTally.objects.all().delete()
        refresh_unit_tallies(units)
        rows = _all_rows()
        transaction.set_rollback(True)
    return rows


def test_the_sweep_leaves_the_rows_a_rebuild_from_scratch_writes(demo: Inspection) -> None:
    run_sweep()  # lights and overdue move
    swept = _all_rows()
    assert swept == _rows_from_scratch()
    assert any(row[-2] or row[-1] for row in swept)  # some red or yellow lights are stored


def test_the_set_based_refresh_writes_only_what_differs_and_repairs_every_kind_of_drift(
    demo: Inspection,
) -> None:
    run_sweep()
    expected = _all_rows()
    assert sync_unit_tallies() == 0  # nothing differs: nothing is written
    row = UnitTally.objects.filter(round_key=ALL_ROUNDS).order_by("pk").first()
    assert row is not None
    UnitTally.objects.filter(pk=row.pk).update(overdue=F("overdue") + 7, rate=1.5, name="旧名称", red=99)
    UnitTally.objects.filter(pk=row.pk).exclude(round_key=ALL_ROUNDS).delete()
    gone = UnitTally.objects.exclude(pk=row.pk).order_by("pk").first()
    assert gone is not None
    UnitTally.objects.filter(pk=gone.pk).delete()
    stale = UnitFactory(name="无巡察单位")
    UnitTally.objects.create(unit=stale, round_key=ALL_ROUNDS, name=stale.name, path=stale.path, measures=3)
    assert sync_unit_tallies() == 3  # one updated, one inserted, one deleted
    assert _all_rows() == expected


def test_the_sweeps_query_count_does_not_grow_with_the_units(world: World) -> None:
    from tests.factories import InspectionFactory

    with time_machine.travel(dt.datetime(2025, 5, 31, 6, tzinfo=dt.UTC), tick=False):
        run_sweep()  # an earlier run: both measured runs find stored lights and rows to compare
    counts = []
    for n in (1, 80):  # 80 rows: more than one INSERT batch of the old row-by-row rebuild
        for i in range(n):
            InspectionFactory(inspected_unit=UnitFactory(name=f"新单位{n}-{i}", parent=world.unit_a.parent))
        rebuild_tallies()
        day = dt.datetime(2025, 6, 1, 6, tzinfo=dt.UTC) + dt.timedelta(days=n)
        with CaptureQueriesContext(connection) as queries, time_machine.travel(day, tick=False):
            run_sweep()
        counts.append(len(queries))
    assert counts[0] == counts[1]
