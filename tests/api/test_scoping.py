"""Every list and detail endpoint scopes like the pages: another unit's objects answer 404, for every role."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import api_as
from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger.models import Evidence, Finding, Measure
from zhenggai.ledger.services import request_extension, request_signoff
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import Warning
from zhenggai.supervision.notices import issue_supervision_notice


@dataclass
class Side:
    """One unit's objects, one of each kind the API shows."""

    ids: dict[str, int]


def populate(world: World, measure: Measure, leader: Any) -> Side:
    measure.deadline = dt.date(2030, 6, 30)
    measure.save()
    report = report_with_evidence(leader, measure)
    extension = request_extension(
        by=leader, measure=measure, new_deadline=dt.date(2030, 9, 30), reason="汛期"
    )
    signoff = request_signoff(by=leader, measure=measure, note="已完成")
    unit = measure.inspection.inspected_unit
    warning = Warning.objects.create(
        issued_at=timezone.now(), unit=unit, inspection=measure.inspection, measure=measure, colour=Colour.RED
    )
    notice = issue_supervision_notice(
        by=world.supervisor,
        measures=[measure],
        title="督办",
        content="请加快推进",
        reply_deadline=dt.date(2030, 1, 31),
    )
    return Side(
        {
            "unit_id": unit.pk,
            "inspection_id": measure.inspection_id,
            "finding_id": Finding.objects.filter(inspection=measure.inspection).first().pk,  # type: ignore[union-attr]
            "measure_id": measure.pk,
            "evidence_id": Evidence.objects.get(report=report).pk,
            "signoff_id": signoff.pk,
            "extension_id": extension.pk,
            "warning_id": warning.pk,
            "notice_id": notice.pk,
        }
    )


def detail_paths() -> list[str]:
    """Every GET path of the schema that names one object."""
    schema = Client().get("/api/v1/openapi.json").json()
    return sorted(
        path.removeprefix("/api/v1")
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" in path
    )


LISTS = {
    "/units": "id",
    "/inspections": "id",
    "/measures": "id",
    "/signoffs": "id",
    "/extensions": "id",
    "/warnings": "id",
    "/supervision-notices": "id",
}
OWN_KEY = {
    "/units": "unit_id",
    "/inspections": "inspection_id",
    "/measures": "measure_id",
    "/signoffs": "signoff_id",
    "/extensions": "extension_id",
    "/warnings": "warning_id",
    "/supervision-notices": "notice_id",
}


def items(body: Any) -> list[dict[str, Any]]:
    return body["items"] if isinstance(body, dict) else body


@pytest.mark.django_db
def test_every_list_endpoint_of_the_schema_is_covered_here() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    lists = {p.removeprefix("/api/v1") for p, ops in schema["paths"].items() if "get" in ops and "{" not in p}
    assert lists == set(LISTS)


def test_other_units_objects_are_404_and_absent_from_lists_for_every_role(world: World) -> None:
    side_a = populate(world, world.measure_a, world.leader_a)
    side_b = populate(world, world.measure_b, world.leader_b)
    roles = {
        world.leader_a: side_b,
        world.deputy_a: side_b,
        world.staff_a: side_b,
        world.viewer_a: side_b,
        world.leader_b: side_a,
        world.staff_b: side_a,
        world.outsider: side_b,
    }
    paths = detail_paths()
    assert len(paths) >= 12
    for user, other in roles.items():
        client = api_as(user)
        for template in paths:
            names = re.findall(r"\{(\w+)\}", template)
            path = template
            for name in names:
                path = path.replace("{" + name + "}", str(other.ids[name]))
            response = client.get(path)
            assert response.status_code == 404, (user.username, path, response.status_code)
            assert response["Content-Type"] == "application/problem+json"
        for path in LISTS:
            seen = {row["id"] for row in items(client.get(path, limit=200).json())}
            assert other.ids[OWN_KEY[path]] not in seen, (user.username, path)


def test_own_objects_are_reachable_through_every_detail_endpoint(world: World) -> None:
    side_a = populate(world, world.measure_a, world.leader_a)
    client = api_as(world.leader_a)
    for template in detail_paths():
        path = template
        for name in re.findall(r"\{(\w+)\}", template):
            path = path.replace("{" + name + "}", str(side_a.ids[name]))
        assert client.get(path).status_code == 200, path
    assert side_a.ids["measure_id"] in {m["id"] for m in client.get("/measures").json()["items"]}


def test_the_listing_reaches_measures_through_cooperating_and_lead_departments(world: World) -> None:
    from tests.factories import MeasureFactory

    # A measure of B that A's department co-operates on, and one of A led by B's department.
    shared = MeasureFactory(finding=world.measure_b.finding)
    shared.cooperating_departments.add(world.dept_a)
    led_by_b = MeasureFactory(finding=world.detail_a, lead_department=world.dept_b)

    def listed(user: Any) -> set[int]:
        return set(Measure.objects.listed_for(user).values_list("pk", flat=True))

    assert shared.pk in listed(world.staff_a)
    assert led_by_b.pk in listed(world.staff_b)
    assert world.measure_b.pk not in listed(world.staff_a)
    assert not listed(world.outsider)
