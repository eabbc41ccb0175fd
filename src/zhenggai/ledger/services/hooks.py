"""After-commit hooks the ledger services call for notifications. The ledger does not depend on the
supervision app (nor on web code): when it is installed, its `events` module is called once the
transaction has committed, so a rolled-back change never notifies anyone.

A bulk change (the Excel ledger import) wraps its service calls in `assignments_gathered()`: the per-measure
"assigned to my department" events are then gathered and sent as one `measures_assigned` event, one message
per department for the whole import instead of one per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.apps import apps
from django.db import transaction

# measure id → department ids newly assigned to it, while a bulk change gathers them.
_gathered: ContextVar[dict[int, set[int]] | None] = ContextVar("gathered_assignments", default=None)


def after_commit(event: str, **ids: object) -> None:
    """Queue `event` (a function name in zhenggai.supervision.events) with plain ids as arguments."""
    if not apps.is_installed("zhenggai.supervision"):
        return
    gathered = _gathered.get()
    if gathered is not None and event == "measure_assigned":
        measure_id, unit_ids = ids["measure_id"], ids["unit_ids"]
        assert isinstance(measure_id, int)
        assert isinstance(unit_ids, list)
        gathered.setdefault(measure_id, set()).update(unit_ids)
        return
    transaction.on_commit(partial(_dispatch, event, ids))


@contextmanager
def assignments_gathered() -> Iterator[None]:
    """Gather the measure_assigned events of the service calls inside; on a normal exit (call it inside the
    bulk change's transaction) queue them as one measures_assigned event for after the commit."""
    gathered: dict[int, set[int]] = {}
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    if gathered:
        after_commit(
            "measures_assigned",
            assignments={measure_id: sorted(units) for measure_id, units in gathered.items()},
        )


def _dispatch(event: str, ids: dict[str, object]) -> None:
    from zhenggai.supervision import events  # lazy: supervision imports the ledger

    getattr(events, event)(**ids)
