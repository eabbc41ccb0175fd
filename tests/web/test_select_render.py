"""The list filters' <select> boxes are written in Python (web/templatetags/zg.py select_html) instead of one
template per option: the same HTML as Django's widget, whatever the values, choices and errors."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test.html import parse_html

from tests.conftest import World
from zhenggai.web.filters import TaskFilter
from zhenggai.web.templatetags.zg import bs, select_html


def _django(field: forms.BoundField) -> str:
    """What `bs` rendered before: Django's widget with the same attributes."""
    widget = field.field.widget
    attrs: dict[str, Any] = {"class": "form-select"}
    if field.errors:
        attrs = {"class": "form-select is-invalid", "aria-describedby": f"{field.name}-errors"}
        attrs["aria-invalid"] = "true"
    assert isinstance(widget, forms.Select)
    return str(field.as_widget(attrs=attrs))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "draft", "sort": "code", "show": "all", "colour": "red"},
        {"status": "no-such-status", "unit": "not-a-number", "sort": "<script>"},
        {"unit": "999999", "dept": "1"},
    ],
)
def test_the_filter_selects_render_as_djangos_widget_does(world: World, data: dict[str, str]) -> None:
    form = TaskFilter(data, user=world.supervisor)
    form.is_valid()
    selects = [field for field in form if type(field.field.widget) is forms.Select]
    assert {"unit", "status", "sort", "show", "colour", "dept"} <= {field.name for field in selects}
    for field in selects:
        ours = str(bs(field))
        assert parse_html(ours) == parse_html(_django(field)), field.name
        assert ours.count(" selected") <= 1


def test_a_chosen_unit_is_selected(world: World) -> None:
    form = TaskFilter({}, user=world.supervisor)
    unit = next(iter(form.units))
    form = TaskFilter({"unit": str(unit)}, user=world.supervisor)
    form.is_valid()
    assert f'<option value="{unit}" selected>' in str(bs(form["unit"]))


def test_grouped_choices_and_other_widgets_keep_djangos_rendering() -> None:
    class Grouped(forms.Form):
        grouped = forms.ChoiceField(choices=[("甲组", [("1", "一"), ("2", "二")])])
        many = forms.MultipleChoiceField(choices=[("1", "一")])

    form = Grouped()
    assert select_html(form["grouped"], {}) is None
    assert select_html(form["many"], {}) is None
    assert "<optgroup" in str(bs(form["grouped"]))
