"""延期: the deadline changes only through an approved extension, and the old one stays visible."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import World
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Extension

OLD, NEW = dt.date(2030, 6, 30), dt.date(2030, 9, 15)  # 77 days: within what a leader may grant


def test_approved_extension_moves_the_deadline_and_keeps_the_old_one(world: World) -> None:
    extension = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=NEW, reason="需第三方评估"
    )
    world.measure_a.refresh_from_db()
    assert world.measure_a.deadline == OLD  # unchanged while pending
    services.approve_extension(by=world.leader_a, extension=extension)
    world.measure_a.refresh_from_db()
    extension.refresh_from_db()
    assert world.measure_a.deadline == NEW
    assert world.measure_a.original_deadline == OLD
    assert (extension.old_deadline, extension.new_deadline, extension.decision) == (
        OLD,
        NEW,
        Decision.APPROVED,
    )
    event = AuditEvent.objects.get(action="approve_extension")
    assert (event.before["deadline"], event.after["deadline"]) == ("2030-06-30", "2030-09-15")


def test_rejected_extension_leaves_the_deadline(world: World) -> None:
    extension = services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=NEW, reason="忙"
    )
    services.reject_extension(by=world.leader_a, extension=extension, reason="理由不充分")
    world.measure_a.refresh_from_db()
    assert world.measure_a.deadline == OLD
    assert Extension.objects.get().decision == Decision.REJECTED


def test_deadline_cannot_be_edited_directly(world: World) -> None:
    with pytest.raises(InvalidInput, match="延期申请"):
        services.edit_measure(by=world.leader_a, measure=world.measure_a, deadline=NEW)
    world.measure_a.refresh_from_db()
    assert world.measure_a.deadline == OLD


def test_new_deadline_must_be_later(world: World) -> None:
    with pytest.raises(InvalidInput, match="晚于现有整改时限"):
        services.request_extension(
            by=world.staff_a, measure=world.measure_a, new_deadline=dt.date(2030, 1, 1), reason="x"
        )
    assert not Extension.objects.exists()


def test_one_pending_extension_at_a_time_and_not_self_approved(world: World) -> None:
    extension = services.request_extension(
        by=world.leader_a, measure=world.measure_a, new_deadline=NEW, reason="x"
    )
    with pytest.raises(InvalidTransition, match="待审核"):
        services.request_extension(
            by=world.staff_a, measure=world.measure_a, new_deadline=dt.date(2030, 12, 1), reason="y"
        )
    with pytest.raises(NotPermitted, match="本人"):
        services.approve_extension(by=world.leader_a, extension=extension)
    services.approve_extension(by=world.supervisor, extension=extension)
    with pytest.raises(InvalidTransition, match="不能重复审核"):
        services.approve_extension(by=world.deputy_a, extension=extension)
