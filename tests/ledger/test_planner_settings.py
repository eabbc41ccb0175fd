"""PostgreSQL's planner costs for a database held in memory, set in the connection options (settings)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: run under scripts/with-postgres")
def test_a_postgresql_connection_prices_a_random_read_as_a_cached_one(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("2",)
