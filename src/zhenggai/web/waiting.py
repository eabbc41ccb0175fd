"""The home page's "waiting for me" block: what came back to me first, then what I review, then what is due.

Kept apart from the home view so other blocks (the supervisor's scope) can be added beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, Subquery, Window
from django.urls import reverse

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, MeasureStatus
from zhenggai.ledger.models import Extension, Measure, SignOff
from zhenggai.ledger.querysets import path_q
from zhenggai.web.access import managed_paths

LIMIT = 10  # per section; the reviews and tasks pages list the rest


@dataclass
class Item:
    label: str  # what kind of item, e.g. 销号被退回
    measure: Measure
    text: str
    link: str


@dataclass
class Waiting:
    returned: list[Item] = field(default_factory=list)
    to_review: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    pending_signoffs: int = 0  # all the requests I may review, not only the listed ones
    pending_extensions: int = 0

    @property
    def items(self) -> list[Item]:
        """In order: returned first, then to review, then due soon."""
        return self.returned + self.to_review + self.due_soon


def _measure_link(measure: Measure) -> str:
    return reverse("measure", args=[measure.pk])


def waiting_for(user: User, today: dt.date, days: int = 7) -> Waiting:
    waiting = Waiting()
    related = ("measure__inspection__inspected_unit",)
    # My sign-offs and extensions returned, while the measure is open and nobody has asked again since: the
    # latest request of each kind on the measure is mine and rejected. One query for both kinds.
    latest_s = SignOff.objects.filter(measure=OuterRef("pk")).order_by("-requested_at", "-pk")
    latest_x = Extension.objects.filter(measure=OuterRef("pk")).order_by("-requested_at", "-pk")
    returned_s = Q(s_by=user.pk, s_decision=Decision.REJECTED) & ~Q(status=MeasureStatus.PENDING_SIGNOFF)
    returned_x = Q(x_by=user.pk, x_decision=Decision.REJECTED)
    # Only the measures where this user had a request rejected (found through the requested_by indexes, one
    # query), not every open measure with six subqueries each.
    rejected = (
        SignOff.objects.filter(requested_by=user, decision=Decision.REJECTED)
        .order_by()
        .values_list("measure_id")
        .union(
            Extension.objects.filter(requested_by=user, decision=Decision.REJECTED)
            .order_by()
            .values_list("measure_id")
        )
    )
    rejected_ids = [row[0] for row in rejected]
    returned: list[Measure] = []
    if rejected_ids:  # none (most users, most days): no query with six subqueries to build and compile
        returned = list(
            Measure.objects.filter(pk__in=rejected_ids, status__in=OPEN_STATUSES)
            .annotate(
                s_by=Subquery(latest_s.values("requested_by")[:1]),
                s_decision=Subquery(latest_s.values("decision")[:1]),
                s_note=Subquery(latest_s.values("review_note")[:1]),
                x_by=Subquery(latest_x.values("requested_by")[:1]),
                x_decision=Subquery(latest_x.values("decision")[:1]),
                x_note=Subquery(latest_x.values("review_note")[:1]),
            )
            .filter(returned_s | returned_x)
            .select_related("inspection__inspected_unit")
            .order_by("pk")[:LIMIT]
        )
    for m in returned:
        row = vars(m)  # the annotations
        if (
            row["s_by"] == user.pk
            and row["s_decision"] == Decision.REJECTED
            and m.status != MeasureStatus.PENDING_SIGNOFF
        ):
            waiting.returned.append(Item("销号被退回", m, f"退回理由：{row['s_note']}", _measure_link(m)))
        if row["x_by"] == user.pk and row["x_decision"] == Decision.REJECTED:
            waiting.returned.append(Item("延期被退回", m, f"退回理由：{row['x_note']}", _measure_link(m)))
    managed = managed_paths(user)
    if managed != []:
        reviewable = Q() if managed is None else path_q("measure__inspection__inspected_unit__path", managed)
        pending = Q(decision=Decision.PENDING) & reviewable
        total = Window(Count("pk"))  # every pending request, before the LIMIT: the home page's counts
        signoffs = list(
            SignOff.objects.filter(pending)
            .exclude(requested_by=user)
            .annotate(total=total)
            .select_related(*related)
            .order_by("requested_at", "pk")[:LIMIT]
        )
        waiting.pending_signoffs = signoffs[0].total if signoffs else 0
        for s in signoffs:
            waiting.to_review.append(Item("待审核销号", s.measure, s.note, reverse("reviews")))
        extensions = list(
            Extension.objects.filter(pending)
            .exclude(requested_by=user)
            .annotate(total=total)
            .select_related(*related)
            .order_by("requested_at", "pk")[:LIMIT]
        )
        waiting.pending_extensions = extensions[0].total if extensions else 0
        for x in extensions:
            waiting.to_review.append(
                Item("待审核延期", x.measure, f"申请延期至{x.new_deadline:%Y-%m-%d}", reverse("reviews"))
            )
    for m in (
        Measure.objects.responsible_for(user)
        .filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=today + dt.timedelta(days=days))
        .select_related("inspection__inspected_unit")
        .order_by("deadline", "pk")[:LIMIT]
    ):
        assert m.deadline is not None
        left = (m.deadline - today).days
        waiting.due_soon.append(
            Item("即将到期", m, "今天到期" if left == 0 else f"还有{left}天到期", _measure_link(m))
        )
    return waiting
