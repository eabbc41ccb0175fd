"""The measure page shows only the actions open to this user now; a pending request can be withdrawn by its
requester; progress defaults to the current value; one timeline, newest first; reviewers decide on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from tests.web.conftest import login
from tests.web.test_reviews_desk import PDF, _ask_signoff, _file, _working
from zhenggai.ledger import services
from zhenggai.ledger.choices import Decision, MeasureStatus
from zhenggai.ledger.errors import InvalidTransition, NotPermitted
from zhenggai.ledger.models import AuditEvent, Extension, Inspection, Measure


def _page(username: str, measure: Measure) -> str:
    response = login(username).get(f"/measures/{measure.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _extend(measure: Measure, days: int = 10) -> Extension:
    return services.request_extension(
        by=User.objects.get(username="jingban"),
        measure=measure,
        new_deadline=(measure.deadline or dt.date.today()) + dt.timedelta(days=days),
        reason="等待上级批复。",
    )


def test_open_measure_offers_report_with_the_current_progress_and_a_folded_signoff(demo: Inspection) -> None:
    measure = _working(demo)
    services.report_progress(
        by=User.objects.get(username="jingban"), measure=measure, text="推进中。", progress=40
    )
    page = _page("jingban", measure)
    assert 'id="report"' in page
    assert 'name="progress" value="40"' in page
    assert '<details class="card zg-card zg-fold" id="signoff">' in page  # folded below 100 %
    assert 'id="extension"' in page
    assert 'id="reopen"' not in page


def test_pending_signoff_hides_report_and_signoff_and_offers_withdraw_to_the_requester(
    demo: Inspection,
) -> None:
    measure = _ask_signoff(_working(demo)).measure
    staff = _page("jingban", measure)
    assert 'id="report"' not in staff
    assert 'id="signoff"' not in staff
    assert "撤回销号申请" in staff
    assert 'id="review-signoff-' not in staff  # staff do not review
    leader = _page("lingdao", measure)
    assert 'id="review-signoff-' in leader
    assert "确认同意" in leader
    assert "撤回销号申请" not in leader


def test_no_extension_form_while_one_is_pending_or_without_a_deadline(demo: Inspection) -> None:
    measure = _working(demo)
    extension = _extend(measure)
    page = _page("jingban", measure)
    assert 'id="extension"' not in page
    assert "撤回延期申请" in page
    assert f'id="review-extension-{extension.pk}"' in _page("lingdao", measure)
    undated = _working(demo, 1)
    Measure.objects.filter(pk=undated.pk).update(deadline=None)
    assert 'id="extension"' not in _page("jingban", undated)


def test_done_measure_offers_reopen_to_a_reviewer_only(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    services.approve_signoff(by=User.objects.get(username="lingdao"), signoff=signoff)
    staff = _page("jingban", signoff.measure)
    assert 'id="report"' not in staff
    assert 'id="extension"' not in staff
    assert 'id="reopen"' not in staff
    assert "该措施已销号" in staff
    assert 'id="reopen"' in _page("lingdao", signoff.measure)


def test_withdraw_signoff_puts_the_measure_back_and_is_audited(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    response = login("jingban").post(f"/signoffs/{signoff.pk}/withdraw/", follow=True)
    assert "已撤回销号申请。" in response.content.decode()
    signoff.refresh_from_db()
    assert signoff.decision == Decision.WITHDRAWN
    assert signoff.measure.status == MeasureStatus.IN_PROGRESS
    event = AuditEvent.objects.filter(action="withdraw_signoff").get()
    assert event.actor is not None
    assert event.actor.username == "jingban"
    assert event.before is not None
    assert event.before["status"] == MeasureStatus.PENDING_SIGNOFF
    page = _page("jingban", signoff.measure)
    assert 'id="report"' in page
    assert "申请人撤回销号" in page


def test_only_the_requester_may_withdraw_and_only_while_pending(demo: Inspection) -> None:
    signoff = _ask_signoff(_working(demo))
    leader = User.objects.get(username="lingdao")
    with pytest.raises(NotPermitted):
        services.withdraw_signoff_request(by=leader, signoff=signoff)
    response = login("lingdao").post(f"/signoffs/{signoff.pk}/withdraw/", follow=True)
    assert "只有申请人本人可以撤回销号申请。" in response.content.decode()
    services.approve_signoff(by=leader, signoff=signoff)
    with pytest.raises(InvalidTransition):
        services.withdraw_signoff_request(by=User.objects.get(username="jingban"), signoff=signoff)
    signoff.refresh_from_db()
    assert signoff.decision == Decision.APPROVED


def test_withdraw_extension_keeps_the_deadline(demo: Inspection) -> None:
    measure = _working(demo)
    deadline = measure.deadline
    extension = _extend(measure)
    login("jingban").post(f"/extensions/{extension.pk}/withdraw/")
    extension.refresh_from_db()
    measure.refresh_from_db()
    assert extension.decision == Decision.WITHDRAWN
    assert measure.deadline == deadline
    assert AuditEvent.objects.filter(action="withdraw_extension").count() == 1
    assert 'id="extension"' in _page("jingban", measure)  # a new request may be made


def test_timeline_lists_reports_reviews_and_extensions_newest_first(demo: Inspection) -> None:
    measure = _working(demo)
    signoff = _ask_signoff(measure)
    services.reject_signoff(by=User.objects.get(username="lingdao"), signoff=signoff, reason="请补充全文。")
    services.report_progress(
        by=User.objects.get(username="jingban"),
        measure=measure,
        text="补充全文。",
        progress=100,
        files=[_file("全文.pdf", PDF)],
    )
    _extend(measure)
    page = _page("jingban", measure)
    timeline = page[page.index('id="timeline"') :]
    order = [
        "申请延期",
        "补充全文。",
        "退回销号",
        "请补充全文。",
        "申请销号",
        "制度印发。",
        "最早的一次进展。",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    assert "（+10 天）" in timeline


def test_reviewer_returns_on_the_measure_page_and_a_missing_note_shows_beside_the_box(
    demo: Inspection,
) -> None:
    signoff = _ask_signoff(_working(demo))
    client = login("lingdao")
    refused = client.post(f"/signoffs/{signoff.pk}/reject/", {"note": "", "from": "measure"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="pending-signoff"' in page
    assert "退回须填写审核意见。" in page
    done = client.post(
        f"/signoffs/{signoff.pk}/reject/",
        {"note": "照片不清晰。", "from": "measure", "next": f"/measures/{signoff.measure_id}/"},
    )
    assert done.status_code == 302
    assert done["Location"] == f"/measures/{signoff.measure_id}/"
    signoff.refresh_from_db()
    assert signoff.decision == Decision.REJECTED
    assert signoff.review_note == "照片不清晰。"


def test_leader_approval_under_a_supervision_notice_waits_for_the_supervisor_and_shows_so(
    demo: Inspection,
) -> None:
    from zhenggai.supervision.notices import issue_supervision_notice

    measure = _working(demo)
    issue_supervision_notice(
        by=User.objects.get(username="xunchaban"),
        measures=[measure],
        title="关于加快推进整改的督办单",
        content="请按时报送整改进展。",
        reply_deadline=dt.date.today() + dt.timedelta(days=7),
    )
    extension = _extend(measure)
    response = login("lingdao").post(f"/extensions/{extension.pk}/approve/", {"note": "同意。"}, follow=True)
    assert "待巡察办审核" in response.content.decode()
    extension.refresh_from_db()
    assert extension.decision == Decision.PENDING
    page = _page("jingban", measure)
    assert 'id="awaits-supervisor"' in page
    timeline = page[page.index('id="timeline"') :]
    assert "关于加快推进整改的督办单" in timeline
