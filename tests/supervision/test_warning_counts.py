"""The warnings page's colour counts equal the rows of each colour the user can page through: they are the
sweep's stored totals of what the user may see (visible_to), not of the units inspected in their subtree."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory
from zhenggai.supervision.models import SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]
COLOUR_LINK = re.compile(r'href="\?colour=(\w+)"><span class="dot \w+"></span> [^<]*（(\d+)）</a>')


def _counts(client: Client) -> dict[str, int]:
    page = client.get("/supervision/warnings/").content.decode()
    return {colour: int(n) for colour, n in COLOUR_LINK.findall(page)}


def _listed(client: Client, colour: str) -> set[str]:
    """The measures listed under one colour, following the 下一页 links to the end."""
    seen: set[str] = set()
    url = f"/supervision/warnings/?colour={colour}"
    while True:
        page = client.get(url).content.decode()
        table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        seen |= set(re.findall(r'href="/measures/(\d+)/"', table))
        links = re.findall(r'href="\?([^"]+)" rel="next"', page)
        if not links:
            return seen
        url = "/supervision/warnings/?" + html.unescape(links[0])


@pytest.fixture
def crossing(world: World) -> World:
    """Measures of unit B's inspection that unit A's office leads or co-leads (its staff and leaders see them),
    and enough of them to need a second page of red."""
    finding = FindingFactory(inspection=world.inspection_b, title="关于跨单位协作的问题")
    for n in range(55):
        MeasureFactory(finding=finding, lead_department=world.dept_a, text=f"跨单位措施{n}")
    shared = MeasureFactory(finding=finding, lead_department=world.dept_b, deadline=D(2030, 6, 30))
    shared.cooperating_departments.add(world.dept_a)
    return world


@pytest.mark.parametrize("member", ["staff_a", "leader_a", "staff_b", "supervisor"])
def test_warning_counts_equal_the_rows_each_member_can_page_through(
    crossing: World, clock: Clock, sweep: Sweep, client: Client, member: str
) -> None:
    clock(D(2025, 4, 12))
    sweep()
    client.force_login(getattr(crossing, member))
    counts = _counts(client)
    assert set(counts) == {"red", "yellow", "blue", "stale", "green"}
    for colour, n in counts.items():
        assert len(_listed(client, colour)) == n, (member, colour)
    if member in ("staff_a", "leader_a"):
        # Unit B's measures led by unit A's office: counted although unit A was not the unit inspected.
        assert counts["red"] >= 55


def test_a_member_of_two_separate_units_counts_each_measure_once(
    crossing: World, clock: Clock, sweep: Sweep, client: Client
) -> None:
    from tests.factories import MembershipFactory
    from zhenggai.ledger.choices import Role

    clock(D(2025, 4, 12))
    sweep()
    MembershipFactory(user=crossing.staff_a, unit=crossing.dept_b, role=Role.STAFF)
    client.force_login(crossing.staff_a)
    counts = _counts(client)
    for colour, n in counts.items():
        assert len(_listed(client, colour)) == n, colour


def test_counts_and_the_colour_filter_follow_a_changed_measure_at_the_next_sweep(
    crossing: World, clock: Clock, sweep: Sweep, client: Client
) -> None:
    from zhenggai.ledger.models import Measure

    clock(D(2025, 4, 12))
    sweep()
    client.force_login(crossing.staff_a)
    red = _counts(client)["red"]
    listed = _listed(client, "red")
    assert len(listed) == red
    changed = Measure.objects.get(pk=int(sorted(listed)[0]))
    Measure.objects.filter(pk=changed.pk).update(deadline=D(2030, 6, 30), progress=60)
    clock(D(2025, 4, 13))
    sweep()
    client.force_login(crossing.staff_a)  # a day later: a new session
    assert _counts(client)["red"] == red - 1
    assert _listed(client, "red") == listed - {str(changed.pk)}
    tasks = client.get("/tasks/?colour=red&show=all").content.decode()
    assert f'href="/measures/{changed.pk}/"' not in tasks
    assert f'href="/measures/{sorted(listed - {str(changed.pk)})[0]}/"' in tasks
