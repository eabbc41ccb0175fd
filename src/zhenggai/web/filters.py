"""The measure list's filters: colour, status, lead department, deadline range, text, and the sort order.

One form validates the query string (Chinese messages beside the field) and turns it into queryset filters;
a bad value is reported and ignored, never a 500.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.db.models.lookups import In
from django.utils.choices import normalize_choices

from zhenggai.ledger.choices import OPEN_STATUSES, MeasureStatus, UnitKind
from zhenggai.ledger.models import Measure, Unit, units_revision
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.ledger.querysets import path_q, reach_q, role_paths
from zhenggai.supervision.choices import Colour
from zhenggai.supervision.models import MeasureLight
from zhenggai.web import search

SHOW: dict[str, tuple[str, dict[str, Any]]] = {
    "open": ("未完成", {"urgency": 0}),  # the stored sort key: status in OPEN_STATUSES
    "pending": ("待销号", {"status": MeasureStatus.PENDING_SIGNOFF}),
    "closed": ("已销号", {"status__in": (MeasureStatus.DONE, MeasureStatus.ONGOING)}),
    "all": ("全部", {}),
}
SORTS: dict[str, tuple[str, tuple[Any, ...] | None]] = {
    "": ("按紧急程度", None),
    "deadline": ("整改时限由近到远", ("due", "id")),  # due: the deadline, none last
    "-deadline": ("整改时限由远到近", (F("deadline").desc(nulls_last=True), "-id")),
    "progress": ("进度由低到高", ("progress", "id")),
    "-progress": (
        "进度由高到低",
        ("-progress", "-id"),
    ),  # one direction: the (progress, id) index read backwards
    "code": ("编号", ("code", "id")),
    "-updated": ("最近更新", ("-updated_at", "-id")),
}
COLOUR_CHOICES = [("", "全部颜色"), *[(c.value, c.label) for c in Colour]]
MAX_DEPARTMENT_CHOICES = 200  # beyond that the department is searched by name


def departments_for(user: Any) -> QuerySet[Unit]:
    """Departments under the units the user works for (the choices of the department filter)."""
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("path")
    paths = role_paths(user)
    return departments if paths is None else departments.filter(path_q("path", paths))


SCOPES = {"mine": "我负责的", "all": "我可见的全部"}
MAX_UNIT_CHOICES = 200


class _Rare(Func):
    """A condition that holds for few rows, said so to SQLite's planner (`likelihood`, which keeps the term an
    index range): SQLite otherwise reads the subtree's whole path range to save sorting the few rows by path.
    Other databases read it as it is (PostgreSQL has the depth statistics of the expression index)."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="likelihood(%(expressions)s, 0.001)", **extra)


def _after(prefix: str) -> str:
    """The first path after every path starting with `prefix` (paths are ASCII digits and "/")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def units_for(user: Any) -> dict[int, tuple[str, str, str]]:
    """Units whose subtree the list can be narrowed to (id → name, path): the user's roots and two levels below."""
    paths = role_paths(user)
    units = Unit.objects.exclude(kind=UnitKind.DEPARTMENT).annotate(depth=Length("path")).order_by("path")
    depth = min((len(p) for p in paths), default=0) if paths else PATH_STEP
    # Paths grow by PATH_STEP a level: "at most two levels below the shallowest root" is these three depths,
    # each one range of the (length(path), path) index; `depth <= …` read the whole subtree's 10,000 units and
    # departments on PostgreSQL to keep the 111 regions of a province (6 ms a page).
    units = units.filter(_Rare(In(Length("path"), [depth + level * PATH_STEP for level in range(3)])))
    if paths is not None:
        # Path ranges, not LIKE: PostgreSQL reads a range from the index's second column under any collation.
        units = units.filter(reduce(or_, (Q(path__gte=p, path__lt=_after(p)) for p in paths), Q(pk__in=[])))
    rows = units.values_list("pk", "name", "path", "kind")[:MAX_UNIT_CHOICES]
    return {pk: (name, path, kind) for pk, name, path, kind in rows}


class UnitChoices:
    """The unit and department choices of one scope (the list filters' two longest lists), normalized once."""

    def __init__(self, user: Any) -> None:
        self.units = units_for(user)
        self.unit_choices = normalize_choices(
            [("", "全部单位"), *((pk, name) for pk, (name, _, _) in self.units.items())]
        )
        options = list(departments_for(user).values_list("pk", "name")[: MAX_DEPARTMENT_CHOICES + 1])
        self.many_departments = len(options) > MAX_DEPARTMENT_CHOICES
        self.department_choices = normalize_choices([("", "全部部门"), *options[:MAX_DEPARTMENT_CHOICES]])


_CHOICES: dict[tuple[Any, ...], UnitChoices] = {}
_CHOICES_KEPT = 256  # scopes kept per process (a scope is the set of the user's role paths)


def unit_choices(user: Any) -> UnitChoices:
    """The scope's unit and department choices, kept per process by (unit table revision, role paths): two
    queries over the units (the unit choices scan the province's 10,000 units on SQLite, 1.2 ms) and the choices'
    normalization (another 1–2 ms) become one primary-key read. Any write to the units changes the revision
    (`ledger.UnitsRevision`, set by triggers), so a renamed, moved, added or removed unit shows at the next request."""
    revision = units_revision()
    paths = role_paths(user)
    key = (revision, None if paths is None else tuple(paths))
    cached = _CHOICES.get(key) if revision is not None else None
    if cached is None:
        cached = UnitChoices(user)
        if revision is not None:
            if len(_CHOICES) >= _CHOICES_KEPT:
                _CHOICES.clear()
            _CHOICES[key] = cached
    return cached


class TaskFilter(forms.Form):
    scope = forms.ChoiceField(label="措施", choices=list(SCOPES.items()), required=False)
    unit = forms.TypedChoiceField(label="单位（含下级）", coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="范围", choices=[(k, v[0]) for k, v in SHOW.items()], required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *MeasureStatus.choices], required=False
    )
    colour = forms.ChoiceField(label="预警颜色", choices=COLOUR_CHOICES, required=False)
    dept = forms.TypedChoiceField(label="牵头部门", coerce=int, required=False, empty_value=None)
    dept_name = forms.CharField(label="牵头部门", max_length=100, required=False)
    due_from = forms.DateField(
        label="整改时限从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(
        label="搜索",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "措施、编号、问题、部门、责任人"}),
    )
    sort = forms.ChoiceField(label="排序", choices=[(k, v[0]) for k, v in SORTS.items()], required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user
        choices = unit_choices(user)
        self.units = choices.units
        self.many_departments = choices.many_departments
        # The normalized lists set as the choice setters would set them (without normalizing 400 choices again);
        # shared between requests, never modified.
        for name, normalized in (("unit", choices.unit_choices), ("dept", choices.department_choices)):
            field = self.fields[name]
            field._choices = field.widget._choices = normalized  # type: ignore[attr-defined]
        messages = {
            "invalid_choice": "所选的值不在可选范围内，已忽略。",
            "invalid": "请按 2025-06-30 的格式填写日期。",
            "max_length": "内容过长（最多 %(limit_value)d 个字）。",
        }
        for field in self.fields.values():
            field.error_messages.update(messages)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("due_to", "结束日期不能早于开始日期。")
        return data

    def value(self, name: str) -> Any:
        """The cleaned value, or the default when the field is missing or wrong."""
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get(name) if name not in self.errors else None

    order: list[str] | None = None
    tiers: list[QuerySet[Measure]] | None = None  # a search's ranked tiers (web.search), else None
    counted: QuerySet[Measure] | None = None  # the rows as the capped count reads them, when it differs

    def apply(self, measures: QuerySet[Measure]) -> QuerySet[Measure]:
        """Filter and order `measures` (annotated with light_flags) as the form says."""
        self.is_valid()  # fills cleaned_data with the good fields; errors are shown, bad ones ignored
        show = self.value("show") or "open"
        measures = measures.filter(**SHOW[show][1])
        if (unit_id := self.value("unit")) in self.units:  # the choices are in the user's scope
            _, path, kind = self.units[unit_id]
            # A region (city, county) holds many measures: check each row along the order's index (EXISTS);
            # below that, collect the subtree's few reach rows first (IN).
            measures = measures.filter(reach_q([path], "measure", wide=kind == UnitKind.REGION))
        if status := self.value("status"):
            measures = measures.filter(status=status)
        if colour := self.value("colour"):
            # The colour the last sweep stored (MeasureLight), not today's rules run over every measure; a
            # measure not yet swept counts as green, as the sweep's totals count it. Checked per row (EXISTS on
            # the light's primary key), never as the set of every light of that colour: the database then walks
            # the page's order index (or a narrow scope's reach rows) and stops after a page. An `IN (lights of
            # the colour)` let SQLite start from the 50,000 red lights and sort them all for one page.
            light = MeasureLight.objects.filter(measure_id=OuterRef("pk"))
            lit = Q(Exists(light.filter(colour=colour)))
            if colour == Colour.GREEN:
                lit |= ~Q(Exists(light))
            measures = measures.exclude(status=MeasureStatus.DONE).filter(lit)
        if dept := self.value("dept"):
            measures = measures.filter(lead_department_id=dept)
        if dept_name := (self.value("dept_name") or "").strip():
            # The matching departments first (a scan of the units, not of the measures), then their measures
            # through the (lead_department, status) index.
            named = departments_for(self.user).filter(name__icontains=dept_name).values_list("pk", flat=True)
            measures = measures.filter(lead_department_id__in=list(named[: MAX_DEPARTMENT_CHOICES + 1]))
        if start := self.value("due_from"):
            measures = measures.filter(deadline__gte=start)
        if end := self.value("due_to"):
            measures = measures.filter(deadline__lte=end)
        order = SORTS.get(self.value("sort") or "", SORTS[""])[1]
        if order is None:
            # Among open measures deadline order is urgency order (overdue, due soon, the rest); the stored sort
            # keys (urgency, due) and their indexes serve each order.
            order = ("due", "id") if show in ("open", "pending") else ("urgency", "due", "id")
        # A keyset cursor needs plain column names (the "-deadline" order keeps its NULLS LAST and pages by offset).
        self.order = [str(o) for o in order] if all(isinstance(o, str) for o in order) else None
        self.tiers = self.counted = None
        if text := (self.value("q") or "").strip():
            # One search box over text, code, finding title, lead department and responsible person (web.search):
            # text and code matches first, then the rest, each tier in the list's order.
            found = search.build(connections[measures.db], text)
            if self.order is None:  # paged by offset: one query, ranked
                return found.ranked(measures, *order)
            self.tiers = [tier.order_by(*order) for tier in found.tiers(measures)]
            if (counted := found.counted) is not None:
                self.counted = measures.filter(counted)
            measures = measures.filter(found.any)
        return measures.order_by(*order)


def due_text(measure: Measure, today: dt.date) -> str:
    """逾期 N 天 / 剩余 N 天 / 今天到期 beside the light of an unfinished measure with a deadline."""
    if measure.deadline is None or measure.status not in OPEN_STATUSES:
        return ""
    days = (measure.deadline - today).days
    if days < 0:
        return f"逾期{-days}天"
    return "今天到期" if days == 0 else f"剩余{days}天"
