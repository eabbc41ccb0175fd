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
