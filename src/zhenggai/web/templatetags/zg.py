"""Template helpers: lights, status badges and Chinese numbers."""

from __future__ import annotations

import functools
from typing import Any

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from zhenggai.web.lights import Light

register = template.Library()


@register.filter
def light_dot(light: Light) -> SafeString:
    if not light or not light.colour:
        return mark_safe('<span class="dot none" title="已销号"></span>')  # a constant, nothing to escape
    return format_html(
        '<span class="dot {}" title="{}" aria-label="{}"></span>', light.colour, light.label, light.label
    )


@register.filter
def percent(value: float | int | str | None) -> str:
    """25 → 25%, 36.66 → 36.7%; a missing figure (no stored tally yet) → —."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return f"{number:.0f}%" if number == int(number) else f"{number:.1f}%"


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, field: str, label: str) -> SafeString:
    """A column header that sorts by `field`, toggling direction, keeping the other query parameters."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{field}" if current == field else field
    params.pop("page", None)
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int, param: str = "page") -> str:
    params = context["request"].GET.copy()
    params[param or "page"] = number
    return f"?{params.urlencode()}"


@register.filter
def bs(field: forms.BoundField) -> SafeString:
    """Render a form field's widget with Bootstrap's classes (and is-invalid when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = ""
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    attrs: dict[str, Any] = {}
    if field.errors:
        css += " is-invalid"
        attrs["aria-describedby"] = f"{field.name}-errors"
        attrs["aria-invalid"] = "true"
    classes = " ".join(c for c in (widget.attrs.get("class", ""), css) if c).strip()
    if classes:
        attrs["class"] = classes
    return select_html(field, attrs) or field.as_widget(attrs=attrs)


def select_html(field: forms.BoundField, attrs: dict[str, Any]) -> SafeString | None:
    """A plain <select> (one value, flat choices) written here: the HTML Django's widget renders with one template
    per option, at a tenth of the time; the list filters carry up to 200 units or departments (5 of a list
    page's 45 ms at province scale). None for any other widget or for grouped choices."""
    widget = field.field.widget
    if type(widget) is not forms.Select:
        return None
    choices = list(widget.choices)
    if any(isinstance(label, list | tuple) for _, label in choices):
        return None
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    values = widget.format_value(field.value())
    keys, options = _options(
        tuple(("" if option is None else str(option), str(label)) for option, label in choices)
    )
    parts = list(options)
    for index, value in enumerate(keys):
        if value in values:  # the first match only, as Django's Select
            label = choices[index][1]
            parts[index] = format_html('<option value="{}" selected>{}</option>', value, label)
            break
    start = format_html(
        '<select name="{}"{}>', field.html_name, flatatt(widget.build_attrs(widget.attrs, attrs))
    )
    return mark_safe(f"{start}{''.join(parts)}</select>")  # each part escaped by format_html


@functools.lru_cache(maxsize=64)
def _options(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The values and the unselected <option>s of a list of choices, built once per distinct list (the units and
    departments a user may filter by: 400 options a list page)."""
    values = tuple(value for value, _ in choices)
    return values, tuple(
        format_html('<option value="{}">{}</option>', value, label) for value, label in choices
    )
