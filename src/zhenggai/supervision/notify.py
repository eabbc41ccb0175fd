"""Notifications: in-app rows, and e-mail when configured (settings.EMAIL_HOST), sent after commit.

Recipients follow the ledger's roles up the unit tree: the leaders and supervisors over the inspected unit,
and the staff (or leaders) of the measure's lead department. One message per person per event, never one
per measure: a sweep that turns fifty measures red sends each person one summary.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import Membership
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.supervision.choices import NotificationKind, RunOutcome
from zhenggai.supervision.models import Notification, NotificationPreference, SupervisionRun

log = logging.getLogger(__name__)

MANAGER_ROLES = (Role.LEADER, Role.SUPERVISOR)
REPORTER_ROLES = (Role.STAFF, Role.LEADER)


@dataclass
class Outgoing:
    user_id: int
    kind: NotificationKind
    title: str
    body: str
    html: str = ""
    link: str = ""


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def ancestors(path: str) -> list[str]:
    """The unit's own path and its ancestors' (role look-ups go up the tree)."""
    return [path[: end + PATH_STEP] for end in range(0, len(path), PATH_STEP)]


def members_by_path(paths: Iterable[str], roles: Iterable[str]) -> dict[str, set[int]]:
    """Active users holding one of `roles` in any of the units at `paths` or above them, keyed by the unit
    path they hold it at. One query."""
    wanted = {a for path in paths for a in ancestors(path)}
    found: dict[str, set[int]] = {}
    rows = Membership.objects.filter(unit__path__in=wanted, role__in=list(roles), user__is_active=True)
    for user_id, path in rows.values_list("user_id", "unit__path"):
        found.setdefault(path, set()).add(user_id)
    return found


def users_over(path: str, by_path: dict[str, set[int]]) -> set[int]:
    return set().union(*(by_path.get(a, set()) for a in ancestors(path)))


def deliver(outgoing: list[Outgoing], run: SupervisionRun | None = None) -> list[Notification]:
    """Store the in-app notifications (one INSERT) and e-mail them after the transaction commits."""
    if not outgoing:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=o.user_id,
                kind=o.kind,
                title=o.title[:200],
                body=o.body,
                html=o.html,
                link=o.link,
                run=run,
            )
            for o in outgoing
        ]
    )
    if email_enabled():
        transaction.on_commit(partial(send_emails, [row.pk for row in rows], run.pk if run else None))
    return rows


def send_emails(notification_ids: list[int], run_id: int | None = None) -> tuple[int, int]:
    """E-mail stored notifications to their users' addresses; failures are written on the notification and
    the run, never lost. Returns (sent, failed)."""
    muted = muted_kinds(set(notification_ids))
    notes = [
        note
        for note in Notification.objects.filter(pk__in=notification_ids)
        .exclude(user__email="")
        .select_related("user")
        if note.kind not in muted.get(note.user_id, ())
    ]
    sent: list[int] = []
    failed: dict[int, str] = {}
    if notes:
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except Exception as exc:  # the server is down: every message fails with the same error
            failed = {note.pk: f"{type(exc).__name__}: {exc}" for note in notes}
        else:
            try:
                for note in notes:
                    try:
                        _message(note, connection).send()
                        sent.append(note.pk)
                    except Exception as exc:  # one bad address must not stop the others
                        failed[note.pk] = f"{type(exc).__name__}: {exc}"
            finally:
                connection.close()
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    for pk, error in failed.items():
        Notification.objects.filter(pk=pk).update(email_error=error[:2000])
    if failed:
        log.error(
            "e-mail failed for %d of %d notifications: %s",
            len(failed),
            len(notes),
            next(iter(failed.values())),
        )
    if run_id is not None:
        _count_on_run(run_id, len(sent), failed)
    return len(sent), len(failed)


def muted_kinds(notification_ids: set[int]) -> dict[int, list[str]]:
    """Each recipient's muted e-mail kinds (NotificationPreference), for the given notifications. One query."""
    users = Notification.objects.filter(pk__in=notification_ids).values("user_id")
    rows = NotificationPreference.objects.filter(user_id__in=users)
    return dict(rows.values_list("user_id", "muted_kinds"))


def _message(note: Notification, connection: object) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=note.title,
        body=note.body + (f"\n\n{absolute(note.link)}" if note.link else ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[note.user.email],
        connection=connection,
    )
    if note.html:
        message.attach_alternative(note.html, "text/html")
    return message


def _count_on_run(run_id: int, sent: int, failed: dict[int, str]) -> None:
    with transaction.atomic():
        run = SupervisionRun.objects.select_for_update().get(pk=run_id)
        run.counts = {**run.counts, "emails_sent": sent, "emails_failed": len(failed)}
        if failed:
            run.outcome = RunOutcome.FAILED
            run.error = (run.error + "\n" if run.error else "") + (
                f"邮件发送失败{len(failed)}封：{next(iter(failed.values()))}"
            )
        run.save(update_fields=["counts", "outcome", "error"])
