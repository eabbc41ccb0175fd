"""Colour lights beside measures: the supervision rules (zhenggai.supervision.rules), evaluated in the page's
own query so a list of measures needs no query per row and always shows today's colour.

Red: overdue, or under 10% with under a quarter of the time left. Yellow: behind 序时进度. Blue: due within
7 days. Grey: no progress report for 14 days. Green otherwise. Signed-off (done) measures carry no light.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.rules import MEASURE_PRECEDENCE, MeasureFlags, colour_of, reason_labels

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Light:
    colour: str  # a Colour value, or "" for none
    label: str


NONE = Light("", "")
_NAMES = {
    Colour.RED: "红灯",
    Colour.YELLOW: "黄灯",
    Colour.BLUE: "蓝灯",
    Colour.STALE: "灰灯",
    Colour.GREEN: "绿灯",
}
_ORDER = [Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.STALE, Colour.GREEN]


def with_lights(queryset: QuerySet[Measure], now: dt.datetime | None = None) -> QuerySet[Measure]:
    """Annotate each measure with the reason bits of the rules that fire today (compiled once a day and rule set)."""
    now = now or timezone.now()
    return queryset.annotate(light_flags=MeasureFlags(timezone.localdate(now), now))


def light_of(measure: Measure) -> Light:
    """The light of a measure fetched through `with_lights`."""
    if measure.status == MeasureStatus.DONE:
        return NONE
    flags = int(getattr(measure, "light_flags", 0) or 0)
    colour = colour_of(flags)
    reasons = reason_labels(flags)
    return Light(colour.value, f"{_NAMES[colour]}：{'、'.join(reasons) if reasons else '正常推进'}")


def worst(lights: list[Light]) -> Light:
    """The light of a group (a problem, an aspect): its most urgent member's."""
    colours = {light.colour for light in lights}
    for colour in _ORDER:
        if colour.value in colours:
            return next(light for light in lights if light.colour == colour.value)
    return NONE


def by_urgency(queryset: QuerySet[Measure]) -> QuerySet[Measure]:
    """Open work first, by deadline (overdue, then due soon, then the rest); signed-off measures last."""
    return queryset.annotate(
        closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("closed", F("deadline").asc(nulls_last=True), "id")


def colour_expression() -> Case:
    """Today's colour of a measure annotated with `light_flags` (with_lights), as SQL (the API's filter)."""
    return Case(
        *[
            When(GreaterThan(F("light_flags").bitand(int(mask)), 0), then=Value(colour.value))
            for colour, mask in MEASURE_PRECEDENCE
        ],
        default=Value(Colour.GREEN.value),
    )
