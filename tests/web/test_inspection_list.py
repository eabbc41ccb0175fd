"""/inspections/: newest feedback first, a page at a time, counted from the stored tallies when the scope is wide."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import InspectionFactory, UnitFactory
from zhenggai.ledger.models import Inspection, InspectionTally
from zhenggai.ledger.synthetic import generate
from zhenggai.ledger.tally import refresh_tally
from zhenggai.web import seek
from zhenggai.web.views import inspections
from zhenggai.web.views.tasks import tallies_for


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr><td><a href="/inspections/(\d+)/">', html)]


@pytest.fixture
def province(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(units=30, measures=300)
    monkeypatch.setattr(seek, "COUNT_CAP", 5)
    monkeypatch.setattr(inspections, "PAGE_SIZE", 7)


def test_a_wide_scope_sees_about_n_from_the_tallies_without_counting_the_inspections(province: None) -> None:
    client = _client("sheng")
    client.get("/inspections/")  # warm up the session
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/inspections/").content.decode()
    tallies = InspectionTally.objects.count()
    assert tallies > 2 * seek.COUNT_CAP
    assert f"约 {tallies:,} 条" in html
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and '"ledger_inspection"' in q["sql"]]
    assert counts == []


def test_the_pages_follow_one_another_through_every_visible_inspection(province: None) -> None:
    client = _client("sheng")
    url, seen, pages = "/inspections/", [], 0
    while url:
        html = client.get(url).content.decode()
        seen += _listed(html)
        pages += 1
        following = re.search(r'href="\?([^"]*)" rel="next"', html)
        url = f"/inspections/?{following.group(1).replace('&amp;', '&')}" if following else ""
    expected = list(Inspection.objects.order_by("-feedback_date", "-id").values_list("pk", flat=True))
    assert seen == expected
    assert pages == -(-len(expected) // 7)
    assert "上一页" in html


def test_a_search_or_a_narrow_scope_is_counted_exactly(province: None) -> None:
    one = Inspection.objects.select_related("inspected_unit").order_by("id").first()
    assert one is not None
    html = _client("sheng").get(f"/inspections/?q={one.inspected_unit.name}").content.decode()
    assert "约 " not in html  # a single page: no pager, never an estimate
    assert _listed(html) == [one.pk]
    html = _client("sheng").get("/inspections/?q=模拟").content.decode()
    assert f"{seek.COUNT_CAP:,} 条以上" in html  # matches beyond the cap, and no estimate for a search


def test_the_tallies_of_a_scope_over_every_root_are_all_and_no_more(province: None) -> None:
    """A province user reads every tally without the join on unit paths; a second root's tallies are not theirs."""
    sheng = User.objects.get(username="sheng")
    every = InspectionTally.objects.count()
    assert tallies_for(sheng).count() == every
    other = InspectionFactory(inspected_unit=UnitFactory(name="另一个省", parent=None))
    refresh_tally(other.pk)
    assert InspectionTally.objects.count() == every + 1
    # A request's user object: the memberships (and whether they cover every root) are read once per object.
    assert tallies_for(User.objects.get(username="sheng")).count() == every
    assert tallies_for(User.objects.get(username="danwei1")).count() < every
