"""督办单: issued by a supervisor, answered by the unit, escalated blue → orange → red once per step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent
from zhenggai.supervision.choices import NoticeLevel, NoticeStatus, NotificationKind
from zhenggai.supervision.models import Notification, SupervisionNotice, SupervisionRun
from zhenggai.supervision.notices import blocking_measures
from zhenggai.supervision.services import (
    close_supervision_notice,
    issue_supervision_notice,
    reply_supervision_notice,
)

D = dt.date
Sweep = Callable[[], SupervisionRun]
Clock = Callable[[dt.date], None]


REPLY_BY = D(2025, 3, 10)


def issue(world: World, deadline: dt.date = REPLY_BY) -> SupervisionNotice:
    return issue_supervision_notice(
        by=world.supervisor,
        measures=[world.measure_a],
        title="接待审批整改进度滞后",
        content="请说明进度滞后原因并提出赶超措施。",
        reply_deadline=deadline,
    )


def escalations(notice: SupervisionNotice) -> list[tuple[str, str]]:
    events = AuditEvent.objects.for_object(notice).filter(action="escalate_supervision_notice").order_by("id")
    return [(e.before["level"], e.after["level"]) for e in events]


def test_unanswered_notice_escalates_once_per_step_never_twice(
    world: World, clock: Clock, sweep: Sweep
) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    steps = {
        D(2025, 3, 10): NoticeLevel.BLUE,  # reply deadline day: still on time
        D(2025, 3, 11): NoticeLevel.ORANGE,
        D(2025, 3, 17): NoticeLevel.ORANGE,  # orange for 6 days
        D(2025, 3, 18): NoticeLevel.RED,  # orange for 7 days
        D(2025, 3, 19): NoticeLevel.RED,
        D(2025, 6, 30): NoticeLevel.RED,
    }
    for day, level in steps.items():
        clock(day)
        sweep()
        sweep()  # twice a day changes nothing
        notice.refresh_from_db()
        assert notice.level == level, day
    assert escalations(notice) == [("blue", "orange"), ("orange", "red")]
    events = AuditEvent.objects.filter(action="escalate_supervision_notice")
    assert all(e.actor is None for e in events)
    told = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert told.filter(user=world.leader_a).count() == 2
    assert told.filter(user=world.staff_a).count() == 2
    assert told.filter(user=world.supervisor).count() == 2
    assert not told.filter(user=world.leader_b).exists()
    red = told.filter(user=world.leader_a).latest("id")
    assert "红色督办" in red.title
    assert "超过回复时限8日" in red.body


def test_a_reply_stops_the_escalation(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    clock(D(2025, 3, 12))
    sweep()
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="已完成审批流程整改,补齐手续12份。")
    clock(D(2025, 4, 30))
    sweep()
    notice.refresh_from_db()
    assert (notice.status, notice.level) == (NoticeStatus.REPLIED, NoticeLevel.ORANGE)
    assert escalations(notice) == [("blue", "orange")]
    reply = Notification.objects.get(user=world.supervisor, kind=NotificationKind.NOTICE)
    assert "逾期回复" in reply.body
    assert "补齐手续12份" in reply.body


def test_issuing_tells_the_unit_and_is_audited(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    assert (notice.unit, notice.level, notice.status) == (world.unit_a, NoticeLevel.BLUE, NoticeStatus.OPEN)
    event = AuditEvent.objects.for_object(notice).get()
    assert (event.action, event.actor, event.after["measures"]) == (
        "issue_supervision_notice",
        world.supervisor,
        [world.measure_a.pk],
    )
    told = set(
        Notification.objects.filter(kind=NotificationKind.NOTICE).values_list("user__username", flat=True)
    )
    assert told == {"leader_a", "deputy_a", "staff_a"}
    assert "2025年3月10日前回复" in Notification.objects.filter(user=world.leader_a).get().body


def test_only_a_supervisor_over_the_unit_issues(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    with pytest.raises(NotPermitted, match="下发督办单"):
        issue_supervision_notice(
            by=world.leader_a,
            measures=[world.measure_a],
            title="x",
            content="y",
            reply_deadline=D(2025, 3, 9),
        )
    with pytest.raises(InvalidInput, match="同一个单位"):
        issue_supervision_notice(
            by=world.supervisor,
            measures=[world.measure_a, world.measure_b],
            title="x",
            content="y",
            reply_deadline=D(2025, 3, 9),
        )
    with pytest.raises(InvalidInput, match="不能早于今天"):
        issue(world, deadline=D(2025, 3, 2))
    with pytest.raises(InvalidInput, match="督办事项不能为空"):
        issue_supervision_notice(
            by=world.supervisor,
            measures=[world.measure_a],
            title=" ",
            content="y",
            reply_deadline=D(2025, 3, 9),
        )
    assert not SupervisionNotice.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_unit_replies_and_only_once(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    for outsider in (world.leader_b, world.staff_b, world.viewer_a, world.outsider):
        with pytest.raises(NotPermitted, match="不能回复督办单"):
            reply_supervision_notice(by=outsider, notice=notice, reply="已整改")
    reply_supervision_notice(by=world.leader_a, notice=notice, reply="已整改")
    with pytest.raises(InvalidTransition, match="已回复"):
        reply_supervision_notice(by=world.staff_a, notice=notice, reply="再次回复")
    notice.refresh_from_db()
    assert (notice.replied_by, notice.reply) == (world.leader_a, "已整改")


def _sign_off(world: World) -> None:
    report_with_evidence(world.staff_a, world.measure_a)
    signoff = services.request_signoff(by=world.staff_a, measure=world.measure_a)
    services.approve_signoff(by=world.leader_a, signoff=signoff)


def test_a_notice_does_not_close_while_a_measure_stands_at_40_percent(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="推进中", progress=40)
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="正在整改")
    assert blocking_measures(notice) == [world.measure_a]
    with pytest.raises(InvalidTransition, match=f"{world.measure_a.code}（整改中，进度40%）"):
        close_supervision_notice(by=world.supervisor, notice=notice, closing_note="同意办结")
    notice.refresh_from_db()
    assert (notice.status, notice.closing_note) == (NoticeStatus.REPLIED, "")
    assert not AuditEvent.objects.filter(action="close_supervision_notice").exists()


def test_closing_a_notice_needs_a_closing_note(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="已整改")
    _sign_off(world)
    with pytest.raises(InvalidInput, match="办结意见") as refused:
        close_supervision_notice(by=world.supervisor, notice=notice, closing_note="  ")
    assert refused.value.field == "closing_note"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED


def test_an_extension_approved_since_the_notice_lets_it_close(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    services.report_progress(by=world.staff_a, measure=world.measure_a, text="推进中", progress=40)
    extension = services.request_extension(
        by=world.staff_a,
        measure=world.measure_a,
        new_deadline=D(2030, 7, 30),
        reason="需第三方评估",
    )
    services.approve_extension(by=world.supervisor, extension=extension)
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="已申请延期")
    assert blocking_measures(notice) == []
    close_supervision_notice(by=world.supervisor, notice=notice, closing_note="同意延期，督办办结。")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED


def test_a_supervisor_closes_a_replied_notice(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    with pytest.raises(InvalidTransition, match="只有已回复"):
        close_supervision_notice(by=world.supervisor, notice=notice, closing_note="办结")
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="已整改")
    with pytest.raises(NotPermitted):
        close_supervision_notice(by=world.leader_a, notice=notice, closing_note="办结")
    _sign_off(world)
    close_supervision_notice(by=world.supervisor, notice=notice, closing_note="整改到位，同意办结。")
    notice.refresh_from_db()
    assert (notice.status, notice.closing_note) == (NoticeStatus.CLOSED, "整改到位，同意办结。")
    closed = AuditEvent.objects.for_object(notice).get(action="close_supervision_notice")
    assert closed.after["closing_note"] == "整改到位，同意办结。"
    assert [e.action for e in AuditEvent.objects.for_object(notice).order_by("id")] == [
        "issue_supervision_notice",
        "reply_supervision_notice",
        "close_supervision_notice",
    ]


def test_notices_are_visible_to_their_unit_only(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    notice = issue(world)
    for user in (world.supervisor, world.leader_a, world.staff_a, world.viewer_a):
        assert list(SupervisionNotice.objects.visible_to(user)) == [notice]
    for user in (world.leader_b, world.staff_b, world.outsider):
        assert not SupervisionNotice.objects.visible_to(user).exists()
