"""The task list's search marks: the term in <mark> in the measure text, and where else a row matched."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from zhenggai.ledger.models import Measure
from zhenggai.web import search

register = template.Library()


@register.filter
def highlight(text: str, term: str) -> SafeString:
    return search.highlight(text or "", term or "")


@register.filter
def matched_in(measure: Measure, term: str) -> str:
    """ "问题标题、责任人" when the row matched the term there and not in its text or code; else ""."""
    return "、".join(search.places(measure, term or ""))
