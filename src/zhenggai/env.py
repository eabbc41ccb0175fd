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
    raise ImproperlyConfigured(f"{name} 应为 1/0、true/false、yes/no 或 on/off，现为 {raw!r}。")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} 应为整数，现为 {raw!r}。") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} 至少为 {minimum}，现为 {value}。")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} 应为逗号分隔的列表，至少一项，现为 {raw!r}。")
    return items


PRIVATE_UMASK = 0o027  # files 0640, folders 0750: nothing we write is readable by other users


def restrict_umask() -> None:
    """Make the files and folders this process creates (SQLite database, uploads, staging files, exports)
    unreadable by other users; a stricter umask already set is kept."""
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


# Set by the `zhenggai` command for commands that only read (stats, generate's checks, …): the default
# ./var is then not created in whatever directory the command runs from.
NO_DEFAULT_DIR = "ZHENGGAI_NO_DEFAULT_DATA_DIR"


def env_dir(name: str, default: Path) -> Path:
    path = Path(os.environ.get(name) or default).expanduser().resolve()
    if not os.environ.get(name) and os.environ.get(NO_DEFAULT_DIR) and not path.exists():
        return path  # nothing there yet: the command reports an uninitialised database
    try:
        path.mkdir(mode=0o750, parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}：无法建立数据目录 {path}（{exc.strerror}）。") from None
    if not os.access(path, os.W_OK):
        raise ImproperlyConfigured(f"{name}：数据目录 {path} 不可写。")
    return path


def database_config(name: str, default_sqlite: Path) -> dict[str, object]:
    import dj_database_url

    raw = os.environ.get(name)
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    try:
        config: dict[str, object] = dict(dj_database_url.parse(raw, conn_max_age=60))
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} 不是有效的数据库地址：{raw!r}（{exc}）。") from None
    engine = str(config.get("ENGINE", ""))
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"{name} 应为 sqlite:// 或 postgres:// 开头的地址，不支持 {engine or '这种写法'}。"
        )
    return config


def secret_key(name: str, data_dir: Path) -> str:
    """The secret key from the environment, else one generated once into the data directory."""
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw) < 32:
            raise ImproperlyConfigured(f"{name} 至少 32 个字符。")
        return raw
    path = data_dir / "secret_key"
    if not data_dir.is_dir():  # a read-only command before the first migrate: nothing to sign for long
        return secrets.token_urlsafe(50)
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


DEFAULT_ENV_FILE = Path("/etc/zhenggai/zhenggai.env")


def load_env_file() -> Path | None:
    """Read the configuration file (ZHENGGAI_ENV_FILE, else /etc/zhenggai/zhenggai.env when it exists) into
    the environment (ZHENGGAI_ENV_FILE set but empty: none); a variable already set in the environment wins. Lines are KEY=VALUE, `#` comments and
    blank lines are skipped, a value may be quoted. Returns the file read, if any."""
    named = os.environ.get("ZHENGGAI_ENV_FILE")
    if named == "":  # set but empty: no configuration file at all
        return None
    path = Path(named) if named else DEFAULT_ENV_FILE
    if not named and not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(f"无法读取配置文件 {path}（{exc.strerror}）。") from None
    except UnicodeDecodeError:
        raise ImproperlyConfigured(f"配置文件 {path} 不是 UTF-8 编码。") from None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        key, sep, value = stripped.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.replace("_", "").isalnum() or not key.isascii():
            raise ImproperlyConfigured(f"配置文件 {path} 第 {number} 行应为“名称=值”：{line!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)
    return path
