from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

# PostgreSQL's planner costs for a database held in memory (the ledger's working set is cached: 1.6 GB at
# province scale): a random page read priced at twice a sequential one, not 4× (the default, for spinning disks).
# With the default, a page of 50 measures joined with their inspections hashed all 5,000 inspections instead of
# 50 look-ups (3.9 ms instead of 2.0 ms, on every list and warnings page); 1.1 (the usual SSD value) measured the
# same on our pages but moves more plans away from PostgreSQL's defaults.
PLANNER_SETTINGS = {"random_page_cost": "2"}


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


def _planner_costs(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Once per new PostgreSQL connection (persistent connections make it rare)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name, value in PLANNER_SETTINGS.items():
                cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


class LedgerConfig(AppConfig):
    name = "zhenggai.ledger"
    verbose_name = "整改台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhenggai.ledger import lookups  # noqa: F401  (registers path__prefix)

        pre_migrate.connect(_drop_reach_triggers, sender=self)
        post_migrate.connect(_ensure_reach, sender=self)
        connection_created.connect(_planner_costs, dispatch_uid="zhenggai-planner-costs")
