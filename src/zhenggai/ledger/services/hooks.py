"""After-commit hooks the ledger services call for notifications. The ledger does not depend on the
supervision app (nor on web code): when it is installed, its `events` module is called once the
transaction has committed, so a rolled-back change never notifies anyone."""

from __future__ import annotations

from functools import partial

from django.apps import apps
from django.db import transaction


def after_commit(event: str, **ids: object) -> None:
    """Queue `event` (a function name in zhenggai.supervision.events) with plain ids as arguments."""
    if not apps.is_installed("zhenggai.supervision"):
        return
    transaction.on_commit(partial(_dispatch, event, ids))


def _dispatch(event: str, ids: dict[str, object]) -> None:
    from zhenggai.supervision import events  # lazy: supervision imports the ledger

    getattr(events, event)(**ids)
