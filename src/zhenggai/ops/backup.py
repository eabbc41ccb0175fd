"""One archive with everything a unit's system holds, written while it runs, and its restore.

The archive is a gzip-compressed tar with:
  manifest.json          versions, applied migrations, row counts of every table, SHA-256 and size of every part
  database.sqlite3       SQLite: a consistent copy by SQLite's online backup API
  database.pgdump        PostgreSQL: `pg_dump -Fc` of an exported snapshot (the counts come from the same one)
  secret_key             the key sessions and password-reset links are signed with
  media/...              evidence and notice files (content-named, never overwritten)

The database is copied first, then the files: a file uploaded meanwhile is an unreferenced extra, never a
missing one (stored files are never removed or rewritten).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
PG_PART = "database.pgdump"
KEY_PART = "secret_key"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Said to the operator as is (Chinese); the command exits with 2."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def zhenggai_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhenggai")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def applied_migrations(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise BackupError(f"找不到 PostgreSQL 的 {name} 命令：请安装 postgresql-client。")
    return str(candidates[-1])


def pg_args(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (password) for pg_dump/pg_restore."""
    config = connections[alias].settings_dict
    args = []
    if config.get("HOST"):
        args += ["-h", str(config["HOST"])]
    if config.get("PORT"):
        args += ["-p", str(config["PORT"])]
    if config.get("USER"):
        args += ["-U", str(config["USER"])]
    env = os.environ.copy()
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return [*args, "-d", str(config["NAME"])], env


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {table: int(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]) for table in tables}


def table_counts(alias: str = "default") -> dict[str, int]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        counts = {}
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def snapshot_database(folder: Path) -> tuple[str, dict[str, int], list[str]]:
    """The database copied into folder: (part name, row counts, applied migrations), all of one instant."""
    if connection.vendor == "sqlite":
        target = folder / SQLITE_PART
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=60)
        try:
            copy = sqlite3.connect(str(target))
            with copy:
                source.backup(copy, pages=1024)  # online: writers wait only for each step
            copy.close()
        finally:
            source.close()
        with sqlite3.connect(str(target)) as db:
            migrations = [
                f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2")
            ]
        return SQLITE_PART, sqlite_counts(target), migrations
    if connection.vendor == "postgresql":
        target = folder / PG_PART
        args, env = pg_args()
        with connection.cursor() as cursor:
            connection.set_autocommit(False)
            try:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = table_counts()
                migrations = applied_migrations()
                result = subprocess.run(
                    [pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                     "-f", str(target), *args],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
            finally:
                connection.rollback()
                connection.set_autocommit(True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        return PG_PART, counts, migrations
    raise BackupError(f"不支持备份 {connection.vendor} 数据库。")


def local_media() -> bool:
    from django.core.files.storage import FileSystemStorage, default_storage

    return isinstance(default_storage, FileSystemStorage)


def storage_names(folder: str = "") -> Iterator[str]:
    """Every stored file's name, walking the storage (S3: its listing)."""
    from django.core.files.storage import default_storage

    dirs, files = default_storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(dirs):
        yield from storage_names(f"{folder}/{sub}" if folder else sub)


def media_files() -> Iterator[tuple[Path | str, str]]:
    """(local path or storage name, name in the archive) of every evidence and notice file."""
    if not local_media():
        for name in storage_names():
            yield name, "media/" + name
        return
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def write_backup(output: Path) -> dict[str, Any]:
    """Write the archive to output (atomically, mode 0600: it holds the secret key); returns the manifest."""
    output = output.resolve()
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="zhenggai-backup-", dir=output.parent) as temp:
        folder = Path(temp)
        database_part, counts, migrations = snapshot_database(folder)
        (folder / KEY_PART).write_text(settings.SECRET_KEY, encoding="ascii")
        parts: dict[str, dict[str, Any]] = {}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=3) as tar:
            for path, name in [
                (folder / database_part, database_part),
                (folder / KEY_PART, KEY_PART),
                *media_files(),
            ]:
                data_sha, size = add_file(tar, path, name)
                parts[name] = {"sha256": data_sha, "size": size}
            manifest = {
                "format": FORMAT,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "zhenggai": zhenggai_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                "database": {"vendor": connection.vendor, "part": database_part},
                "migrations": migrations,
                "counts": counts,
                "parts": parts,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, output)
    return manifest


def add_file(tar: tarfile.TarFile, path: Path | str, name: str) -> tuple[str, int]:
    """Add a local file (Path) or a stored one (storage name) as name, hashing exactly the bytes written."""
    from django.core.files.storage import default_storage

    digest = hashlib.sha256()
    if isinstance(path, Path):
        opened: Any = path.open("rb")
        size, mtime = os.fstat(opened.fileno()).st_size, int(path.stat().st_mtime)
    else:
        opened, size = default_storage.open(path, "rb"), default_storage.size(path)
        mtime = int(dt.datetime.now().timestamp())
    with opened as fh:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, mtime

        class Hashing(io.RawIOBase):
            def readinto(self, buffer: Any) -> int:
                chunk = fh.read(len(buffer))
                digest.update(chunk)
                buffer[: len(chunk)] = chunk
                return len(chunk)

            def readable(self) -> bool:
                return True

        tar.addfile(info, io.BufferedReader(Hashing(), CHUNK))
    return digest.hexdigest(), size


# ---------------------------------------------------------------------------------------------- restore


@dataclass
class Archive:
    path: Path
    manifest: dict[str, Any]


def safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == pure.as_posix()


def verify_archive(path: Path) -> Archive:
    """Read the whole archive once: every part present, no other, each with its SHA-256 and size."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or not safe_name(member.name):
                    raise BackupError(f"备份文件含有不应有的内容：{member.name}")
                fh = tar.extractfile(member)
                assert fh is not None
                if member.name == MANIFEST:
                    manifest_bytes = fh.read()
                    continue
                digest = hashlib.sha256()
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                seen[member.name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{path}（{exc}）") from None
    if manifest_bytes is None:
        raise BackupError(f"备份文件已损坏：缺少清单 {MANIFEST}。")
    try:
        manifest = json.loads(manifest_bytes)
        parts = manifest["parts"]
    except (ValueError, KeyError, TypeError):
        raise BackupError("备份文件已损坏：清单无法读取。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}。")
    missing = sorted(set(parts) - set(seen))
    extra = sorted(set(seen) - set(parts))
    if missing or extra:
        raise BackupError(f"备份文件已损坏：缺少 {missing or '无'}，多出 {extra or '无'}。")
    for name, expected in parts.items():
        if seen[name] != (expected["sha256"], expected["size"]):
            raise BackupError(f"备份文件已损坏：{name} 的校验值不符。")
    return Archive(path, manifest)


def extract(archive: Archive, names: set[str] | None, prefix_map: dict[str, Path]) -> None:
    """Extract parts: a name starting with a prefix in prefix_map goes under that folder (prefix removed)."""
    with tarfile.open(archive.path, mode="r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST or (names is not None and member.name not in names):
                continue
            for prefix, folder in prefix_map.items():
                if member.name == prefix or member.name.startswith(prefix):
                    target = folder / member.name[len(prefix) :] if member.name != prefix else folder
                    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
                    fh = tar.extractfile(member)
                    assert fh is not None
                    with target.open("xb") as out:
                        shutil.copyfileobj(fh, out, CHUNK)
                    os.chmod(target, 0o640)
                    break


def database_is_empty(alias: str = "default") -> bool:
    conn = connections[alias]
    if conn.vendor == "sqlite":
        name = Path(str(conn.settings_dict["NAME"]))
        if not name.exists() or name.stat().st_size == 0:
            return True
    return not conn.introspection.table_names()


def media_is_empty() -> bool:
    if not local_media():
        return next(storage_names(), None) is None
    root = Path(settings.MEDIA_ROOT)
    return not root.exists() or not any(root.iterdir())


ARCHIVE_ALIAS = "zhenggai_archive"


def open_sqlite_alias(path: Path) -> str:
    """A second database connection to a SQLite file (the archive's copy) for the cross-database copy."""
    config = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connections.settings[ARCHIVE_ALIAS] = config["default"]
    return ARCHIVE_ALIAS


def copy_rows(source: str, target: str = "default") -> dict[str, int]:
    """Every row of every model table from source into target (emptied first), keys kept; returns counts."""
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import transaction

    call_command("migrate", database=source, interactive=False, verbosity=0)  # the archive, to today's schema
    call_command("migrate", database=target, interactive=False, verbosity=0)
    # migrate added content types and permissions: the archive's rows (same keys) replace them
    call_command("flush", database=target, interactive=False, verbosity=0, inhibit_post_migrate=True)
    from zhenggai.ledger import reach

    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    # The reach rows are derived (triggers keep them): copying measures with the triggers on would write them
    # twice. Copy without the triggers and the derived table, then install them and rebuild the rows.
    reach.uninstall(connections[target])
    derived = {"ledger_reach"}
    counts: dict[str, int] = {}
    with transaction.atomic(using=target):  # foreign keys are checked at commit (deferred)
        for model in models:
            if model._meta.db_table in derived:
                continue
            batch: list[Any] = []
            copied = 0
            for obj in model._base_manager.using(source).order_by("pk").iterator(chunk_size=2000):
                batch.append(obj)
                if len(batch) >= 1000:
                    model._base_manager.using(target).bulk_create(batch)
                    copied += len(batch)
                    batch = []
            if batch:
                model._base_manager.using(target).bulk_create(batch)
                copied += len(batch)
            counts[model._meta.db_table] = copied
        with connections[target].cursor() as cursor:
            for statement in connections[target].ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    reach.ensure(connections[target])
    counts["ledger_reach"] = reach_rows(target)
    return counts


def reach_rows(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ledger_reach")
        return int(cursor.fetchone()[0])


def restore(path: Path) -> list[str]:
    """Restore the archive into the configured (empty) database and data directory; returns what was done."""
    archive = verify_archive(path)
    manifest = archive.manifest
    source_vendor = manifest["database"]["vendor"]
    part = manifest["database"]["part"]
    if not database_is_empty():
        raise BackupError(
            "目标数据库不是空的：恢复只写入空的数据库（新建一个数据库，或换一个空的数据目录）。"
        )
    if not media_is_empty():
        where = settings.MEDIA_ROOT if local_media() else f"对象存储 {settings.S3_BUCKET}"
        raise BackupError(f"目标 {where} 不是空的：恢复只写入空的数据目录和存储。")
    target_vendor = connection.vendor
    done = []
    with tempfile.TemporaryDirectory(prefix="zhenggai-restore-", dir=settings.DATA_DIR) as temp:
        folder = Path(temp)
        if source_vendor == "sqlite" and target_vendor == "sqlite":
            connection.close()
            name = Path(str(settings.DATABASES["default"]["NAME"]))
            name.unlink(missing_ok=True)  # an empty file left by a connection
            extract(archive, {part}, {part: folder / part})
            shutil.move(folder / part, name)
            os.chmod(name, 0o640)
            check_counts(table_counts(), manifest["counts"])
            done.append(f"数据库（SQLite，{len(manifest['counts'])} 张表）")
        elif source_vendor == "postgresql" and target_vendor == "postgresql":
            extract(archive, {part}, {part: folder / part})
            args, env = pg_args()
            result = subprocess.run(
                [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args, str(folder / part)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode != 0:
                raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
            check_counts(table_counts(), manifest["counts"])
            done.append(f"数据库（PostgreSQL，{len(manifest['counts'])} 张表）")
        elif source_vendor == "sqlite" and target_vendor == "postgresql":
            extract(archive, {part}, {part: folder / part})
            alias = open_sqlite_alias(folder / part)
            try:
                copied = copy_rows(alias)
                check_counts(copied, table_counts(alias), only=set(copied))
            finally:
                connections[alias].close()
                del connections.settings[alias]
            done.append(f"数据库（由 SQLite 转入 PostgreSQL，{len(copied)} 张表，{sum(copied.values())} 行）")
        else:
            raise BackupError(
                "PostgreSQL 的备份只能恢复到 PostgreSQL（请用 --into 指定 PostgreSQL 数据库）。"
            )
    media = [name for name in manifest["parts"] if name.startswith("media/")]
    if local_media():
        extract(archive, set(media), {"media/": Path(settings.MEDIA_ROOT)})
    else:
        upload_media(archive)
    done.append(f"{len(media)} 个文件")
    key = Path(settings.DATA_DIR) / "secret_key"
    extract_key = key.with_name("secret_key.restored")
    extract(archive, {KEY_PART}, {KEY_PART: extract_key})
    os.replace(extract_key, key)
    os.chmod(key, 0o600)
    if os.environ.get("ZHENGGAI_SECRET_KEY") and os.environ["ZHENGGAI_SECRET_KEY"] != key.read_text().strip():
        done.append(
            f"密钥（写入 {key}；配置文件里的 ZHENGGAI_SECRET_KEY 与备份不同，已登录的用户需重新登录）"
        )
    else:
        done.append(f"密钥（写入 {key}）")
    return done


def check_counts(actual: dict[str, int], expected: dict[str, int], only: set[str] | None = None) -> None:
    names = only if only is not None else set(expected) | set(actual)
    wrong = sorted(n for n in names if actual.get(n) != expected.get(n))
    if wrong:
        raise BackupError(f"恢复后的行数与备份清单不符：{'、'.join(wrong[:10])}。")


def upload_media(archive: Archive) -> None:
    """The archive's files into the configured storage (S3) under their own names."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    with tarfile.open(archive.path, mode="r:gz") as tar:
        for member in tar:
            if member.name.startswith("media/"):
                fh = tar.extractfile(member)
                assert fh is not None
                name = member.name[len("media/") :]
                saved = default_storage.save(name, File(fh, name=name))
                if saved != name:
                    raise BackupError(f"恢复文件 {name} 时存储给出了另一个名字 {saved}。")
