"""A unit grows from the embedded SQLite to PostgreSQL: a SQLite backup restored with --into; and a PostgreSQL
backup (pg_dump -Fc) restored into another PostgreSQL database. Runs in the PostgreSQL run only."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import psycopg
import pytest

from tests.ops.server import base_env, zhenggai

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"), reason="needs PostgreSQL (scripts/with-postgres)"
)


def _pg_ids(url: str, tables: list[str]) -> dict[str, list[object]]:
    with psycopg.connect(url) as db:
        return {t: [r[0] for r in db.execute(f'SELECT id FROM "{t}" ORDER BY id').fetchall()] for t in tables}


def test_sqlite_backup_restores_into_postgresql_and_backs_up_again(
    demo_dir: Path, tmp_path: Path, empty_database: str
) -> None:
    archive = tmp_path / "sqlite.tar.gz"
    assert zhenggai(["backup", "-o", str(archive)], base_env(ZHENGGAI_DATA_DIR=str(demo_dir))).returncode == 0

    server = tmp_path / "server"
    env = base_env(ZHENGGAI_DATA_DIR=str(server))
    result = zhenggai(["restore", str(archive), "--into", empty_database], env)
    assert result.returncode == 0, result.stderr
    assert "由 SQLite 转入 PostgreSQL" in result.stdout

    pg_env = env | {"DATABASE_URL": empty_database}
    stats = zhenggai(["stats", "--inspection", "1", "--json"], pg_env)
    sqlite_stats = zhenggai(
        ["stats", "--inspection", "1", "--json"], base_env(ZHENGGAI_DATA_DIR=str(demo_dir))
    )
    assert json.loads(stats.stdout) == json.loads(sqlite_stats.stdout)
    with sqlite3.connect(demo_dir / "zhenggai.sqlite3") as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
            if r[0] != "django_migrations"
            and not r[0].startswith("ledger_measure_fts")  # SQLite's own search index (FTS5), not a model
            and any(c[1] == "id" for c in db.execute(f'PRAGMA table_info("{r[0]}")'))
        ]
        sqlite_ids = {t: [r[0] for r in db.execute(f'SELECT id FROM "{t}" ORDER BY id')] for t in tables}
    assert _pg_ids(empty_database, tables) == sqlite_ids
    # new rows get fresh keys (the sequences were moved past the copied ones)
    assert zhenggai(["supervise", "sweep"], pg_env).returncode == 0
    assert sorted((server / "media").rglob("*.pdf"))

    # …and that PostgreSQL database backs up (pg_dump -Fc) and restores into another one
    pg_archive = tmp_path / "pg.tar.gz"
    result = zhenggai(["backup", "-o", str(pg_archive)], pg_env)
    assert result.returncode == 0, result.stderr
    second = empty_database + "_2"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {second.rsplit('/', 1)[1]}")
    try:
        result = zhenggai(
            ["restore", str(pg_archive)],
            base_env(ZHENGGAI_DATA_DIR=str(tmp_path / "third"), DATABASE_URL=second),
        )
        assert result.returncode == 0, result.stderr
        assert _pg_ids(second, tables) == _pg_ids(empty_database, tables)
    finally:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {second.rsplit('/', 1)[1]} WITH (FORCE)")
