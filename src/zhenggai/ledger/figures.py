"""The ledger's figures as a plain mapping, read from the queryset annotations in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhenggai.ledger.models import Inspection
from zhenggai.ledger.querysets import FIGURE_NAMES

FIGURE_LABELS = {
    "problems": "反馈问题（项）",
    "details": "具体问题（个）",
    "measures": "整改措施（条）",
    "done": "已完成（条）",
    "ongoing": "推进中（条）",
    "overdue": "已逾期（条）",
    "completion_rate": "整改完成率（%）",
    "regulations_new": "新制定制度（项）",
    "regulations_revised": "修订完善制度（项）",
    "done_late": "其中逾期完成（条）",
}


def figures_of(row: Any) -> dict[str, int | float]:
    """Pick the annotated figures off a row from `with_figures()`; the rate to one decimal, as notices print."""
    values: dict[str, int | float] = {
        name: getattr(row, name if name == "completion_rate" else f"n_{name}") for name in FIGURE_NAMES
    }
    values["completion_rate"] = round(float(values["completion_rate"]), 1)
    return values


def inspection_figures(inspection_id: int, today: dt.date | None = None) -> dict[str, int | float] | None:
    row = Inspection.objects.with_figures(today).filter(pk=inspection_id).first()
    return None if row is None else figures_of(row)
