"""Uploads kept between the preview and the confirmation: owner-only, whatever the process umask."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700 (mkdir's `mode` applies to the last one only)."""
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (new folders 0700, the file 0600), replacing what was there."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


KEEP_SECONDS = 24 * 3600  # an upload never confirmed is cleaned up after a day


class StagedUploads:
    """An .xlsx kept between the dry run and the confirmation, under DATA_DIR/uploads/<kind>/<user id>/, named by
    its SHA-256 (so the confirmation carries only the hash), owner-only; older than a day is removed on store."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def folder(self, user_id: int) -> Path:
        from django.conf import settings

        return Path(settings.DATA_DIR) / "uploads" / self.kind / str(user_id)

    def store(self, user_id: int, data: bytes) -> str:
        import hashlib
        import time

        folder = private_dir(self.folder(user_id))
        cutoff = time.time() - KEEP_SECONDS
        for old in folder.iterdir():
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        sha = hashlib.sha256(data).hexdigest()
        write_private(folder / f"{sha}.xlsx", data)
        return sha

    def load(self, user_id: int, sha: str) -> bytes | None:
        import hashlib

        try:
            data = (self.folder(user_id) / f"{sha}.xlsx").read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha else None

    def discard(self, user_id: int, sha: str) -> None:
        (self.folder(user_id) / f"{sha}.xlsx").unlink(missing_ok=True)
