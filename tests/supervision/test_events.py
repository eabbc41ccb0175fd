"""Per-event notifications: sign-off and extension results, new assignments, due-soon reminders, e-mail mutes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory, report_with_evidence
from tests.supervision.conftest import Mailbox
from zhenggai.ledger import services
from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import AuditEvent, Extension, SignOff
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import Notification, NotificationPreference, SupervisionRun

D = dt.date
Clock = Callable[[dt.date], None]
Sweep = Callable[[], SupervisionRun]


def _notes(kind: NotificationKind) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "title"))


def _signoff(world: World, capture: Any) -> SignOff:
    report_with_evidence(world.staff_a, world.measure_a)
    with capture(execute=True):
        return services.request_signoff(by=world.staff_a, measure=world.measure_a)


def test_approved_signoff_tells_the_requester_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    signoff = _signoff(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_signoff(by=world.leader_a, signoff=signoff, note="材料齐全")
    code = world.measure_a.code
    assert _notes(NotificationKind.SIGNOFF) == [("staff_a", f"销号已通过：整改措施{code}")]
    note = Notification.objects.get(kind=NotificationKind.SIGNOFF)
    assert note.link == f"/measures/{world.measure_a.pk}/"
    assert "审核意见：材料齐全" in note.body


def test_returned_signoff_tells_the_requester_with_the_reason(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    signoff = _signoff(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason="佐证材料不全")
    assert _notes(NotificationKind.SIGNOFF) == [("staff_a", f"销号被退回：整改措施{world.measure_a.code}")]
    assert "佐证材料不全" in Notification.objects.get(kind=NotificationKind.SIGNOFF).body


def test_a_refused_review_notifies_nobody(world: World, django_capture_on_commit_callbacks: Any) -> None:
    signoff = _signoff(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason="")
    assert _notes(NotificationKind.SIGNOFF) == []


def test_extension_decisions_tell_the_requester(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=D(2030, 7, 20), reason="需协调财政资金"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_extension(by=world.leader_a, extension=Extension.objects.get())
    code = world.measure_a.code
    assert _notes(NotificationKind.EXT_RESULT) == [("staff_a", f"延期已同意：整改措施{code}")]
    assert "2030年7月20日" in Notification.objects.get(kind=NotificationKind.EXT_RESULT).body

    services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=D(2030, 8, 1), reason="再需协调"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_extension(
            by=world.leader_a, extension=Extension.objects.get(decision="pending"), reason="理由不充分"
        )
    assert _notes(NotificationKind.EXT_RESULT) == [
        ("staff_a", f"延期已同意：整改措施{code}"),
        ("staff_a", f"延期被退回：整改措施{code}"),
    ]


def test_a_department_newly_assigned_hears_of_it_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory(username="staff_b2")
    MembershipFactory(user=other, unit=world.dept_b, role=Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_measure(
            by=world.leader_a,
            measure=world.measure_a,
            cooperating_departments=[world.dept_a.pk, world.dept_b.pk],
        )
    code = world.measure_a.code
    # dept_a already led the measure: only dept_b's staff are told, each once.
    assert _notes(NotificationKind.ASSIGNED) == [
        ("staff_b", f"新分派措施：整改措施{code}"),
        ("staff_b2", f"新分派措施：整改措施{code}"),
    ]
    assert "配合落实" in Notification.objects.filter(kind=NotificationKind.ASSIGNED).first().body  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_measure(by=world.leader_a, measure=world.measure_a, text="改写的措施内容")
    assert Notification.objects.filter(kind=NotificationKind.ASSIGNED).count() == 2


def test_due_soon_is_sent_once_per_deadline(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2030, 6, 25))
    sweep()
    code = world.measure_a.code
    # The lead department's staff and the unit's leaders; not unit B, not the 巡察办.
    assert _notes(NotificationKind.DUE_SOON) == [
        (name, f"即将到期：整改措施{code}") for name in ("deputy_a", "leader_a", "staff_a")
    ]
    assert "还有5天到期" in Notification.objects.filter(kind=NotificationKind.DUE_SOON).first().body  # type: ignore[union-attr]
    clock(D(2030, 6, 26))
    sweep()
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON).count() == 3


def test_due_soon_waits_until_seven_days_before(world: World, clock: Clock, sweep: Sweep) -> None:
    clock(D(2030, 6, 22))
    sweep()
    assert _notes(NotificationKind.DUE_SOON) == []
    clock(D(2030, 6, 23))
    sweep()
    assert len(_notes(NotificationKind.DUE_SOON)) == 3


def test_muting_stops_the_mail_but_not_the_message(
    world: World, django_capture_on_commit_callbacks: Any, smtp: Mailbox
) -> None:
    world.staff_a.email = "staff_a@example.org"
    world.staff_a.save()
    NotificationPreference.objects.create(user=world.staff_a, muted_kinds=[NotificationKind.SIGNOFF])
    signoff = _signoff(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason="佐证材料不全")
    note = Notification.objects.get(kind=NotificationKind.SIGNOFF)
    assert note.emailed_at is None
    assert ["staff_a@example.org"] not in [list(r) for r in smtp.recipients]

    NotificationPreference.objects.filter(user=world.staff_a).update(muted_kinds=[])
    signoff = _signoff(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_signoff(by=world.leader_a, signoff=signoff, reason="仍不全")
    assert Notification.objects.filter(kind=NotificationKind.SIGNOFF, emailed_at__isnull=False).count() == 1


def test_a_moved_deadline_gets_its_own_reminder(
    world: World, clock: Clock, sweep: Sweep, django_capture_on_commit_callbacks: Any
) -> None:
    clock(D(2030, 6, 25))
    sweep()
    services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=D(2030, 7, 1), reason="需协调财政资金"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_extension(by=world.leader_a, extension=Extension.objects.get())
    sweep()
    staff = Notification.objects.filter(kind=NotificationKind.DUE_SOON, user=world.staff_a)
    assert [("2030年6月30日" in n.body, "2030年7月1日" in n.body) for n in staff.order_by("pk")] == [
        (True, False),
        (False, True),
    ]


def test_settings_page_saves_the_mutes_and_audits_them(world: World, client: Any) -> None:
    client.force_login(world.staff_a)
    page = client.get("/supervision/notifications/settings/").content.decode()
    assert "销号审核结果" in page
    assert "尚未登记邮箱" in page
    response = client.post("/supervision/notifications/settings/", {"muted_kinds": ["signoff", "due_soon"]})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.staff_a).muted_kinds == ["due_soon", "signoff"]
    assert AuditEvent.objects.filter(action="set_email_mutes", actor=world.staff_a).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "已保存。" in page
    checked = re.findall(r'<input type="checkbox"[^>]*value="(\w+)"[^>]*checked', page)
    assert sorted(checked) == ["due_soon", "signoff"]
    bad = client.post("/supervision/notifications/settings/", {"muted_kinds": ["nonsense"]})
    assert "所选通知类别不存在。" in bad.content.decode()


def test_a_new_measure_tells_its_lead_department(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        measure = services.add_measure(
            by=world.leader_a,
            finding=world.detail_a,
            spec=services.MeasureSpec("规范公务接待审批", lead_department=world.dept_a.pk),
        )
    assert _notes(NotificationKind.ASSIGNED) == [("staff_a", f"新分派措施：整改措施{measure.code}")]
    assert "牵头落实" in Notification.objects.get(kind=NotificationKind.ASSIGNED).body
