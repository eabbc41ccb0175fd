"""群众意见按期答复 in 整改评估: feedback answered late or left open past its time limit deducts, with reasons;
feedback answered in time, not yet due, rejected, sent before the 反馈日期 or to another unit does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.conftest import World
from zhenggai.evaluation import services
from zhenggai.evaluation.rubric import DEFAULT_ITEMS
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.services import Submission, answer_feedback, reject_feedback, submit_feedback

TODAY = dt.date(2026, 11, 30)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def send(world: World, nonce: str, **kw: Any) -> PublicFeedback:
    fields: dict[str, Any] = {
        "unit": world.unit_a,
        "category": "problem",
        "content": "办公室接待仍无审批单。",
        "captcha_nonce": nonce,
        "ip": f"10.0.0.{len(nonce)}",
        "name": "",
        "phone": "",
        "email": "",
    }
    feedback, _code = submit_feedback(Submission(**(fields | kw)))
    return feedback


def at(feedback: PublicFeedback, *, submitted: dt.date, due: dt.date) -> None:
    PublicFeedback.objects.filter(pk=feedback.pk).update(
        submitted_at=dt.datetime.combine(submitted, dt.time(9), SHANGHAI), due_on=due
    )


def answered_on(feedback: PublicFeedback, day: dt.date) -> None:
    PublicFeedback.objects.filter(pk=feedback.pk).update(
        answered_at=dt.datetime.combine(day, dt.time(10), SHANGHAI)
    )


def feedback_item(world: World) -> dict[str, Any]:
    evaluation = services.evaluate(by=world.supervisor, inspection=world.inspection_a, today=TODAY)  # type: ignore[arg-type]
    return next(d for d in evaluation.deductions if d["title"].startswith("群众意见按期答复"))


def test_the_default_rubric_still_totals_100_points_with_the_feedback_item() -> None:
    assert sum(points for _rule, _title, points, _per, _target in DEFAULT_ITEMS) == 100
    assert any(rule == "feedback" for rule, *_rest in DEFAULT_ITEMS)


def test_feedback_answered_late_or_left_overdue_deducts_with_its_reasons(world: World) -> None:
    world.inspection_a.feedback_date = dt.date(2026, 9, 1)
    world.inspection_a.save()
    late = send(world, "n1")
    at(late, submitted=dt.date(2026, 10, 1), due=dt.date(2026, 10, 20))
    answer_feedback(by=world.leader_a, feedback=late, answer="已办理。")  # type: ignore[arg-type]
    answered_on(late, dt.date(2026, 10, 23))
    open_late = send(world, "n22")
    at(open_late, submitted=dt.date(2026, 11, 1), due=dt.date(2026, 11, 20))
    in_time = send(world, "n333")
    at(in_time, submitted=dt.date(2026, 10, 1), due=dt.date(2026, 10, 20))
    answer_feedback(by=world.leader_a, feedback=in_time, answer="已办理。")  # type: ignore[arg-type]
    answered_on(in_time, dt.date(2026, 10, 20))
    d = feedback_item(world)
    assert d["cases"] == 2
    assert d["deducted"] == "2.0"
    assert d["reasons"] == [
        f"群众意见{late.pk}超期答复（答复时限2026年10月20日，2026年10月23日答复），扣1.0分。",
        f"群众意见{open_late.pk}超过答复时限2026年11月20日仍未答复，扣1.0分。",
        "收到群众意见3条，按期答复1条，超期答复1条，超期未答复1条，每条超期扣1.0分。",
    ]


def test_feedback_in_time_not_yet_due_rejected_earlier_or_elsewhere_does_not_deduct(world: World) -> None:
    world.inspection_a.feedback_date = dt.date(2026, 9, 1)
    world.inspection_a.save()
    in_time = send(world, "n1")
    at(in_time, submitted=dt.date(2026, 10, 1), due=dt.date(2026, 10, 20))
    answer_feedback(by=world.leader_a, feedback=in_time, answer="已办理。")  # type: ignore[arg-type]
    answered_on(in_time, dt.date(2026, 10, 20))
    not_due = send(world, "n22")
    at(not_due, submitted=dt.date(2026, 11, 25), due=dt.date(2026, 12, 15))
    rejected = send(world, "n333")
    at(rejected, submitted=dt.date(2026, 10, 1), due=dt.date(2026, 10, 20))
    reject_feedback(by=world.leader_a, feedback=rejected, reason="不属于本单位职责。")  # type: ignore[arg-type]
    before = send(world, "n4444")  # sent before the 反馈日期: another period
    at(before, submitted=dt.date(2026, 8, 1), due=dt.date(2026, 8, 20))
    elsewhere = send(world, "n55555", unit=world.unit_b)
    at(elsewhere, submitted=dt.date(2026, 10, 1), due=dt.date(2026, 10, 20))
    d = feedback_item(world)
    assert d["cases"] == 0
    assert d["deducted"] == "0.0"
    assert d["reasons"] == []
    assert Decimal(d["points"]) == 5
