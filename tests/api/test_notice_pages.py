"""督办单 through the API: the list pages by cursor as /measures, /signoffs and /extensions do; `limit` alone is
still the first page, and `open_only` keeps its meaning across pages."""

from __future__ import annotations

import datetime as dt

from tests.api.conftest import api_as
from tests.api.test_reviews import _all_pages
from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.supervision.choices import NoticeStatus
from zhenggai.supervision.models import SupervisionNotice
from zhenggai.supervision.notices import issue_supervision_notice


def _notices(world: World, count: int) -> list[int]:
    made = []
    for number in range(count):
        measure = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a)
        notice = issue_supervision_notice(
            by=world.supervisor,
            measures=[measure],
            title=f"督办{number}",
            content="请加快推进",
            reply_deadline=dt.date(2030, 1, 31),
        )
        made.append(notice.pk)
    return made


def test_supervision_notice_pages_follow_the_cursor_without_gaps_or_repeats(world: World) -> None:
    made = _notices(world, 5)
    client = api_as(world.leader_a)
    assert _all_pages(client, "/supervision-notices", limit=2) == (made, 3)
    first = client.get("/supervision-notices", limit=3).json()
    assert [row["id"] for row in first["items"]] == made[:3]
    assert first["next_cursor"] is not None
    everything = client.get("/supervision-notices").json()  # default limit 100: one page
    assert [row["id"] for row in everything["items"]] == made
    assert everything["next_cursor"] is None
    assert everything["items"][0]["measure_ids"]


def test_open_only_pages_skip_closed_notices(world: World) -> None:
    made = _notices(world, 4)
    SupervisionNotice.objects.filter(pk__in=made[1:3]).update(status=NoticeStatus.CLOSED)
    client = api_as(world.leader_a)
    assert _all_pages(client, "/supervision-notices", open_only=True, limit=1) == ([made[0], made[3]], 2)


def test_a_bad_cursor_on_the_notice_list_is_a_chinese_422(world: World) -> None:
    response = api_as(world.leader_a).get("/supervision-notices", cursor="不是游标")
    assert response.status_code == 422
    assert "翻页游标无效" in response.json()["detail"]
