"""The 巡察办's home page shows the supervised scope: the units under it with their stored figures."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import login
from tests.web.test_query_counts import _grow
from zhenggai.ledger.models import Inspection


def test_the_supervisor_sees_the_units_under_it_with_counts(demo: Inspection) -> None:
    html = login("xunchaban").get("/").content.decode()
    assert "所辖范围：青川市临江区" in html
    assert "共2个被巡察单位、2次巡察" in html
    assert f"/units/{demo.inspected_unit.pk}/" in html
    assert demo.inspected_unit.name in html.split("所辖范围")[1]


def test_a_leader_has_no_scope_block(demo: Inspection) -> None:
    assert "所辖范围" not in login("lingdao").get("/").content.decode()


def test_the_scope_costs_the_same_queries_for_one_unit_or_six(demo: Inspection) -> None:
    client = login("xunchaban")
    client.get("/")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    small = count()
    _grow(demo)
    large = count()
    html = client.get("/").content.decode()
    assert "共7个被巡察单位、8次巡察" in html
    assert "临江区新单位0" in html
    assert large == small


def _grouped(paths: list[str]) -> tuple[dict[str, int], list[tuple[int, str, int, int, int, int]]]:
    """The scope's figures as the home page computed them before the stored rows: the inspections' tallies
    grouped per unit."""
    from django.db.models import Count, Q, Sum

    from zhenggai.ledger.models import InspectionTally

    tallies = InspectionTally.objects.filter(
        Q.create([("unit__path__startswith", path) for path in paths], connector=Q.OR)
    )
    totals = tallies.aggregate(
        units=Count("unit", distinct=True),
        inspections=Count("pk"),
        measures=Sum("measures"),
        done=Sum("done"),
        overdue=Sum("overdue"),
    )
    rows = (
        tallies.values("unit", "unit__name")
        .annotate(inspections=Count("pk"), measures=Sum("measures"), done=Sum("done"), overdue=Sum("overdue"))
        .values_list("unit", "unit__name", "inspections", "measures", "done", "overdue")
    )
    behind = sorted(rows, key=lambda r: (r[4] * 100.0 / r[3] if r[3] else 0.0, -r[5], r[1]))
    return {k: v or 0 for k, v in totals.items()}, behind[:10]


def test_the_scope_reads_the_stored_unit_rows_for_a_district_and_for_the_whole_tree(demo: Inspection) -> None:
    from django.contrib.auth.models import User

    from tests.factories import MembershipFactory
    from zhenggai.ledger.choices import Role
    from zhenggai.ledger.models import Unit
    from zhenggai.web.views.home_scope import supervised_scope

    _grow(demo)
    district = demo.inspected_unit.parent
    assert district is not None
    root = Unit.objects.get(parent__isnull=True)
    province = User.objects.create_user("quansheng")
    MembershipFactory(user=province, unit=root, role=Role.SUPERVISOR)
    for username, path in (("xunchaban", district.path), ("quansheng", root.path)):
        user = User.objects.get(username=username)
        with CaptureQueriesContext(connection) as captured:
            scope = supervised_scope(user)
        assert scope is not None
        assert not [q for q in captured if "ledger_inspectiontally" in q["sql"] and "GROUP BY" in q["sql"]]
        totals, behind = _grouped([path])
        assert scope["totals"] == totals
        assert [
            tuple(row[k] for k in ("unit", "unit__name", "inspections", "measures", "done", "overdue"))
            for row in scope["rows"]
        ] == behind
