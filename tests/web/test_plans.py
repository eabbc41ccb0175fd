"""On PostgreSQL, with a few thousand ANALYZE'd measures, the lists' main queries use indexes: no sequential
scan of the measure table (nor of the lights, for the warnings page), whatever the user's scope (wide or narrow)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import Measure, Membership, Unit
from zhenggai.ledger.synthetic import ROOT_NAME, generate
from zhenggai.supervision.services import run_sweep

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL: run under scripts/with-postgres"
)

PAGES = [
    ("shengzhang", "/tasks/?scope=all&show=all"),
    ("shengzhang", "/tasks/?scope=all&show=all&sort=-progress"),
    ("sheng", "/tasks/"),
    ("sheng", "/tasks/?show=pending"),
    ("sheng", "/tasks/?sort=code&after=%5B%22010%22%2C500%5D"),
    # Text search, a frequent term: along the order's index. (A rare one may use the trigram index, or, at this
    # test's 8,000 measures, a scan the planner rightly prices lower.)
    ("shengzhang", "/tasks/?scope=all&show=all&q=%E5%8E%8B%E5%AE%9E%E8%B4%A3%E4%BB%BB"),
    ("danwei1", "/tasks/"),
    ("keyuan1", "/tasks/"),
    # One colour (the sweep's stored light, checked per row), wide and narrow, and deep into the list (a cursor).
    ("sheng", "/tasks/?colour=red"),
    ("sheng", "/tasks/?colour=red&after=%5B%222026-09-30%22%2C6000%5D&page=100"),
    ("danwei1", "/tasks/?colour=red&sort=-progress"),
    # The warnings page: keys along the lights' stored sort keys (rank or colour, deadline, id).
    ("sheng", "/supervision/warnings/"),
    ("sheng", "/supervision/warnings/?colour=red"),
    ("sheng", "/supervision/warnings/?after=%5B1%2C%222026-09-30%22%2C6000%5D&page=100"),
    ("danwei1", "/supervision/warnings/?colour=red"),
    ("keyuan1", "/supervision/warnings/"),
]
LISTED = ('FROM "ledger_measure"', 'FROM "supervision_measurelight"')
GRAM_INDEXES = (
    "ledger_measure_text_grams",
    "ledger_measure_code_grams",
    "ledger_finding_title_grams",
    "ledger_unit_name_grams",
)


@pytest.fixture
def province(db: Any) -> None:
    generate(units=100, measures=8000)
    run_sweep()  # the lights the warnings page and the colour filter read
    leader = User.objects.create_user("shengzhang")
    Membership.objects.create(user=leader, unit=Unit.objects.get(name=ROOT_NAME), role=Role.LEADER)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _plans(username: str, url: str, *, counts: bool = False) -> list[str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    plans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        # The page's main query: its rows in the list's order (the capped count of a filtered list is not one).
        if counts:  # the capped counts of the list instead
            wanted = sql.startswith("SELECT COUNT(*)") and "ledger_measure" in sql
        else:
            wanted = (
                sql.startswith("SELECT")
                and any(table in sql for table in LISTED)
                and "ORDER BY" in sql
                and "LIMIT" in sql
            )
        if wanted:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@postgresql_only
def test_the_list_reads_measures_through_indexes(province: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for username, url in PAGES:  # one test: the province is built once (about 20 s)
        plans = _plans(username, url)
        assert plans, url
        for plan in plans:
            assert "Seq Scan on ledger_measure " not in plan + " ", f"{username} {url}\n{plan}"
            assert "Seq Scan on supervision_measurelight " not in plan + " ", f"{username} {url}\n{plan}"
        if url.startswith("/supervision/warnings/?after="):
            # The cursor is where the index scan starts (a row-value bound), not a filter over the pages before.
            assert any("Index Cond" in plan and "ROW(rank, due, measure_id) >" in plan for plan in plans), (
                plans
            )
    # The search box, a rare term (one measure of 8,000): the trigram GIN index on the measure text finds it,
    # and the second tier (finding title, lead department, responsible person) reads the person's trigram index.
    # The GIN indexes' pending lists are merged first, as autovacuum does after a bulk load (the bulk-created
    # measures would otherwise lie in a list every search reads through, and the planner rightly avoids it).
    Measure.objects.filter(pk=Measure.objects.order_by("pk")[4000].pk).update(text="开展蓝天保卫战专项督查")
    with connection.cursor() as cursor:
        for index in ("text", "code", "person"):
            cursor.execute(f"SELECT gin_clean_pending_list('ledger_measure_{index}_trgm'::regclass)")
        cursor.execute("ANALYZE")
    plans = _plans("shengzhang", "/tasks/?scope=all&show=all&q=%E8%93%9D%E5%A4%A9%E4%BF%9D%E5%8D%AB%E6%88%98")
    assert "Seq Scan on ledger_measure " not in "".join(plans) + " ", "\n".join(plans)
    assert any("Bitmap Index Scan on ledger_measure_text_trgm" in plan for plan in plans), "\n".join(plans)
    assert any("Bitmap Index Scan on ledger_measure_person_trgm" in plan for plan in plans), "\n".join(plans)
    # A name of two characters, too short for trigrams: the distinct people are walked along the person's B-tree
    # index, then the matching person's measures read by equality on it (measure_person), not by testing every
    # measure's person.
    first = Measure.objects.order_by("pk").values_list("pk", flat=True)[:3]
    Measure.objects.filter(pk__in=list(first)).update(responsible_person="张三")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    plans = _plans("shengzhang", "/tasks/?scope=all&show=all&q=%E5%BC%A0%E4%B8%89")
    person = [plan for plan in plans if "measure_person" in plan]
    assert person, "\n".join(plans)
    assert all("Seq Scan on ledger_measure " not in plan + " " for plan in person), "\n".join(person)
    # One or two characters in the texts (migration 0017_search_grams): a rare term is read from the gram index
    # of the text (and of the code), never by testing every measure in scope; a frequent one along the order's
    # index, a page at a time, as before.
    Measure.objects.filter(pk=Measure.objects.order_by("pk")[5000].pk).update(text="推进鑫源项目整改")
    with connection.cursor() as cursor:
        for index in GRAM_INDEXES:
            cursor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")
        cursor.execute("ANALYZE")
    for term in ("鑫", "鑫源", "淼"):  # one character, two, one found nowhere
        plans = _plans("shengzhang", f"/tasks/?scope=all&show=all&q={quote(term)}")
        assert "Seq Scan on ledger_measure " not in "".join(plans) + " ", "\n".join(plans)
        assert any("Bitmap Index Scan on ledger_measure_text_grams" in plan for plan in plans), "\n".join(
            plans
        )
        assert any("Bitmap Index Scan on ledger_measure_code_grams" in plan for plan in plans), "\n".join(
            plans
        )
    plans = _plans("shengzhang", f"/tasks/?scope=all&show=all&q={quote('责任')}")  # in every generated text
    assert "Bitmap Index Scan on ledger_measure_text_grams" not in plans[0], plans[0]
    assert "Index Scan using measure_" in plans[0], plans[0]
    assert "Sort" not in plans[0], plans[0]
    # A title held by very many findings (ID_CAP 0 here): each measure read along the order is joined to its
    # finding by key and its title tested, a page at a time; never a hash of every matching title built before
    # the first row (which PostgreSQL chose for EXISTS: 70 ms at province scale).
    monkeypatch.setattr("zhenggai.web.search.ID_CAP", 0)
    plans = _plans("shengzhang", f"/tasks/?scope=all&show=all&q={quote('具体问题')}")
    assert plans
    for plan in plans:
        assert "Hash" not in plan, plan  # neither a hashed SubPlan nor a Hash Join
        assert "Seq Scan on ledger_measure " not in plan + " ", plan
    assert any("Index Scan using ledger_finding_pkey" in plan for plan in plans), "\n".join(plans)
    # Its capped count likewise: the title checked per measure by key, never every finding hashed first.
    counts = _plans("shengzhang", f"/tasks/?scope=all&show=all&q={quote('具体问题')}", counts=True)
    assert counts, "the search fills more than a page, so it is counted"
    for plan in counts:
        assert "Hash" not in plan, plan
        assert "ledger_finding_pkey" in plan, plan


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL prices a small table's sort"
)
@pytest.mark.parametrize("url", ["/", "/inspections/"])
def test_the_inspection_lists_read_along_their_order_index(province: None, url: str) -> None:
    """Home and /inspections/ (a province supervisor: every inspection in scope) walk the (feedback date, id)
    index and stop after a page, instead of sorting every inspection (50 ms of 5,000 at province scale)."""
    client = Client()
    client.force_login(User.objects.get(username="sheng"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    listed = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "ledger_inspection"."id"') and "ORDER BY" in q["sql"]
    ]
    assert listed, url
    for sql in listed:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "inspection_feedback_order" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
