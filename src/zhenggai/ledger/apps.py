from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _drop_reach_triggers(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """Before migrating SQLite: a migration that rebuilds a table (SQLite's way to alter one) fails on triggers
    that name it, so they go now and come back, with rebuilt rows, after the migration (`_ensure_reach`)."""
    from zhenggai.ledger import reach, search_index

    connection = connections[using]
    if plan and connection.vendor == "sqlite":
        reach.uninstall(connection)
        search_index.uninstall(connection)


def _ensure_reach(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: install the reach triggers when missing, and rebuild the rows they would have kept."""
    from zhenggai.ledger import reach, search_index

    connection = connections[using]
    tables = connection.introspection.table_names()
    if "ledger_reach" in tables:
        reach.ensure(connection)
    if "ledger_measure" in tables:
        search_index.ensure(connection)


class LedgerConfig(AppConfig):
    name = "zhenggai.ledger"
    verbose_name = "整改台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhenggai.ledger import lookups  # noqa: F401  (registers path__prefix)

        pre_migrate.connect(_drop_reach_triggers, sender=self)
        post_migrate.connect(_ensure_reach, sender=self)
