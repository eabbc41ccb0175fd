"""Warning rules as SQL expressions, so one statement colours every measure (no loop over rows).

Measures (precedence red > yellow > blue > stale > green; every rule that fires also sets its reason bit):
- red:    overdue, or progress below 10% with less than a quarter of the allowed time left;
- yellow: progress behind 序时进度 = (today - start) ÷ (deadline - start);
- blue:   deadline within 7 days;
- stale:  no progress report for 14 days (last report, else the start date, else the creation time);
- green:  otherwise.
Done measures carry no colour. Long-term (长期坚持) measures, measures without a deadline and those signed off
as 持续推进 get the stale rule only; measures waiting for sign-off are not stale (the wait is the reviewer's).

Indicators (execution rate = latest actual ÷ target): red below 10%, yellow below the year's 序时进度
(day of year ÷ days in year), green otherwise; only indicators of the current year are judged.

Every threshold can be changed with ZHENGGAI_SUPERVISION_RULES (docs/用户手册.md: 督查督办).
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureKind, MeasureStatus
from zhenggai.supervision.choices import Colour, Reason


@dataclass(frozen=True)
class Rules:
    red_progress_below: int = 10  # percent
    red_time_left_below: float = 0.25  # share of the allowed time
    due_soon_days: int = 7
    stale_days: int = 14
    indicator_red_below: float = 10.0  # percent of the target
    escalation_days: int = 7  # days an orange 督办单 stays unanswered before it turns red


# The last setting read and its Rules: rules() runs once a row in some lists (reason_labels); the setting is
# compared by value on every call, so a changed setting (override_settings, a test's assignment) is read at once.
_rules_cache: tuple[Any, Rules] | None = None


def rules() -> Rules:
    """The defaults, overridden by settings.ZHENGGAI_SUPERVISION_RULES: a dict, or the environment's text
    "due_soon_days=10,stale_days=21". Unknown keys and bad values stop with a message."""
    global _rules_cache
    raw: Any = getattr(settings, "ZHENGGAI_SUPERVISION_RULES", None) or {}
    cached = _rules_cache
    if cached is not None and type(cached[0]) is type(raw) and cached[0] == raw:
        return cached[1]
    parsed = _parse_rules(raw)
    _rules_cache = (copy.deepcopy(raw), parsed)  # a copy: a dict changed in place must not match itself
    return parsed


def _parse_rules(raw: Any) -> Rules:
    if isinstance(raw, str):
        pairs = [item.partition("=") for item in raw.split(",") if item.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ImproperlyConfigured(
                f"ZHENGGAI_SUPERVISION_RULES must look like 'due_soon_days=10,stale_days=21'; got {raw!r}"
            )
        raw = {key.strip(): value.strip() for key, _, value in pairs}
    defaults = Rules()
    unknown = set(raw) - {f.name for f in fields(Rules)}
    if unknown:
        raise ImproperlyConfigured(
            f"ZHENGGAI_SUPERVISION_RULES: unknown keys {sorted(unknown)}; "
            f"known: {sorted(f.name for f in fields(Rules))}"
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        kind = type(getattr(defaults, key))
        try:
            values[key] = kind(value)
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"ZHENGGAI_SUPERVISION_RULES: {key} must be a number; got {value!r}"
            ) from None
        if values[key] < 0:
            raise ImproperlyConfigured(f"ZHENGGAI_SUPERVISION_RULES: {key} cannot be negative; got {value!r}")
    return replace(defaults, **values)


class DayNumber(Func):
    """Days since 1970-01-01 of a date expression, as an integer, on SQLite and PostgreSQL alike."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s) - 2440587.5) AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra)


def day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


# Colour by precedence from the reason bits: the first colour whose bits are set wins.
MEASURE_PRECEDENCE = (
    (Colour.RED, Reason.OVERDUE | Reason.LOW_PROGRESS),
    (Colour.YELLOW, Reason.BEHIND_SCHEDULE),
    (Colour.BLUE, Reason.DUE_SOON),
    (Colour.STALE, Reason.STALE),
)


def colour_of(flags: int) -> Colour:
    for colour, mask in MEASURE_PRECEDENCE:
        if flags & mask:
            return colour
    return Colour.GREEN


def colour_sql(column: str) -> str:
    """SQL for colour_of() over an integer column of reason bits (same text on SQLite and PostgreSQL)."""
    whens = " ".join(
        f"WHEN ({column} & {int(mask)}) <> 0 THEN '{colour.value}'" for colour, mask in MEASURE_PRECEDENCE
    )
    return f"CASE {whens} ELSE '{Colour.GREEN.value}' END"


def measure_flags(today: dt.date, now: dt.datetime, r: Rules | None = None) -> Expression:
    """The reason bits of every rule that fires for a Measure row on `today`, as one integer expression."""
    r = r or rules()
    today_n = day_number(today)
    deadline = DayNumber(F("deadline"))
    start = DayNumber(Coalesce(F("start_date"), TruncDate("created_at")))
    allowed = deadline - start
    # Deadline rules apply to open, dated, non-long-term measures.
    timed = Q(status__in=OPEN_STATUSES, deadline__isnull=False) & ~Q(kind=MeasureKind.LONG_TERM)

    overdue = timed & Q(deadline__lt=today)
    # The progress rules speak of the time still left, so they stop at the deadline (overdue says the rest).
    timed &= Q(deadline__gte=today)
    # time left < share × allowed, kept in integers: den × left < num × allowed.
    share = Fraction(r.red_time_left_below).limit_denominator(1000)
    little_time = LessThan(
        _int(share.denominator) * (deadline - _int(today_n)), _int(share.numerator) * allowed
    )
    low_progress = timed & Q(progress__lt=r.red_progress_below) & Q(little_time)
    # progress ÷ 100 < elapsed ÷ allowed  ⇔  progress × allowed < 100 × elapsed (allowed > 0).
    behind = (
        timed
        & Q(LessThan(_int(0), allowed))
        & Q(LessThan(F("progress") * allowed, _int(100) * (_int(today_n) - start)))
    )
    due_soon = timed & Q(deadline__lte=today + dt.timedelta(days=r.due_soon_days))
    stale_day = today - dt.timedelta(days=r.stale_days)
    stale_at = now - dt.timedelta(days=r.stale_days)
    stale = ~Q(status__in=(MeasureStatus.DONE, MeasureStatus.PENDING_SIGNOFF)) & (
        Q(last_reported_at__lte=stale_at)
        | Q(last_reported_at__isnull=True)
        & (Q(start_date__lte=stale_day) | Q(start_date__isnull=True, created_at__lte=stale_at))
    )
    return (
        _bit(overdue, Reason.OVERDUE)
        + _bit(low_progress, Reason.LOW_PROGRESS)
        + _bit(behind, Reason.BEHIND_SCHEDULE)
        + _bit(due_soon, Reason.DUE_SOON)
        + _bit(stale, Reason.STALE)
    )


# A stand-in for `now` while the rules are compiled: the compiled SQL carries it (made stale_days earlier) as a
# parameter, replaced by the request's own time at each use. Nothing else in the expression is a datetime.
_NOW_STAND_IN = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
# (database vendor, time zones, rules, today) → the compiled SQL, its parameters, and the stand-in's parameter as adapted.
# The time zones are in the key too: the start-date rule casts created_at to a date in the current zone.
_compiled: dict[tuple[str, str, str, Rules, dt.date], tuple[str, list[Any], Any]] = {}
_COMPILED_MAX = 32  # a few days × a few rule sets; emptied beyond that


class MeasureFlags(Expression):
    """`measure_flags` of a Measure row, compiled once per (database, rules, day) rather than built, resolved and
    compiled again in every request (about 2.6 ms a list page at province scale). The rules are the value of
    `rules()` (the setting, read and compared on each call): a changed rule is a new key, never a stale hit.
    Only the time of day varies within a day: it enters as the parameters of the stale rule, swapped in at
    each use. Reads the row's own columns only (no join), so the measure table's alias is all it needs."""

    output_field = IntegerField()

    def __init__(self, today: dt.date, now: dt.datetime, r: Rules | None = None) -> None:
        super().__init__(output_field=IntegerField())
        self.today, self.now, self.rules = today, now, r or rules()
        self.alias: str | None = None

    def __repr__(self) -> str:
        return f"MeasureFlags({self.today}, {self.now}, {self.rules})"

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> MeasureFlags:
        resolved = self.copy()
        resolved.alias = query.get_initial_alias() if query is not None else None
        return resolved

    def relabeled_clone(self, change_map: Mapping[str, str]) -> MeasureFlags:
        clone = self.copy()
        if clone.alias is not None:
            clone.alias = change_map.get(clone.alias, clone.alias)
        return clone

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        from zhenggai.ledger.models import Measure

        zones = (str(connection.timezone_name), timezone.get_current_timezone_name())
        key = (connection.vendor, *zones, self.rules, self.today)
        entry = _compiled.get(key)
        if entry is None:
            from django.db.models.sql import Query

            query = Query(Measure)
            expression = measure_flags(self.today, _NOW_STAND_IN, self.rules).resolve_expression(query)
            sql, params = query.get_compiler(connection=connection).compile(expression)
            field = Measure._meta.get_field("last_reported_at")
            stale_at = _NOW_STAND_IN - dt.timedelta(days=self.rules.stale_days)
            entry = (sql, list(params), field.get_db_prep_value(stale_at, connection))
            if len(_compiled) >= _COMPILED_MAX:
                _compiled.clear()
            _compiled[key] = entry
        sql, params, stand_in = entry
        table = Measure._meta.db_table
        if self.alias is not None and self.alias != table:
            qn = connection.ops.quote_name
            sql = sql.replace(f"{qn(table)}.", f"{compiler.quote_name_unless_alias(self.alias)}.")
        field = Measure._meta.get_field("last_reported_at")
        stale_at = field.get_db_prep_value(self.now - dt.timedelta(days=self.rules.stale_days), connection)
        return sql, tuple(stale_at if p == stand_in else p for p in params)


def _bit(condition: Q, value: int) -> Case:
    return Case(When(condition, then=_int(value)), default=_int(0), output_field=IntegerField())


def year_share(today: dt.date, year: int) -> Fraction:
    """序时进度 of a year on `today`: day of year ÷ days in year (0 before the year, 1 after it)."""
    if today.year < year:
        return Fraction(0)
    if today.year > year:
        return Fraction(1)
    days = 366 if calendar.isleap(year) else 365
    return Fraction(today.timetuple().tm_yday, days)


@dataclass(frozen=True)
class IndicatorRules:
    flags: Expression
    colour: Expression


def indicator_rules(today: dt.date, r: Rules | None = None) -> IndicatorRules:
    """Rules over Indicator rows of today's year; the rate is the latest actual on or before today ÷ target."""
    from zhenggai.supervision.models import IndicatorActual

    r = r or rules()
    money = DecimalField(max_digits=30, decimal_places=6)
    latest = (
        IndicatorActual.objects.filter(indicator=OuterRef("pk"), on_date__lte=today)
        .order_by("-on_date")
        .values("value")[:1]
    )
    actual = Coalesce(Subquery(latest, output_field=money), Value(0, output_field=money))
    # actual ÷ target < share  ⇔  den × actual < num × target, with shares as fractions of 100 / of the year.
    red_share = Fraction(str(r.indicator_red_below)) / 100
    year = year_share(today, today.year)

    def below(share: Fraction) -> Q:
        return Q(
            LessThan(
                Value(share.denominator, output_field=money) * actual,
                Value(share.numerator, output_field=money) * F("target"),
            )
        )

    low, behind = below(red_share), below(year)
    return IndicatorRules(
        flags=_bit(low, Reason.INDICATOR_LOW) + _bit(behind, Reason.INDICATOR_BEHIND),
        colour=Case(
            When(low, then=Value(Colour.RED.value)),
            When(behind, then=Value(Colour.YELLOW.value)),
            default=Value(Colour.GREEN.value),
            output_field=CharField(),
        ),
    )


def reason_labels(flags: int, r: Rules | None = None) -> list[str]:
    """The Chinese reasons behind a colour, most serious first."""
    return [label for bit, label in _labels(r or rules()) if flags & bit]


@functools.lru_cache(maxsize=8)
def _labels(r: Rules) -> tuple[tuple[int, str], ...]:
    labels = {
        Reason.OVERDUE: "已逾期",
        Reason.LOW_PROGRESS: f"进度低于{r.red_progress_below}%且剩余时间不足{_share_text(r.red_time_left_below)}",
        Reason.BEHIND_SCHEDULE: "进度落后于序时进度",
        Reason.DUE_SOON: f"{r.due_soon_days}日内到期",
        Reason.STALE: f"{r.stale_days}日以上未报送进展",
        Reason.INDICATOR_LOW: f"执行率低于{r.indicator_red_below:g}%",
        Reason.INDICATOR_BEHIND: "执行率低于序时进度",
    }
    return tuple((int(bit), label) for bit, label in labels.items())


def _share_text(share: float) -> str:
    known = {0.25: "四分之一", 0.5: "一半", 0.2: "五分之一", 0.1: "十分之一", 1 / 3: "三分之一"}
    return known.get(share, f"{share * 100:g}%")
