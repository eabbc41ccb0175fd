"""Hot pages use a fixed number of queries, whatever the size of the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.models import Inspection, Unit


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(demo: Inspection) -> None:
    """Add a bigger inspection to the bureau and five more inspected units under the district."""
    from django.contrib.auth.models import User

    supervisor = User.objects.get(username="xunchaban")
    office = Unit.objects.get(name="办公室")
    problems = [
        services.FindingSpec(
            FindingLevel.PROBLEM,
            f"关于第{p}个新问题",
            children=[
                services.FindingSpec(
                    FindingLevel.DETAIL,
                    f"针对第{p}-{d}个具体问题",
                    measures=[
                        services.MeasureSpec(
                            f"新措施{p}-{d}-{m}",
                            lead_department=office,
                            deadline=dt.date.today() + dt.timedelta(days=m * 5 - 7),
                        )
                        for m in range(3)
                    ],
                )
                for d in range(4)
            ],
        )
        for p in range(5)
    ]
    services.create_inspection(
        by=supervisor, inspected_unit=demo.inspected_unit, inspector="区委第一巡察组", findings=problems
    )
    district = demo.inspected_unit.parent
    for n in range(5):
        unit = Unit.objects.create(name=f"临江区新单位{n}", parent=district)
        services.create_inspection(
            by=supervisor,
            inspected_unit=unit,
            inspector="区委第二巡察组",
            findings=[
                services.FindingSpec(
                    FindingLevel.PROBLEM, "关于X的问题", measures=[services.MeasureSpec("措施")]
                )
            ],
        )


PAGES = [
    ("xunchaban", "/overview/"),
    ("xunchaban", "/overview/?sort=-rate&q=临江"),
    ("lingdao", "/tasks/"),
    ("jingban", "/tasks/"),
    ("xunchaban", "/tasks/?show=all"),
    ("xunchaban", "/tasks/?show=all&sort=code&after=%5B%22000%22%2C1%5D"),
    ("lingdao", "/tree/"),
    ("jingban", "/tree/"),
    ("lingdao", "/"),
    ("lingdao", "/reviews/"),
    ("xunchaban", "/inspections/"),
]


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_hot_page_query_count_does_not_grow_with_the_data(demo: Inspection, username: str, url: str) -> None:
    url = url.replace("/tree/", f"/inspections/{demo.pk}/")
    client = login(username)
    client.get(url)  # warm up the session
    small = _queries(client, url)
    _grow(demo)
    if "/inspections/" in url and url != "/inspections/":
        # The tree of the grown inspection: 60 measures instead of 30.
        url = f"/inspections/{Inspection.objects.filter(inspector='区委第一巡察组').get().pk}/"
    large = _queries(client, url)
    assert large == small
    assert small <= 13  # includes the unread-message count in the page header


@pytest.mark.parametrize(
    ("username", "url"),
    [("xunchaban", "/supervision/warnings/"), ("lingdao", "/supervision/warnings/?colour=red")],
)
def test_warnings_page_query_count_does_not_grow_with_the_warnings(
    demo: Inspection, username: str, url: str
) -> None:
    from zhenggai.supervision.services import run_sweep

    run_sweep()
    client = login(username)
    client.get(url)  # warm up the session
    small = _queries(client, url)
    _grow(demo)
    run_sweep()
    assert _queries(client, url) == small
    assert small <= 12  # keys, rows, today's colours, stored totals, capped count, indicators


@pytest.mark.parametrize(
    "q",
    [
        "中心组学习",  # in measure texts: the first tier fills the page or runs out, the second is read
        "办公室",  # the lead department of every measure: the second tier only
        "学习",  # two characters, too short for trigrams: LIKE, the same queries
    ],
)
def test_search_page_query_count_does_not_grow_with_the_data(demo: Inspection, q: str) -> None:
    client = login("xunchaban")
    url = f"/tasks/?show=all&q={q}"
    client.get(url)  # warm up the session
    small = _queries(client, url)
    _grow(demo)
    large = _queries(client, url)
    assert large == small
    # The list's own queries plus the search's: capped counts in the text and person indexes (SQLite, a term of
    # three characters or more), the matching findings' and departments' ids, the second tier's keys (only when
    # the first runs out within the page). A term of one or two characters on SQLite: first, in each of the four
    # indexes, the trigrams that begin with it (search_index.lookup).
    assert small <= (18 if len(q) < 3 and connection.vendor == "sqlite" else 14)
