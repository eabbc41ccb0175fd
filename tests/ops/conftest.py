from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.server import base_env, make_demo


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated data directory with the demo data (SQLite), built once; copy it before writing to it."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    make_demo(data_dir, base_env())
    return data_dir


@pytest.fixture
def sqlite_only() -> None:
    """These tests run their own SQLite data directories in subprocesses: once (the SQLite run) is enough."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("SQLite data directories in subprocesses: covered by the SQLite run")


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the test cluster; dropped afterwards."""
    import psycopg

    name = "zhenggai_restore_" + secrets.token_hex(4)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
