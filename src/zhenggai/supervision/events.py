"""Per-event notifications for the ledger's reviews and assignments, and the sweep's due-soon reminders.

The ledger services call these through zhenggai.ledger.services.hooks.after_commit, so they run after the
change committed and take ids, not objects. Each sends one in-app message per recipient (and its e-mail copy
through notify.deliver, unless the recipient muted that kind), with a link to the measure.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, MeasureStatus, Role
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Extension, Measure, Membership, SignOff
from zhenggai.ledger.services.audit import record
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import DueSoonReminder, Notification, NotificationPreference
from zhenggai.supervision.notify import (
    REPORTER_ROLES,
    Outgoing,
    absolute,
    deliver,
    members_by_path,
    users_over,
)

DUE_SOON_DAYS = 7


def _link(measure_id: int) -> str:
    return reverse("measure", args=[measure_id])


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _when(measure: Measure, today: dt.date) -> str:
    assert measure.deadline is not None
    left = (measure.deadline - today).days
    return f"整改时限{_day(measure.deadline)}，" + ("今天到期" if left == 0 else f"还有{left}天到期")


def _measure_name(measure: Measure) -> str:
    return f"{measure.inspection.inspected_unit.display_name}整改措施{measure.code}"


@transaction.atomic
def signoff_decided(*, signoff_id: int) -> list[Notification]:
    """To the requester: the sign-off was approved (done, or ongoing) or returned with the reason."""
    signoff = SignOff.objects.select_related("measure__inspection__inspected_unit").get(pk=signoff_id)
    if signoff.requested_by_id is None:
        return []
    measure = signoff.measure
    name = _measure_name(measure)
    if signoff.decision == Decision.APPROVED:
        result = "已销号" if signoff.outcome == MeasureStatus.DONE else "按“持续推进”销号"
        title = f"销号已通过：整改措施{measure.code}"
        body = f"{name}的销号申请已审核通过，{result}。"
    else:
        title = f"销号被退回：整改措施{measure.code}"
        body = f"{name}的销号申请被退回，请按意见继续整改后重新申请。"
    if signoff.review_note:
        body += f"\n审核意见：{signoff.review_note}"
    from zhenggai.supervision.webhook_events import signoff_event

    signoff_event(signoff, title, body, _link(measure.pk), decided=True)
    return deliver(
        [Outgoing(signoff.requested_by_id, NotificationKind.SIGNOFF, title, body, link=_link(measure.pk))]
    )


@transaction.atomic
def extension_decided(*, extension_id: int) -> list[Notification]:
    """To the requester: the extension was approved (the new deadline) or returned with the reason."""
    extension = Extension.objects.select_related("measure__inspection__inspected_unit").get(pk=extension_id)
    if extension.requested_by_id is None:
        return []
    measure = extension.measure
    name = _measure_name(measure)
    if extension.decision == Decision.APPROVED:
        title = f"延期已同意：整改措施{measure.code}"
        body = f"{name}的延期申请已同意，整改时限调整为{_day(extension.new_deadline)}。"
    else:
        title = f"延期被退回：整改措施{measure.code}"
        body = f"{name}的延期申请被退回，整改时限不变。"
    if extension.review_note:
        body += f"\n审核意见：{extension.review_note}"
    return deliver(
        [
            Outgoing(
                extension.requested_by_id, NotificationKind.EXT_RESULT, title, body, link=_link(measure.pk)
            )
        ]
    )


@transaction.atomic
def measure_assigned(*, measure_id: int, unit_ids: list[int]) -> list[Notification]:
    """To the staff (部门经办人) of each department newly set as the measure's lead or cooperating one."""
    measure = Measure.objects.select_related("inspection__inspected_unit").get(pk=measure_id)
    staff = (
        Membership.objects.filter(unit_id__in=unit_ids, role=Role.STAFF, user__is_active=True)
        .values_list("user_id", "unit_id")
        .order_by("user_id")
    )
    seen: dict[int, bool] = {}
    for user_id, unit_id in staff:
        lead = unit_id == measure.lead_department_id
        seen[user_id] = seen.get(user_id, False) or lead
    deadline = f"，整改时限{_day(measure.deadline)}" if measure.deadline else ""
    return deliver(
        [
            Outgoing(
                user_id,
                NotificationKind.ASSIGNED,
                f"新分派措施：整改措施{measure.code}",
                f"{_measure_name(measure)}已分派给贵部门{'牵头' if lead else '配合'}落实{deadline}。"
                f"\n措施内容：{measure.text}",
                link=_link(measure.pk),
            )
            for user_id, lead in seen.items()
        ]
    )


LISTED_CODES = 20  # codes named in a bulk assignment message; the rest are counted


@transaction.atomic
def measures_assigned(*, assignments: dict[int, list[int]]) -> list[Notification]:
    """After a bulk change (the Excel ledger import): to the staff of each department newly set as lead or
    cooperating on any of the measures, one message for the department listing its measures, instead of one
    per measure."""
    measures = {
        m.pk: m
        for m in Measure.objects.filter(pk__in=assignments).select_related("inspection__inspected_unit")
    }
    by_department: dict[int, list[tuple[Measure, bool]]] = {}
    for measure_id, unit_ids in sorted(assignments.items()):
        measure = measures.get(measure_id)
        if measure is None:
            continue
        for unit_id in unit_ids:
            lead = unit_id == measure.lead_department_id
            by_department.setdefault(unit_id, []).append((measure, lead))
    staff = (
        Membership.objects.filter(unit_id__in=by_department, role=Role.STAFF, user__is_active=True)
        .select_related("unit")
        .order_by("unit_id", "user_id")
    )
    outgoing = []
    for membership in staff:
        items = by_department[membership.unit_id]
        leads = sum(1 for _, lead in items if lead)
        codes = "、".join(m.code for m, _ in items[:LISTED_CODES])
        more = f"等{len(items)}条" if len(items) > LISTED_CODES else ""
        first = items[0][0]
        outgoing.append(
            Outgoing(
                membership.user_id,
                NotificationKind.ASSIGNED,
                f"新分派措施：{membership.unit.name}{len(items)}条",
                f"{first.inspection.inspected_unit.display_name}的整改台账导入后，{membership.unit.name}"
                f"新分派整改措施{len(items)}条（牵头{leads}条、配合{len(items) - leads}条）："
                f"{codes}{more}。请在“我的整改任务”中查看。",
                link=reverse("tasks"),
            )
        )
    return deliver(outgoing)


def due_soon(today: dt.date, days: int = DUE_SOON_DAYS) -> list[Outgoing]:
    """From the daily sweep: measures still open whose deadline falls within `days` days, to the reporters of
    their lead department, for the sweep to deliver with its warnings (one message per person). Once per measure per deadline (DueSoonReminder): the next day's sweep does not
    repeat it; a deadline moved by an extension gets its own reminder."""
    measures = (
        Measure.objects.filter(
            status__in=OPEN_STATUSES,
            deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=days),
            lead_department__isnull=False,
        )
        .exclude(
            Exists(DueSoonReminder.objects.filter(measure=OuterRef("pk"), deadline=OuterRef("deadline")))
        )
        .select_related("inspection__inspected_unit", "lead_department")
        .order_by("deadline", "pk")
    )
    rows = list(measures)
    if not rows:
        return []
    reporters = members_by_path({m.lead_department.path for m in rows if m.lead_department}, REPORTER_ROLES)
    # One INSERT: the sweep's job lock keeps two sweeps from reaching here at once.
    DueSoonReminder.objects.bulk_create(
        [DueSoonReminder(measure=m, deadline=m.deadline) for m in rows if m.deadline], ignore_conflicts=True
    )
    per_user: dict[int, list[Measure]] = {}
    for measure in rows:
        if measure.lead_department is None:  # excluded by the query
            continue
        for user_id in users_over(measure.lead_department.path, reporters):
            per_user.setdefault(user_id, []).append(measure)
    # One message per person per sweep (notify's rule): fifty measures due make one summary, not fifty.
    outgoing = []
    for user_id, measures_due in sorted(per_user.items()):
        lines = [f"- {_measure_name(m)}：{_when(m, today)}，{absolute(_link(m.pk))}" for m in measures_due]
        first = measures_due[0]
        title = (
            f"即将到期：整改措施{first.code}"
            if len(measures_due) == 1
            else f"即将到期：{len(measures_due)}条整改措施"
        )
        outgoing.append(
            Outgoing(
                user_id,
                NotificationKind.DUE_SOON,
                title,
                "以下整改措施将在7天内到期，请抓紧落实并及时报送整改进展，确需延期的请提前申请：\n"
                + "\n".join(lines),
                link=_link(first.pk) if len(measures_due) == 1 else reverse("tasks"),
            )
        )
    return outgoing


@transaction.atomic
def set_email_mutes(*, by: User, muted_kinds: list[str]) -> NotificationPreference:
    """A user's own choice of the notification kinds not to receive by e-mail; the in-app message stays."""
    unknown = set(muted_kinds) - set(NotificationKind.values)
    if unknown:
        raise InvalidInput(f"未知的通知类别：{'、'.join(sorted(unknown))}。", "muted_kinds")
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=by)
    before = {"muted_kinds": list(preference.muted_kinds)}
    preference.muted_kinds = sorted(set(muted_kinds))
    preference.save(update_fields=["muted_kinds"])
    record(
        actor=by,
        action="set_email_mutes",
        obj=preference,
        unit=None,
        before=before,
        after={"muted_kinds": preference.muted_kinds},
    )
    return preference


def signoff_requested(*, signoff_id: int) -> None:
    """销号申请 to the unit's webhooks (reviewers see it on their desk; no in-app message is added)."""
    from zhenggai.supervision.webhook_events import signoff_event

    signoff = SignOff.objects.select_related("measure__inspection__inspected_unit").get(pk=signoff_id)
    measure = signoff.measure
    title = f"销号申请：整改措施{measure.code}"
    body = f"{_measure_name(measure)}申请销号，请审核。"
    if signoff.note:
        body += f"\n申请说明：{signoff.note}"
    signoff_event(signoff, title, body, _link(measure.pk), decided=False)
