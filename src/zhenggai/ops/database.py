"""Whether the configured database is there and migrated, asked before a command touches it."""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

NOT_MIGRATED = "数据库尚未初始化，请先运行 zhenggai migrate"
NEEDS_MIGRATE = "数据库结构需要升级，请先运行 zhenggai migrate（或 zhenggai upgrade）"


def sqlite_file_missing() -> bool:
    """SQLite creates a missing database file on connect: look before connecting."""
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict["NAME"])
    return name != ":memory:" and not name.startswith("file:") and not Path(name).exists()


def database_problem() -> str | None:
    """None when the database is reachable and fully migrated, else what to do, in Chinese."""
    if sqlite_file_missing():
        return NOT_MIGRATED
    try:
        tables = set(connection.introspection.table_names())
        if "django_migrations" not in tables:
            return NOT_MIGRATED
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"无法连接数据库（DATABASE_URL）：{str(exc).strip()}"
    finally:
        connection.close()
    if not plan:
        return None
    applied = executor.loader.applied_migrations
    return NEEDS_MIGRATE if applied else NOT_MIGRATED


def is_missing_table(exc: BaseException) -> bool:
    text = str(exc)
    return "no such table" in text or ("relation" in text and "does not exist" in text)
