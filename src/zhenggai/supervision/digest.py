"""每周一汇总: per unit, the week's new progress, sign-offs and colour changes, what is overdue and what falls
due next week; per supervisor, the same for every unit under them.

The figures of every unit come from a fixed number of grouped queries over a base set of measures (all of
them for the e-mails, `visible_to(user)` for the in-app page), never one query per unit or per measure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, MeasureStatus, Role
from zhenggai.ledger.models import Measure, Membership, ProgressReport, SignOff, Unit
from zhenggai.ledger.querysets import overdue_q
from zhenggai.supervision.choices import COLOUR_WARNING_LABELS, WARNING_COLOURS, Colour, NotificationKind
from zhenggai.supervision.models import MeasureLight, SupervisionRun, Warning
from zhenggai.supervision.notify import Outgoing, absolute, deliver

ITEM_LIMIT = 20  # overdue / due-next-week measures listed per unit; the rest are counted
UNIT = "inspection__inspected_unit"


@dataclass
class Item:
    code: str
    text: str
    department: str
    deadline: dt.date | None
    progress: int


@dataclass
class UnitFigures:
    unit_id: int
    name: str
    path: str = ""
    measures: int = 0
    done: int = 0
    new_reports: int = 0
    signoffs: int = 0
    overdue: int = 0
    due_next_week: int = 0
    changes: dict[str, int] = field(default_factory=dict)  # colour changes this week, by new colour
    lights: dict[str, int] = field(default_factory=dict)  # current colours
    overdue_items: list[Item] = field(default_factory=list)
    due_items: list[Item] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return sum(n for colour, n in self.changes.items() if colour in WARNING_COLOURS)

    @property
    def completion_rate(self) -> float:
        return round(self.done * 100 / self.measures, 1) if self.measures else 0.0

    def change_rows(self) -> list[tuple[str, int]]:
        return [(COLOUR_WARNING_LABELS[c], self.changes[c]) for c in Colour if self.changes.get(c)]

    def light_rows(self) -> list[tuple[str, str, int]]:
        return [(c.value, c.label, self.lights.get(c, 0)) for c in Colour]


@dataclass
class Digest:
    today: dt.date
    since: dt.date
    units: list[UnitFigures]
    recipient: str = ""
    feedback_overdue: int = 0  # 群众意见 past their time limit, in the recipient's units

    @property
    def until(self) -> dt.date:
        return self.today - dt.timedelta(days=1)

    @property
    def next_week_end(self) -> dt.date:
        return self.today + dt.timedelta(days=6)

    @property
    def title(self) -> str:
        return f"整改工作每周汇总（{_day(self.since)}至{_day(self.until)}）"

    @property
    def totals(self) -> UnitFigures:
        total = UnitFigures(0, "合计")
        for unit in self.units:
            for name in ("measures", "done", "new_reports", "signoffs", "overdue", "due_next_week"):
                setattr(total, name, getattr(total, name) + getattr(unit, name))
            for colour, n in unit.changes.items():
                total.changes[colour] = total.changes.get(colour, 0) + n
            for colour, n in unit.lights.items():
                total.lights[colour] = total.lights.get(colour, 0) + n
        return total


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _grouped(rows: QuerySet[Any], key: str) -> dict[int, int]:
    return {row[key]: row["n"] for row in rows.annotate(n=Count("pk"))}


def _items(measures: QuerySet[Measure], condition: Q) -> dict[int, list[Item]]:
    ranked = (
        measures.filter(condition)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F(UNIT)], order_by=[F("deadline").asc(), F("pk").asc()])
        )
        .filter(rank__lte=ITEM_LIMIT)
        .values(
            UNIT,
            "code",
            "text",
            "lead_department__name",
            "lead_department__short_name",
            "deadline",
            "progress",
        )
        .order_by("rank")
    )
    found: dict[int, list[Item]] = defaultdict(list)
    for row in ranked:
        department = row["lead_department__short_name"] or row["lead_department__name"] or ""
        text = " ".join(row["text"].split())
        found[row[UNIT]].append(
            Item(
                row["code"],
                text[:60] + ("…" if len(text) > 60 else ""),
                department,
                row["deadline"],
                row["progress"],
            )
        )
    return found


def unit_figures(measures: QuerySet[Measure], today: dt.date) -> list[UnitFigures]:
    """Each inspected unit's figures for the seven days before `today`, over the given measures."""
    since, until = _start_of(today - dt.timedelta(days=7)), _start_of(today)
    measures = measures.order_by()
    ids = measures.values("pk")
    due_soon = Q(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=today + dt.timedelta(days=6))
    base = {
        row[UNIT]: row
        for row in measures.values(UNIT).annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=MeasureStatus.DONE)),
            overdue=Count("pk", filter=overdue_q(today)),
            due=Count("pk", filter=due_soon),
        )
    }
    if not base:
        return []
    unit_key = f"measure__{UNIT}"
    reports = _grouped(
        ProgressReport.objects.filter(measure__in=ids, reported_at__gte=since, reported_at__lt=until)
        .order_by()
        .values(unit_key),
        unit_key,
    )
    signoffs = _grouped(
        SignOff.objects.filter(
            measure__in=ids, decision=Decision.APPROVED, reviewed_at__gte=since, reviewed_at__lt=until
        )
        .order_by()
        .values(unit_key),
        unit_key,
    )
    changes: dict[int, dict[str, int]] = defaultdict(dict)
    # Warnings carry their unit, so the (unit, issued_at) index finds the week's.
    week = Warning.objects.filter(unit__in=list(base), issued_at__gte=since, issued_at__lt=until).filter(
        Q(measure__in=ids) | Q(indicator__isnull=False)
    )
    for row in week.order_by().values("unit", "colour").annotate(n=Count("pk")):
        changes[row["unit"]][row["colour"]] = row["n"]
    lights: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        MeasureLight.objects.filter(measure__in=ids)
        .order_by()
        .values(f"measure__{UNIT}", "colour")
        .annotate(n=Count("pk"))
    ):
        lights[row[f"measure__{UNIT}"]][row["colour"]] = row["n"]
    overdue_items = _items(measures, overdue_q(today))
    due_items = _items(measures, due_soon)
    names = {u.pk: u for u in Unit.objects.filter(pk__in=list(base))}

    figures = []
    for unit_id, row in base.items():
        unit = names[unit_id]
        item = UnitFigures(
            unit_id=unit_id,
            name=unit.display_name,
            path=unit.path,
            measures=row["n"],
            done=row["done"],
            new_reports=reports.get(unit_id, 0),
            signoffs=signoffs.get(unit_id, 0),
            overdue=row["overdue"],
            due_next_week=row["due"],
            changes=changes.get(unit_id, {}),
            lights=lights.get(unit_id, {}),
            overdue_items=overdue_items.get(unit_id, []),
            due_items=due_items.get(unit_id, []),
        )
        finished = item.done == item.measures
        if not finished or item.new_reports or item.signoffs or item.changes:
            figures.append(item)
    return sorted(figures, key=lambda f: f.path)


def digest_for(user: User, today: dt.date | None = None) -> Digest:
    """The summary a user sees in the app: the units of the measures they may see."""
    today = today or timezone.localdate()
    from zhenggai.portal.services import visible_feedback

    figures = unit_figures(Measure.objects.visible_to(user), today)
    overdue = visible_feedback(user).filter(state__in=("received", "handling"), due_on__lt=today).count()
    return Digest(
        today,
        today - dt.timedelta(days=7),
        figures,
        recipient=user.get_full_name() or user.username,
        feedback_overdue=overdue,
    )


def weekly_link(today: dt.date) -> str:
    return f"{reverse('supervision:weekly')}?date={today.isoformat()}"


def render_html(digest: Digest, *, email: bool) -> str:
    context = {
        "digest": digest,
        "totals": digest.totals,
        "link": absolute(weekly_link(digest.today)),
        "docx_link": absolute(f"{reverse('supervision:weekly_docx')}?date={digest.today.isoformat()}"),
    }
    return render_to_string("supervision/weekly_email.html" if email else "supervision/_digest.html", context)


def render_text(digest: Digest) -> str:
    return render_to_string("supervision/weekly_email.txt", {"digest": digest, "totals": digest.totals})


def send_weekly(run: SupervisionRun, today: dt.date) -> dict[str, Any]:
    """One summary to every leader (their units) and supervisor (every unit under them) with units to report."""
    from zhenggai.portal.sweep import overdue_by_path

    figures = unit_figures(Measure.objects.all(), today)
    feedback_overdue = overdue_by_path(today)
    paths: dict[int, set[str]] = defaultdict(set)
    users: dict[int, User] = {}
    rows = Membership.objects.filter(role__in=[Role.LEADER, Role.SUPERVISOR], user__is_active=True)
    for membership in rows.select_related("user", "unit"):
        paths[membership.user_id].add(membership.unit.path)
        users[membership.user_id] = membership.user
    outgoing = []
    for user_id, roots in sorted(paths.items()):
        units = [f for f in figures if any(f.path.startswith(root) for root in roots)]
        if not units:
            continue
        user = users[user_id]
        digest = Digest(
            today,
            today - dt.timedelta(days=7),
            units,
            recipient=user.get_full_name() or user.username,
            feedback_overdue=sum(
                n for p, n in feedback_overdue.items() if any(p.startswith(r) for r in roots)
            ),
        )
        outgoing.append(
            Outgoing(
                user_id=user_id,
                kind=NotificationKind.DIGEST,
                title=digest.title,
                body=render_text(digest),
                html=render_html(digest, email=True),
                link=weekly_link(today),
            )
        )
    notes = deliver(outgoing, run)
    return {"units": len(figures), "recipients": len(notes), "notifications": len(notes)}
