"""Typed helpers that read settings from the environment once and fail loudly on bad values."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(
            f"{name} must be a comma-separated list with at least one entry; got {raw!r}"
        )
    return items


PRIVATE_UMASK = 0o027  # files 0640, folders 0750: nothing we write is readable by other users


def restrict_umask() -> None:
    """Make the files and folders this process creates (SQLite database, uploads, staging files, exports)
    unreadable by other users; a stricter umask already set is kept."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


def env_dir(name: str, default: Path) -> Path:
    path = Path(os.environ.get(name) or default).expanduser().resolve()
    try:
        path.mkdir(mode=0o750, parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: cannot create data directory {path}: {exc.strerror}") from None
    if not os.access(path, os.W_OK):
        raise ImproperlyConfigured(f"{name}: data directory {path} is not writable")
    return path


def database_config(name: str, default_sqlite: Path) -> dict[str, object]:
    import dj_database_url

    raw = os.environ.get(name)
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    try:
        config: dict[str, object] = dict(dj_database_url.parse(raw, conn_max_age=60))
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}); got {raw!r}") from None
    engine = str(config.get("ENGINE", ""))
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:// or postgres:// URL; {engine or 'this scheme'} is not supported"
        )
    return config


def secret_key(name: str, data_dir: Path) -> str:
    """The secret key from the environment, else one generated once into the data directory."""
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long")
        return raw
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
