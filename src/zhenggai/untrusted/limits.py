"""The limits a user's file must stay within, and the error that refuses it."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
REJECTED = "文件过大或格式异常，已拒绝："


class RejectedFile(Exception):
    """A file refused before or while it was parsed; the message is Chinese and meant for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(REJECTED + reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type[RejectedFile], tuple[str]]:  # survives the pipe from the child
        return (RejectedFile, (self.reason,))

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int = 100 * MB  # all members of a zip together, uncompressed
    max_ratio: int = 100  # compression ratio refused for a member ...
    ratio_min_bytes: int = 1 * MB  # ... larger than this uncompressed
    max_members: int = 10_000
    max_rows: int = 100_000 + 20  # a ledger's rows, plus the title and header rows above them
    max_columns: int = 64
    memory_bytes: int = 1024 * MB  # address space the child may add to what it inherits
    seconds: float = 60.0  # wall-clock time of one parse


def current_limits() -> Limits:
    """The limits from the settings (ZHENGGAI_MAX_UNPACKED_MB, …) when Django is configured, else defaults."""
    try:
        from django.conf import settings

        if not settings.configured:
            return Limits()
        return Limits(
            max_unpacked_bytes=int(getattr(settings, "MAX_UNPACKED_MB", 100)) * MB,
            memory_bytes=int(getattr(settings, "PARSE_MEMORY_MB", 1024)) * MB,
            seconds=float(getattr(settings, "PARSE_SECONDS", 60)),
        )
    except ImportError:  # pragma: no cover - Django is always installed with the project
        return Limits()
