"""The reach rows behind `visible_to` follow every write of measures, departments and inspections (triggers)."""

from __future__ import annotations

from tests.conftest import World
from tests.factories import InspectionFactory, MeasureFactory, UnitFactory
from zhenggai.ledger.models import Inspection, Measure, Reach, Unit


def reach_of(measure: Measure) -> set[tuple[str, int]]:
    return set(Reach.objects.filter(measure=measure).values_list("source", "unit_id"))


def test_a_new_measure_is_reached_by_its_inspected_unit_and_lead_department(world: World) -> None:
    measure = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a)
    assert reach_of(measure) == {("i", world.unit_a.pk), ("l", world.dept_a.pk)}
    assert Reach.objects.filter(inspection=world.inspection_a, source="u").values_list(
        "unit_id", flat=True
    ).get() == (world.unit_a.pk)


def test_changing_departments_moves_the_reach(world: World) -> None:
    measure = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a)
    Measure.objects.filter(pk=measure.pk).update(lead_department=world.dept_b)  # a bulk update fires it too
    measure.cooperating_departments.add(world.dept_a)
    assert reach_of(measure) == {("i", world.unit_a.pk), ("l", world.dept_b.pk), ("c", world.dept_a.pk)}
    assert measure in Measure.objects.visible_to(world.staff_b)
    measure.cooperating_departments.clear()
    Measure.objects.filter(pk=measure.pk).update(lead_department=None)
    assert reach_of(measure) == {("i", world.unit_a.pk)}
    assert measure not in Measure.objects.visible_to(world.staff_b)


def test_an_inspection_given_to_another_unit_takes_its_measures_along(world: World) -> None:
    Inspection.objects.filter(pk=world.inspection_a.pk).update(inspected_unit=world.unit_b)
    assert ("i", world.unit_b.pk) in reach_of(world.measure_a)
    assert ("i", world.unit_a.pk) not in reach_of(world.measure_a)
    assert set(Measure.objects.visible_to(world.leader_b)) == {world.measure_a, world.measure_b}
    assert world.inspection_a in Inspection.objects.visible_to(world.leader_b)


def test_deleting_removes_the_rows(world: World) -> None:
    measure = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a)
    measure.cooperating_departments.add(world.dept_b)
    measure_id = measure.pk
    measure.delete()
    assert not Reach.objects.filter(measure_id=measure_id).exists()
    inspection = InspectionFactory(inspected_unit=UnitFactory())
    inspection_id = inspection.pk
    inspection.delete()
    assert not Reach.objects.filter(inspection_id=inspection_id).exists()


def test_an_inspection_without_measures_is_visible_in_its_unit(world: World) -> None:
    unit = UnitFactory(parent=world.unit_a)
    inspection = InspectionFactory(inspected_unit=unit)
    assert inspection in Inspection.objects.visible_to(world.leader_a)
    assert inspection not in Inspection.objects.visible_to(world.leader_b)
    assert Unit.objects.filter(pk=unit.pk).exists()
