"""`zhenggai backup` while the system is written to, `zhenggai restore` elsewhere: every table and file back;
damaged archives and non-empty targets refused."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest

from tests.ops.server import base_env, copy_data_dir, zhenggai

pytestmark = pytest.mark.usefixtures("sqlite_only")


def _tables(database: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(database) as db:
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_backup_while_writing_restores_every_table_and_file_elsewhere(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    extra = data_dir / "media" / "evidence" / "ab" / ("ab" * 32 + ".pdf")
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_bytes(b"%PDF-1.4 before the backup\n")
    before_tables = _tables(data_dir / "zhenggai.sqlite3")
    before_files = _files(data_dir / "media")
    stop = threading.Event()
    written: list[str] = []

    def writer() -> None:  # a user logging in every few milliseconds while the backup runs
        with sqlite3.connect(data_dir / "zhenggai.sqlite3", timeout=30) as db:
            while not stop.is_set():
                key = f"busy{len(written):06d}"
                db.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, 'x', '2099-01-01')",
                    (key,),
                )
                db.commit()
                written.append(key)
                time.sleep(0.005)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        archive = tmp_path / "zhenggai.tar.gz"
        result = zhenggai(["backup", "-o", str(archive)], base_env(ZHENGGAI_DATA_DIR=str(data_dir)))
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert "已备份到" in result.stdout
    assert archive.stat().st_mode & 0o077 == 0  # it holds the secret key
    assert len(written) > 20

    restored = tmp_path / "restored"
    result = zhenggai(["restore", str(archive)], base_env(ZHENGGAI_DATA_DIR=str(restored)))
    assert result.returncode == 0, result.stderr
    assert "已恢复" in result.stdout

    after = _tables(data_dir / "zhenggai.sqlite3")
    back = _tables(restored / "zhenggai.sqlite3")
    assert set(back) == set(after)
    for name in after:
        if name == "django_session":
            sessions = {row[0] for row in back[name]}
            assert {row[0] for row in before_tables[name]} <= sessions <= {row[0] for row in after[name]}
            assert any(key in sessions for key in written)  # the backup happened in the middle of the writes
        else:
            assert back[name] == after[name], name
    assert _files(restored / "media") == before_files
    assert (restored / "secret_key").read_text() == (data_dir / "secret_key").read_text()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["counts"]["ledger_measure"] == len(after["ledger_measure"])
    assert set(manifest["parts"]) == {"database.sqlite3", "secret_key"} | {f"media/{n}" for n in before_files}
    assert {"zhenggai", "django", "python", "migrations", "created"} <= set(manifest)
    stats = zhenggai(["stats", "--inspection", "1", "--json"], base_env(ZHENGGAI_DATA_DIR=str(restored)))
    assert json.loads(stats.stdout)["measures"] == 30


@pytest.fixture(scope="module")
def archive(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "zhenggai.tar.gz"
    result = zhenggai(["backup", "-o", str(path)], base_env(ZHENGGAI_DATA_DIR=str(demo_dir)))
    assert result.returncode == 0, result.stderr
    return path


def _retar(archive: Path, target: Path, change: dict[str, bytes]) -> None:
    """The archive again, with some members' bytes replaced and the manifest kept."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = change.get(member.name, source.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_truncated_archive_is_refused(archive: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = zhenggai(["restore", str(damaged)], base_env(ZHENGGAI_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2
    assert "备份文件已损坏" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "zhenggai.sqlite3").exists()


def test_a_changed_file_in_the_archive_is_refused(archive: Path, tmp_path: Path) -> None:
    with tarfile.open(archive) as tar:
        evidence = next(m.name for m in tar if m.name.startswith("media/"))
    tampered = tmp_path / "tampered.tar.gz"
    _retar(archive, tampered, {evidence: b"%PDF-1.4 something else\n"})
    result = zhenggai(["restore", str(tampered)], base_env(ZHENGGAI_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2
    assert f"备份文件已损坏：{evidence} 的校验值不符" in result.stderr


def test_restore_refuses_a_data_directory_in_use(archive: Path, demo_dir: Path, tmp_path: Path) -> None:
    data_dir = copy_data_dir(demo_dir, tmp_path / "data")
    result = zhenggai(["restore", str(archive)], base_env(ZHENGGAI_DATA_DIR=str(data_dir)))
    assert result.returncode == 2
    assert "目标数据库不是空的" in result.stderr


def test_check_only_verifies_without_restoring(archive: Path, tmp_path: Path) -> None:
    result = zhenggai(
        ["restore", "--check-only", str(archive)], base_env(ZHENGGAI_DATA_DIR=str(tmp_path / "d"))
    )
    assert result.returncode == 0, result.stderr
    assert "备份文件完好" in result.stdout
    assert not (tmp_path / "d" / "zhenggai.sqlite3").exists()


def test_gzip_of_the_archive_is_whole(archive: Path) -> None:
    with gzip.open(archive) as fh:
        assert fh.read()  # reads to the end: the CRC is checked
