"""Colour lights (红/黄/蓝/绿) shown beside measures, and the urgency order of task lists.

The light of a row is derived from the row itself (status, dates, progress), so a page of measures needs no
query per row. Red: overdue. Blue: due within 7 days. Yellow: progress behind the time-proportional
schedule (序时进度). Green otherwise. Signed-off measures carry no light.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from zhenggai.ledger.choices import OPEN_STATUSES
from zhenggai.ledger.models import Measure

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Light:
    colour: str  # red, yellow, blue, green, or "" for none
    label: str


NONE = Light("", "")
RED = Light("red", "红灯:已逾期")
BLUE = Light("blue", "蓝灯:7日内到期")
YELLOW = Light("yellow", "黄灯:进度落后于序时进度")
GREEN = Light("green", "绿灯:正常推进")


def light_of(measure: Measure, today: dt.date) -> Light:
    if measure.status not in OPEN_STATUSES:
        return NONE
    if measure.deadline is None:
        return GREEN
    if measure.deadline < today:
        return RED
    if (measure.deadline - today).days <= DUE_SOON_DAYS:
        return BLUE
    if measure.start_date and measure.deadline > measure.start_date and today > measure.start_date:
        elapsed = (today - measure.start_date).days / (measure.deadline - measure.start_date).days
        if measure.progress < elapsed * 100:
            return YELLOW
    return GREEN


def worst(lights: list[Light]) -> Light:
    """The light of a group (a problem, an aspect): its most urgent member's."""
    for light in (RED, BLUE, YELLOW, GREEN):
        if light in lights:
            return light
    return NONE


def by_urgency(queryset: QuerySet[Measure], today: dt.date) -> QuerySet[Measure]:
    """Open work first, by deadline (overdue, then due soon, then the rest); signed-off measures last."""
    return queryset.annotate(
        closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("closed", F("deadline").asc(nulls_last=True), "id")
