"""`path__prefix`: the subtree match, as an index range on SQLite and an indexed LIKE elsewhere.

SQLite does not use an index for Django's `startswith` (LIKE … ESCAPE), so a subtree look-up scanned every
unit. Unit paths are ASCII (digits and "/"), so on SQLite's binary collation `prefix <= path < prefix'`
(the prefix with its last character incremented) is the same set, and a range the index serves. PostgreSQL
keeps LIKE, which Django's varchar_pattern_ops index serves whatever the database's collation.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler


@models.CharField.register_lookup
class Prefix(models.Lookup[str]):
    lookup_name = "prefix"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = connection.ops.prep_for_like_query(self.rhs) + "%"
        return f"{lhs} LIKE %s", (*lhs_params, pattern)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", (*lhs_params, prefix, *lhs_params, upper)
