"""Fixtures for the notice tests: the real notices live outside the repository and are only read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED_PREFIXES = ("000", "001", "004")


def corpus_dir() -> Path:
    """ZHENGGAI_CORPUS if set, else ../shared/seeds next to the repository."""
    configured = os.environ.get("ZHENGGAI_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    path = corpus_dir()
    if not path.is_dir() or not any(path.glob("0*.txt")):
        pytest.skip(f"real notices not found in {path} (set ZHENGGAI_CORPUS to the seeds directory)")
    return path


@pytest.fixture
def seed(seeds_dir: Path) -> Callable[[str], Path]:
    """seed("000") is the path of the real notice numbered 000."""

    def find(prefix: str) -> Path:
        matches = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
        if not matches:
            pytest.skip(f"seed {prefix} not found in {seeds_dir}")
        return matches[0]

    return find
