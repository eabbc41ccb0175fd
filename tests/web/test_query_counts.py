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

# A list read whole on its first page is counted by reading it (web.seek): the capped COUNT comes once the
# grown data fills more than a page, never more.
COUNTED = 1


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
    client.get(url)  # the grown tree's unit choices are read once, then kept per process (web.filters)
    large = _queries(client, url)
    assert small <= large <= small + COUNTED
    assert large <= 13  # includes the unread-message count in the page header


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("xunchaban", "/supervision/warnings/"),
        ("lingdao", "/supervision/warnings/?colour=red"),
        ("jingban", "/supervision/warnings/?colour=yellow"),
        ("xunchaban", "/tasks/?colour=red"),
        ("lingdao", "/tasks/?colour=red&sort=-progress"),
    ],
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
    client.get(url)  # the grown tree's unit choices are read once, then kept per process (web.filters)
    assert small <= _queries(client, url) <= small + COUNTED
    assert small <= 12  # keys, rows with today's colours, stored totals, capped count, indicators


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
    client.get(url)  # the grown tree's unit choices are read once, then kept per process (web.filters)
    large = _queries(client, url)
    assert small <= large <= small + COUNTED
    # The list's own queries plus the search's: capped counts in the text and person indexes (SQLite, a term of
    # three characters or more), the matching findings' and departments' ids, the second tier's keys (only when
    # the first runs out within the page). A term of one or two characters on SQLite: first, in each of the four
    # indexes, the trigrams that begin with it (search_index.lookup).
    assert large <= (18 if len(q) < 3 and connection.vendor == "sqlite" else 14)


def test_one_units_subtree_is_counted_from_its_tallies_not_by_walking_the_measures(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/tasks/?unit=<a city>: a region holding far more measures than the exact count's cap shows 约 N 条
    from the stored tallies, with the same queries as the unfiltered list (no capped COUNT over the measures,
    which walks the order's index checking each row against the subtree: 250 ms at province scale)."""
    from django.contrib.auth.models import User

    from zhenggai.ledger.synthetic import generate
    from zhenggai.web import seek

    generate(units=30, measures=600)  # 60 measures per city
    monkeypatch.setattr(seek, "COUNT_CAP", 10)
    client = Client()
    client.force_login(User.objects.get(username="sheng"))
    city = Unit.objects.get(name="模拟市01")
    client.get("/tasks/")  # warm up the session
    unfiltered = _queries(client, "/tasks/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/tasks/?unit={city.pk}")
    assert response.status_code == 200
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and '"ledger_measure"' in q["sql"]]
    assert counts == []
    assert len(captured) == unfiltered
    assert "约 " in response.content.decode()


def test_the_stored_signals_page_does_not_read_the_measure_id_lists(demo: Inspection) -> None:
    """A stored signal over a province's copied texts lists every measure (2 MB of ids at 300,000 measures):
    the page shows its stored links only, in a fixed number of queries."""
    from django.utils import timezone

    from zhenggai.evaluation.models import SignalRun, StoredSignal

    now = timezone.now()
    run = SignalRun.objects.create(started_at=now, finished_at=now, measures=3, signals=1, seconds=0.1)
    measure = demo.measures.first()
    assert measure is not None
    StoredSignal.objects.create(
        run=run,
        kind="copied",
        summary="疑点：整改措施文字高度相似。",
        measure_ids=[measure.pk] * 5000,
        links=[[measure.pk, "区文旅局", measure.code]],
        inspection_ids=[demo.pk],
        scope_path=demo.inspected_unit.path,
    )
    client = login("xunchaban")
    client.get("/evaluation/signals/")  # warm up the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/evaluation/signals/")
    assert response.status_code == 200
    assert measure.code in response.content.decode()
    assert not [q["sql"] for q in captured if '"measure_ids"' in q["sql"]]
    assert len(captured) <= 10


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps")
def test_the_membership_query_reads_no_more_units_in_a_bigger_tree(db: None) -> None:
    """Every request reads the user's memberships with how wide each is: the units below a province-wide
    membership are counted only up to a cap, and then the tree's units are not counted at all (a count of
    all units cost 6-14 ms a request at 5,000 units under load)."""
    from django.contrib.auth.models import User

    from zhenggai.ledger.choices import Role, UnitKind
    from zhenggai.ledger.models import Membership
    from zhenggai.ledger.querysets import memberships, scope_is_wide
    from zhenggai.ledger.synthetic import _with_paths

    root = Unit.objects.create(name="根", kind=UnitKind.REGION)
    user = User.objects.create_user("wide")
    Membership.objects.create(user=user, unit=root, role=Role.LEADER)

    def steps_with(units: int) -> int:
        have = Unit.objects.count() - 1
        _with_paths(
            Unit.objects.bulk_create(
                [Unit(name=f"单位{i}", kind=UnitKind.ORGAN, parent=root) for i in range(have, units)]
            )
        )
        reader = User.objects.get(pk=user.pk)
        raw = connection.connection
        assert raw is not None
        steps = [0]

        def tick() -> int:
            steps[0] += 1
            return 0

        raw.set_progress_handler(tick, 50)
        try:
            assert memberships(reader) == [(root.path, Role.LEADER)]
        finally:
            raw.set_progress_handler(None, 50)
        assert scope_is_wide(reader)
        return steps[0]

    small, big = steps_with(400), steps_with(2400)
    assert big <= small * 1.2 + 5, (small, big)


@pytest.mark.parametrize(
    "url",
    [
        "/overview/",
        "/overview/?sort=-red",
        "/overview/?sort=rate&round=1",
        "/overview/?q=临江",
        "/overview/charts/",
    ],
)
def test_the_overview_reads_its_stored_rows_and_never_groups_the_tallies(demo: Inspection, url: str) -> None:
    """A page of UnitTally rows along the sort's index and a fixed number of small queries (it grouped every
    inspection's tally per request before: 40-54 ms of CPU at 5,000 units)."""
    _grow(demo)
    client = login("xunchaban")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sqls = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in sqls if "ledger_inspectiontally" in sql]
    assert not [sql for sql in sqls if "ledger_unittally" in sql and "GROUP BY" in sql]
    assert len(sqls) <= (12 if "charts" in url else 10), sqls


def test_a_list_read_whole_on_its_first_page_is_not_counted_again(demo: Inspection) -> None:
    """A search or list whose every row fits the first page: its count is the rows read (no capped COUNT);
    the same count a COUNT would give."""
    client = login("xunchaban")
    url = "/tasks/?show=all&q=中心组学习"
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"] and '"ledger_measure"' in q["sql"]]
    shown = html.count('<td class="nowrap"><span class="d-md-none">')
    assert 0 < shown < 50
    assert f"共 {shown} 条" in html
