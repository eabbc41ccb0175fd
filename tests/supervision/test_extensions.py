"""延期 under a 督办单: the leader's approval waits for the supervisor's; without one, the leader decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.conftest import World
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.errors import InvalidTransition
from zhenggai.ledger.models import AuditEvent, Extension
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import ExtensionApproval, Notification, SupervisionNotice
from zhenggai.supervision.services import (
    close_supervision_notice,
    issue_supervision_notice,
    reply_supervision_notice,
)

D = dt.date
Clock = Callable[[dt.date], None]
OLD, NEW = D(2030, 6, 30), D(2030, 9, 15)  # 77 days: within what a leader may grant alone


@pytest.fixture
def notice(world: World, clock: Clock) -> SupervisionNotice:
    clock(D(2025, 3, 3))
    return issue_supervision_notice(
        by=world.supervisor,
        measures=[world.measure_a],
        title="接待审批整改",
        content="限期整改到位",
        reply_deadline=D(2025, 3, 10),
    )


def request(world: World) -> Extension:
    return services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=NEW, reason="需第三方评估"
    )


def deadline(world: World) -> dt.date | None:
    world.measure_a.refresh_from_db()
    return world.measure_a.deadline


def test_leader_approval_waits_for_the_supervisor_under_a_notice(
    world: World, notice: SupervisionNotice
) -> None:
    extension = request(world)
    services.approve_extension(by=world.leader_a, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, deadline(world)) == (Decision.PENDING, OLD)
    approval = ExtensionApproval.objects.get(extension=extension)
    assert (approval.leader, approval.supervisor, approval.notice) == (world.leader_a, None, notice)
    assert AuditEvent.objects.filter(action="approve_extension_leader", actor=world.leader_a).count() == 1
    asked = Notification.objects.get(user=world.supervisor, kind=NotificationKind.EXTENSION)
    assert "单位领导已同意" in asked.body
    assert "2030-09-15" in asked.body

    with pytest.raises(InvalidTransition, match="等待巡察办审核"):
        services.approve_extension(by=world.deputy_a, extension=extension)

    services.approve_extension(by=world.supervisor, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, extension.reviewed_by, deadline(world)) == (
        Decision.APPROVED,
        world.supervisor,
        NEW,
    )
    assert world.measure_a.original_deadline == OLD
    approval.refresh_from_db()
    assert (approval.leader, approval.supervisor) == (world.leader_a, world.supervisor)


def test_supervisor_approval_counts_for_both(world: World, notice: SupervisionNotice) -> None:
    extension = request(world)
    services.approve_extension(by=world.supervisor, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, deadline(world)) == (Decision.APPROVED, NEW)


def test_rejection_under_a_notice_leaves_the_deadline(world: World, notice: SupervisionNotice) -> None:
    extension = request(world)
    services.approve_extension(by=world.leader_a, extension=extension)
    services.reject_extension(by=world.supervisor, extension=extension, reason="督办期间不同意延期")
    extension.refresh_from_db()
    assert (extension.decision, deadline(world)) == (Decision.REJECTED, OLD)


def test_after_the_notice_is_closed_the_leader_decides_alone(world: World, notice: SupervisionNotice) -> None:
    first = request(world)
    services.approve_extension(by=world.supervisor, extension=first)  # the notice is settled by an extension
    reply_supervision_notice(by=world.staff_a, notice=notice, reply="已申请延期")
    close_supervision_notice(by=world.supervisor, notice=notice, closing_note="同意延期，督办办结。")
    later = NEW + dt.timedelta(days=30)
    extension = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=later, reason="第三方评估顺延"
    )
    services.approve_extension(by=world.leader_a, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, deadline(world)) == (Decision.APPROVED, later)
    assert not ExtensionApproval.objects.filter(extension=extension).exists()


def test_without_a_notice_the_leader_decides_alone(world: World, clock: Clock) -> None:
    clock(D(2025, 3, 3))
    extension = request(world)
    services.approve_extension(by=world.leader_a, extension=extension)
    assert deadline(world) == NEW
    assert not ExtensionApproval.objects.exists()
