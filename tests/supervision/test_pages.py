"""The in-app pages: warnings, 督办单 issued and answered through forms, notifications."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

from django.test import Client

from tests.conftest import World
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import NoticeStatus
from zhenggai.supervision.models import Notification, SupervisionNotice, SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]


def test_warnings_page_lists_only_the_users_measures(
    world: World, clock: Clock, sweep: Sweep, client: Client
) -> None:
    clock(D(2025, 4, 12))
    sweep()  # measure_a behind schedule (yellow), measure_b overdue (red)
    client.force_login(world.staff_a)
    page = client.get("/supervision/warnings/").content.decode()
    assert world.measure_a.code in page
    assert "进度落后于序时进度" in page
    assert "档案馆办公室" not in page
    assert 'name="measures"' not in page  # only supervisors issue 督办单
    client.force_login(world.supervisor)
    page = client.get("/supervision/warnings/?colour=red").content.decode()
    assert "区档案馆" in page
    assert "已逾期" in page
    assert 'name="measures"' in page


def test_warnings_page_is_paginated(world: World, clock: Clock, sweep: Sweep, client: Client) -> None:
    clock(D(2025, 4, 12))
    Measure.objects.bulk_create(
        Measure(
            inspection=world.inspection_a,
            finding=world.detail_a,
            code=f"P{i:03d}",
            text="批量措施",
            deadline=D(2025, 1, 1),
        )
        for i in range(120)
    )
    sweep()
    client.force_login(world.leader_a)
    seen: list[str] = []
    url = "/supervision/warnings/"
    for number in (1, 2, 3):
        page = client.get(url).content.decode()
        assert f"第 {number} 页，共 121 条" in page
        seen += re.findall(r'name="measures" value="(\d+)"', page) or re.findall(r'/measures/(\d+)/"', page)
        links = re.findall(r'href="\?([^"]+)" rel="next"', page)
        if number < 3:
            url = "/supervision/warnings/?" + html.unescape(links[0])
        else:
            assert not links
    assert len(set(seen)) == 121  # keyset pages: none repeated, none missed


def test_supervisor_issues_and_unit_replies_through_the_pages(
    world: World, clock: Clock, client: Client
) -> None:
    clock(D(2025, 4, 1))
    client.force_login(world.supervisor)
    form = client.get(f"/supervision/notices/issue/?measures={world.measure_a.pk}").content.decode()
    assert world.measure_a.text in form
    response = client.post(
        "/supervision/notices/issue/",
        {
            "measures": [world.measure_a.pk],
            "title": "进度滞后",
            "content": "请说明原因",
            "reply_deadline": "2025-04-08",
        },
    )
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/notices/{notice.pk}/"

    client.force_login(world.staff_a)
    detail = client.get(f"/supervision/notices/{notice.pk}/").content.decode()
    assert "蓝色督办" in detail
    assert "提交回复" in detail
    empty = client.post(f"/supervision/notices/{notice.pk}/reply/", {"reply": ""})
    assert empty.status_code == 400
    assert "请填写办理情况" in empty.content.decode()
    client.post(f"/supervision/notices/{notice.pk}/reply/", {"reply": "已整改到位"})
    notice.refresh_from_db()
    assert (notice.status, notice.reply) == (NoticeStatus.REPLIED, "已整改到位")

    client.force_login(world.leader_b)
    assert client.get(f"/supervision/notices/{notice.pk}/").status_code == 404


def test_issue_form_refuses_bad_input_in_chinese(world: World, clock: Clock, client: Client) -> None:
    clock(D(2025, 4, 1))
    client.force_login(world.supervisor)
    response = client.post(
        "/supervision/notices/issue/",
        {
            "measures": [world.measure_a.pk],
            "title": "进度滞后",
            "content": "请说明原因",
            "reply_deadline": "2025-03-01",
        },
    )
    assert response.status_code == 400
    assert "回复时限不能早于今天" in response.content.decode()
    client.force_login(world.leader_a)
    response = client.post(
        "/supervision/notices/issue/",
        {"measures": [world.measure_a.pk], "title": "x", "content": "y", "reply_deadline": "2025-04-08"},
    )
    assert response.status_code == 403  # a leader is no 巡察办 anywhere: the page itself is refused
    assert "只有巡察办可以下发督办单。" in response.content.decode()
    assert not SupervisionNotice.objects.exists()


def test_notifications_page_and_mark_read(world: World, clock: Clock, sweep: Sweep, client: Client) -> None:
    clock(D(2025, 4, 12))
    sweep()
    client.force_login(world.leader_a)
    page = client.get("/supervision/notifications/").content.decode()
    assert "未读 1 条" in page
    assert "整改预警提醒" in page
    client.post("/supervision/notifications/read/")
    assert not Notification.objects.filter(user=world.leader_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.leader_b, read_at__isnull=True).exists()


def test_a_measure_signed_off_after_the_sweep_leaves_the_warnings_page(
    world: World, clock: Clock, sweep: Sweep, client: Client
) -> None:
    clock(D(2025, 4, 12))
    sweep()  # measure_b overdue: red
    Measure.objects.filter(pk=world.measure_b.pk).update(status="done", progress=100)
    client.force_login(world.supervisor)
    page = client.get("/supervision/warnings/?colour=red").content.decode()
    assert world.measure_b.code not in page


def test_the_warnings_page_shows_todays_colour_of_a_measure_changed_since_the_sweep(
    world: World, clock: Clock, sweep: Sweep, client: Client
) -> None:
    clock(D(2025, 4, 12))
    sweep()  # measure_b red: overdue since 2024-06-30
    Measure.objects.filter(pk=world.measure_b.pk).update(deadline=D(2026, 6, 30), progress=60)
    client.force_login(world.supervisor)
    page = client.get("/supervision/warnings/").content.decode()
    row = page.split(world.measure_b.code)[0].rsplit("<tr", 1)[1]
    assert "dot red" not in row
    assert "已逾期" not in page.split(world.measure_b.code)[1].split("</tr>")[0]


def test_ticking_a_done_measure_for_a_notice_says_why_it_was_left_out(
    world: World, clock: Clock, client: Client
) -> None:
    clock(D(2025, 4, 12))
    done = Measure.objects.create(
        inspection=world.inspection_b,
        finding=world.measure_b.finding,
        code="B-DONE",
        text="已完成的措施",
        status="done",
        progress=100,
    )
    client.force_login(world.supervisor)
    ticked = [world.measure_b.pk, done.pk, 999999]
    page = client.get("/supervision/notices/issue/", {"measures": ticked}).content.decode()
    assert "整改措施B-DONE已完成，无需督办，未列入督办单。" in page
    assert "有1条勾选的措施不存在或不在您的管理范围内，未列入督办单。" in page
    assert f'value="{world.measure_b.pk}" checked' in page
