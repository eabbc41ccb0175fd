"""Turning one sweep's new warnings into one notification per person (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from zhenggai.ledger.models import Unit
from zhenggai.supervision.choices import (
    COLOUR_WARNING_LABELS,
    SEVERITY,
    WARNING_COLOURS,
    Colour,
    NotificationKind,
)
from zhenggai.supervision.models import SupervisionRun, Warning
from zhenggai.supervision.notify import MANAGER_ROLES, REPORTER_ROLES, Outgoing, members_by_path, users_over
from zhenggai.supervision.rules import Rules, reason_labels

LIST_LIMIT = 10  # warnings listed per unit or department in one message; the rest are counted


@dataclass
class Group:
    """The new warnings of one unit (or one lead department) in this sweep."""

    key: int
    name: str
    path: str
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def severity() -> Case:
    """Sort key for colours, most serious first."""
    return Case(
        *(When(colour=colour, then=Value(rank)) for colour, rank in SEVERITY.items()),
        output_field=IntegerField(),
    )


def colour_summary(counts: dict[str, int]) -> str:
    parts = [f"{COLOUR_WARNING_LABELS[Colour(c)]}{counts[c]}条" for c in WARNING_COLOURS if counts.get(c)]
    return "、".join(parts)


def _line(row: dict[str, Any], r: Rules) -> str:
    colour = COLOUR_WARNING_LABELS[Colour(row["colour"])]
    why = "、".join(reason_labels(row["reasons"], r))
    if row["measure__code"] is not None:
        what = f"整改措施{row['measure__code']}“{_short(row['measure__text'])}”"
    else:
        what = f"指标“{row['indicator__name']}”"
    return f"{what}：{colour}（{why}）" if why else f"{what}：{colour}"


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _groups(run: SupervisionRun, rel: str, r: Rules) -> dict[int, Group]:
    """Counts and the first LIST_LIMIT lines of this run's warnings, grouped by `rel` ("unit", or
    "department": the measure's lead department when the warning was issued)."""
    issued = Warning.objects.filter(
        run=run, colour__in=WARNING_COLOURS, **{f"{rel}__isnull": False}
    ).order_by()
    counts = list(issued.values(rel, "colour").annotate(n=Count("pk")))
    units = Unit.objects.filter(pk__in={row[rel] for row in counts}).only("name", "short_name", "path")
    groups = {unit.pk: Group(unit.pk, unit.display_name, unit.path) for unit in units}
    for row in counts:
        groups[row[rel]].counts[row["colour"]] = row["n"]
    # Rank on the warnings alone, then read the few lines kept: the joins touch LIST_LIMIT rows per group.
    ranked = (
        issued.annotate(
            rank=Window(RowNumber(), partition_by=[F(rel)], order_by=[severity().asc(), F("pk").asc()])
        )
        .filter(rank__lte=LIST_LIMIT)
        .values("pk")
    )
    firsts = (
        Warning.objects.filter(pk__in=ranked)
        .values(rel, "colour", "reasons", "measure__code", "measure__text", "indicator__name")
        .order_by(severity().asc(), "pk")
    )
    for row in firsts:
        groups[row[rel]].lines.append(_line(row, r))
    return groups


def warning_notifications(run: SupervisionRun, today: dt.date, r: Rules) -> list[Outgoing]:
    units = _groups(run, "unit", r)
    if not units:
        return []
    departments = _groups(run, "department", r)
    managers = members_by_path((g.path for g in units.values()), MANAGER_ROLES)
    reporters = members_by_path((g.path for g in departments.values()), REPORTER_ROLES)

    per_user: dict[int, list[Group]] = defaultdict(list)
    managed: dict[int, list[str]] = defaultdict(list)
    for group in units.values():
        for user_id in users_over(group.path, managers):
            per_user[user_id].append(group)
            managed[user_id].append(group.path)
    for group in departments.values():
        for user_id in users_over(group.path, reporters):
            # A leader of the whole unit already hears about its departments.
            if not any(group.path.startswith(path) for path in managed[user_id]):
                per_user[user_id].append(group)

    link = reverse("supervision:warnings")
    day = f"{today.year}年{today.month}月{today.day}日"
    outgoing = []
    for user_id, groups in per_user.items():
        totals: dict[str, int] = defaultdict(int)
        for group in groups:
            for colour, n in group.counts.items():
                totals[colour] += n
        summary = colour_summary(totals)
        body = [f"{day}预警巡检：新发出{summary}。", ""]
        for group in sorted(groups, key=lambda g: g.path):
            body.append(f"{group.name}（{colour_summary(group.counts)}）：")
            body.extend(f"- {line}" for line in group.lines)
            if group.total > len(group.lines):
                body.append(f"……另有{group.total - len(group.lines)}条，请登录系统查看。")
            body.append("")
        body.append("请按时限抓好整改落实，及时报送整改进展。")
        outgoing.append(
            Outgoing(
                user_id=user_id,
                kind=NotificationKind.WARNING,
                title=f"整改预警提醒：{summary}",
                body="\n".join(body),
                link=link,
            )
        )
    return outgoing
