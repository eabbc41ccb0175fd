"""拟稿 → 审定 → 签发（发布）, and 撤回: each step by the right person, in order, audited."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.notices.test_notice_versions import CONTACT
from zhenggai.ledger.errors import InvalidInput, InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent
from zhenggai.notices.choices import Audience, NoticeState
from zhenggai.notices.models import Notice
from zhenggai.notices.services import publish_notice
from zhenggai.notices.workflow import approve_notice, sign_notice, withdraw_notice


def _draft(world: World, audience: str = Audience.PUBLIC) -> Notice:
    return publish_notice(
        by=world.leader_a, inspection=world.inspection_a, audience=audience, contact=CONTACT
    )


def _actions(notice: Notice) -> list[str]:
    return list(AuditEvent.objects.for_object(notice).order_by("id").values_list("action", flat=True))


def test_a_stored_version_starts_as_a_draft_and_goes_out_after_approval_and_signature(world: World) -> None:
    notice = _draft(world)
    assert notice.state == NoticeState.DRAFT
    approved = approve_notice(by=world.deputy_a, notice=notice, note="数字核对无误，同意。")
    assert (approved.state, approved.approved_by, approved.review_note) == (
        NoticeState.APPROVED,
        world.deputy_a,
        "数字核对无误，同意。",
    )
    published = sign_notice(by=world.leader_a, notice=approved)
    assert published.state == NoticeState.PUBLISHED
    assert published.published_by == world.leader_a
    assert published.published_at is not None
    assert _actions(notice) == ["publish_notice", "approve_notice", "sign_notice"]


def test_the_drafter_cannot_approve_their_own_draft(world: World) -> None:
    notice = _draft(world)
    with pytest.raises(NotPermitted, match="本人拟稿的通报须由他人审定"):
        approve_notice(by=world.leader_a, notice=notice)
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.DRAFT


def test_a_draft_cannot_be_signed_before_it_is_approved(world: World) -> None:
    notice = _draft(world)
    with pytest.raises(InvalidTransition, match="当前为“拟稿”，不能签发发布通报"):
        sign_notice(by=world.deputy_a, notice=notice)


@pytest.mark.parametrize("who", ["staff_a", "viewer_a", "leader_b", "outsider"])
def test_only_the_units_leaders_and_supervisors_take_the_steps(world: World, who: str) -> None:
    notice = _draft(world)
    with pytest.raises(NotPermitted):
        approve_notice(by=getattr(world, who), notice=notice)
    with pytest.raises(NotPermitted):
        withdraw_notice(by=getattr(world, who), notice=notice, reason="不应公开")
    approve_notice(by=world.supervisor, notice=notice)  # the 巡察办 above may approve


def test_withdrawing_needs_a_reason_and_is_recorded(world: World) -> None:
    notice = sign_notice(by=world.leader_a, notice=approve_notice(by=world.deputy_a, notice=_draft(world)))
    with pytest.raises(InvalidInput, match="撤回理由不能为空"):
        withdraw_notice(by=world.leader_a, notice=notice, reason="  ")
    withdrawn = withdraw_notice(by=world.leader_a, notice=notice, reason="数字有误，更正后重新发布。")
    assert withdrawn.state == NoticeState.WITHDRAWN
    assert withdrawn.withdraw_reason == "数字有误，更正后重新发布。"
    event = AuditEvent.objects.for_object(notice).get(action="withdraw_notice")
    assert event.before is not None
    assert event.before["state"] == "published"
    assert event.after is not None
    assert event.after["state"] == "withdrawn"
    with pytest.raises(InvalidTransition, match="已撤回"):
        withdraw_notice(by=world.leader_a, notice=notice, reason="再次撤回")
