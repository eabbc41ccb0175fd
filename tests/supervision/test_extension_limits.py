"""延期 beyond the limits (ZHENGGAI_EXTENSION_MAX_DAYS / _MAX_COUNT): the 巡察办 must agree after the leader,
through the same two-step approval as under a 督办单."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import World
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.errors import InvalidTransition
from zhenggai.ledger.models import AuditEvent, Extension
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import ExtensionApproval, Notification

OLD = dt.date(2030, 6, 30)  # world.measure_a's deadline


def _deadline(world: World) -> dt.date | None:
    world.measure_a.refresh_from_db()
    return world.measure_a.deadline


def _request(world: World, days: int) -> Extension:
    current = _deadline(world)
    assert current is not None
    return services.request_extension(
        by=world.staff_a,
        measure=world.measure_a,
        new_deadline=current + dt.timedelta(days=days),
        reason="需第三方评估",
    )


def test_an_extension_of_200_days_goes_to_the_supervisor_after_the_leader(world: World) -> None:
    extension = _request(world, 200)
    services.approve_extension(by=world.leader_a, extension=extension)

    extension.refresh_from_db()
    assert (extension.decision, _deadline(world)) == (Decision.PENDING, OLD)
    approval = ExtensionApproval.objects.get(extension=extension)
    assert (approval.leader, approval.supervisor, approval.notice) == (world.leader_a, None, None)
    event = AuditEvent.objects.get(action="approve_extension_leader")
    assert "延期200天，超过90天" in event.note
    asked = Notification.objects.get(user=world.supervisor, kind=NotificationKind.EXTENSION)
    assert "延期200天，超过90天" in asked.body
    assert asked.link == f"/measures/{world.measure_a.pk}/"
    with pytest.raises(InvalidTransition, match="等待巡察办审核（延期200天，超过90天）"):
        services.approve_extension(by=world.deputy_a, extension=extension)

    services.approve_extension(by=world.supervisor, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, _deadline(world)) == (Decision.APPROVED, OLD + dt.timedelta(days=200))


def test_a_leader_grants_up_to_the_limit_alone(world: World) -> None:
    extension = _request(world, 90)
    services.approve_extension(by=world.leader_a, extension=extension)
    extension.refresh_from_db()
    assert extension.decision == Decision.APPROVED
    assert not ExtensionApproval.objects.exists()


def test_the_third_extension_of_a_measure_goes_to_the_supervisor(world: World) -> None:
    for _ in range(2):
        services.approve_extension(by=world.leader_a, extension=_request(world, 30))
    third = _request(world, 30)
    services.approve_extension(by=world.leader_a, extension=third)
    third.refresh_from_db()
    assert third.decision == Decision.PENDING
    assert "已延期2次，每条措施至多2次" in AuditEvent.objects.get(action="approve_extension_leader").note


def test_limits_follow_the_settings(world: World, settings: Any) -> None:
    settings.EXTENSION_MAX_DAYS = 30
    extension = _request(world, 31)
    services.approve_extension(by=world.leader_a, extension=extension)
    extension.refresh_from_db()
    assert extension.decision == Decision.PENDING


def test_a_supervisor_alone_may_grant_beyond_the_limits(world: World) -> None:
    extension = _request(world, 200)
    services.approve_extension(by=world.supervisor, extension=extension)
    extension.refresh_from_db()
    assert (extension.decision, _deadline(world)) == (Decision.APPROVED, OLD + dt.timedelta(days=200))
