"""Template helpers: lights, status badges and Chinese numbers."""

from __future__ import annotations

from typing import Any

from django import forms, template
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
    return field.as_widget(attrs=attrs)
