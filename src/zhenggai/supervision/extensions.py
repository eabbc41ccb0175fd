"""延期 under a 督办单, or beyond the limits: the supervisor must agree too.

Rule (called from ledger.services.reviews.approve_extension): while an open (not 办结) 督办单 covers the
measure, or the extension goes beyond the limits (ledger.services.reviews.extension_limits: longer than
ZHENGGAI_EXTENSION_MAX_DAYS, or more than ZHENGGAI_EXTENSION_MAX_COUNT per measure), a unit leader's approval is recorded here and the request stays pending until a supervisor over the
unit approves; a supervisor's approval counts for both, so a supervisor alone may approve. Either side may
still reject (the ledger's reject_extension), which leaves the deadline as it was.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import InvalidTransition
from zhenggai.ledger.models import Extension, Measure
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.services.audit import record
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import ExtensionApproval, SupervisionNotice
from zhenggai.supervision.notify import Outgoing, deliver, members_by_path, users_over


def covering_notice(measure: Measure) -> SupervisionNotice | None:
    return SupervisionNotice.objects.open().filter(measures=measure).order_by("issued_at", "pk").first()


def hold_for_supervisor(
    *, by: User, extension: Extension, measure: Measure, limits: list[str] | None = None
) -> bool:
    """Called inside approve_extension's transaction after its checks. True: the leader's approval is
    recorded (and audited) and the extension stays pending for the supervisor; False: approve as usual.
    `limits`: why the extension is beyond what the leader may grant alone (empty: only a 督办单 binds)."""
    notice = covering_notice(measure)
    if notice is None and not limits:
        return False
    why = [f"督办单“{notice.title}”在办"] if notice is not None else []
    why += limits or []
    because = "；".join(why)
    unit = measure.inspection.inspected_unit
    now = timezone.now()
    if has_role(by, unit, Role.SUPERVISOR):
        ExtensionApproval.objects.update_or_create(
            extension=extension, defaults={"notice": notice, "supervisor": by, "supervisor_at": now}
        )
        return False
    approval, created = ExtensionApproval.objects.get_or_create(
        extension=extension, defaults={"notice": notice, "leader": by, "leader_at": now}
    )
    if not created and approval.leader_id is not None:
        raise InvalidTransition(f"该延期申请已由单位领导同意，正在等待巡察办审核（{because}）。")
    if not created:
        approval.leader, approval.leader_at = by, now
        approval.save(update_fields=["leader", "leader_at"])
    record(
        actor=by,
        action="approve_extension_leader",
        obj=measure,
        unit=unit,
        before={"deadline": measure.deadline},
        after={"deadline": measure.deadline, "extension": extension.pk, "awaiting": "supervisor"},
        note=f"{because}，延期须经巡察办同意",
    )
    supervisors = users_over(unit.path, members_by_path([unit.path], [Role.SUPERVISOR]))
    deliver(
        [
            Outgoing(
                user_id,
                NotificationKind.EXTENSION,
                f"延期待审核：整改措施{measure.code}",
                f"{unit.display_name}整改措施{measure.code}申请延期至{extension.new_deadline:%Y-%m-%d}"
                f"{f'（原整改时限{measure.deadline:%Y-%m-%d}）' if measure.deadline else ''}，单位领导已同意。"
                f"因{because}，请巡察办审核。\n延期理由：{extension.reason}",
                link=reverse("supervision:notice", args=[notice.pk])
                if notice is not None
                else reverse("measure", args=[measure.pk]),
            )
            for user_id in sorted(supervisors)
        ]
    )
    return True
