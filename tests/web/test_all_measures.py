"""全部整改措施: every measure a supervisor or leader may see, a keyset page at a time, never beyond the scope."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.conftest import World
from tests.factories import MeasureFactory
from tests.web.conftest import login
from zhenggai.ledger.models import Inspection
from zhenggai.web.views.common import PAGE_SIZE


def _get(user: Any, url: str) -> tuple[list[str], str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return list(dict.fromkeys(re.findall(r'<a href="/measures/(\d+)/">', html))), html  # code and text link


def _next(html: str) -> str:
    link = html[: html.index('rel="next"')]
    return "/tasks/" + link[link.rindex('href="') + 6 : link.rindex('"')].replace("&amp;", "&")


def test_a_supervisor_lists_every_measure_in_scope_by_default(world: World) -> None:
    ids, html = _get(world.supervisor, "/tasks/?show=all")
    assert set(ids) == {str(world.measure_a.pk), str(world.measure_b.pk)}
    assert "<h1>全部整改措施</h1>" in html
    ids, _ = _get(world.leader_a, "/tasks/?show=all&scope=all")
    assert set(ids) == {str(world.measure_a.pk)}  # a leader's whole list stays inside the unit
    ids, _ = _get(world.outsider, "/tasks/?show=all&scope=all")
    assert ids == []


def test_the_unit_filter_narrows_to_a_subtree(world: World) -> None:
    ids, _ = _get(world.supervisor, f"/tasks/?show=all&unit={world.unit_b.pk}")
    assert set(ids) == {str(world.measure_b.pk)}
    ids, html = _get(world.leader_a, f"/tasks/?show=all&scope=all&unit={world.unit_b.pk}")
    assert set(ids) == {str(world.measure_a.pk)}  # a unit outside the scope is refused and ignored
    assert "所选的值不在可选范围内" in html


def test_next_pages_follow_the_order_without_repeating_or_skipping(world: World) -> None:
    for n in range(PAGE_SIZE + 7):
        MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, code=f"P{n:03d}")
    seen: list[str] = []
    url = "/tasks/?show=all&sort=code"
    for _ in range(3):
        ids, html = _get(world.supervisor, url)
        seen += ids
        if 'rel="next"' not in html:
            break
        url = _next(html)
    assert "第 2 页" in html
    assert len(seen) == len(set(seen)) == PAGE_SIZE + 7 + 2
    assert "共 59 条" in html


def test_a_damaged_cursor_shows_the_first_page(world: World) -> None:
    ids, _ = _get(world.supervisor, "/tasks/?show=all&sort=code&after=[1,")
    assert len(ids) == 2


def test_search_rows_mark_the_term_and_say_where_else_they_matched(demo: Inspection) -> None:
    client = login("xunchaban")
    page = client.get("/tasks/?show=all&q=学习").content.decode()
    assert "中心组<mark>学习</mark>" in page
    page = client.get("/tasks/?show=all&q=办公室").content.decode()
    assert '<div class="small muted search-place">匹配：牵头部门</div>' in page
    plain = client.get("/tasks/?show=all").content.decode()
    assert "<mark>" not in plain
    assert "search-place" not in plain
