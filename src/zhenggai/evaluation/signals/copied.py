"""文字雷同 (copied text): near-duplicate texts across units or inspections, by MinHash and LSH banding.

Texts are folded (punctuation, spaces and digits dropped) and cut into character 3-grams (Chinese has no spaces
to split words on; 3-grams of characters are the usual shingles). Each text gets a MinHash signature of
`PERMS` values; texts whose signatures agree on a whole band of `ROWS` values are candidates; a candidate pair is
kept when the Jaccard similarity of its 3-gram sets is at least `THRESHOLD` (checked exactly on the candidates
whose signatures agree on at least `ESTIMATE_FLOOR` of all values). Kept pairs are joined into groups.

The algorithm is datasketch's (MinHash + MinHashLSH) written over numpy arrays for all texts at once:
benchmarks/signals.py measures datasketch's per-text objects and rapidfuzz's all-pairs ratio on samples and
extrapolates both to 300,000 texts, far past the 60-second budget, while this runs within it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PERMS = 32
ROWS = 4  # PERMS // ROWS bands; a pair with Jaccard 0.8 is a candidate with probability 0.985
THRESHOLD = 0.8
ESTIMATE_FLOOR = 0.6  # candidates whose signatures agree less than this are not checked exactly
MIN_CHARS = 16  # shorter texts (标题式的一句话) repeat by nature and are not compared
SHINGLE = 3
CHUNK = 40_000  # texts per numpy batch, to bound memory

_FOLD = re.compile(r"[\W\d_a-zA-Z]+")
_MASK64 = (1 << 64) - 1

_rng = np.random.default_rng(20240318)
_A = _rng.integers(1, 2**63, size=PERMS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMS, dtype=np.uint64)


def fold(text: str) -> str:
    return _FOLD.sub("", text)


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character 3-gram sets."""
    x = {a[i : i + SHINGLE] for i in range(len(a) - SHINGLE + 1)}
    y = {b[i : i + SHINGLE] for i in range(len(b) - SHINGLE + 1)}
    return len(x & y) / len(x | y) if x or y else 0.0


def _signatures(texts: Sequence[str]) -> npt.NDArray[np.uint64]:
    """One row of PERMS min-hashes per text (all texts at least SHINGLE characters long)."""
    out = np.empty((len(texts), PERMS), dtype=np.uint64)
    for start in range(0, len(texts), CHUNK):
        batch = texts[start : start + CHUNK]
        codes = np.frombuffer("".join(batch).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        lengths = np.fromiter((len(t) for t in batch), dtype=np.int64, count=len(batch))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        with np.errstate(over="ignore"):
            grams = (
                codes[:-2] * np.uint64(0x9E3779B97F4A7C15)
                ^ codes[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F)
                ^ codes[2:] * np.uint64(0x165667B19E3779F9)
            )
        # The first shingle of each text starts at its first character; shingles crossing a boundary are dropped
        # by reducing from each text's start over its own (length - 2) shingles only.
        valid = np.ones(len(grams), dtype=bool)
        crossing = np.concatenate([ends[:-1] - 2, ends[:-1] - 1])
        valid[crossing[crossing < len(grams)]] = False
        index = np.flatnonzero(valid)
        grams = grams[index]
        offsets = np.searchsorted(index, starts)
        with np.errstate(over="ignore"):
            for k in range(PERMS):
                hashed = grams * _A[k] + _B[k]
                hashed ^= hashed >> np.uint64(29)
                out[start : start + len(batch), k] = np.minimum.reduceat(hashed, offsets)
    return out


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # indexes into the texts given
    similarity: float  # the lowest estimated similarity of a kept pair in the group


def near_duplicates(texts: Sequence[str], owners: Sequence[object]) -> list[Group]:
    """Groups of near-duplicate texts with at least two different owners (units or inspections).

    `owners[i]` says whose text `texts[i]` is; copies within one owner are not reported.
    """
    folded = [fold(t) for t in texts]
    keep = [i for i, t in enumerate(folded) if len(t) >= MIN_CHARS]
    if len(keep) < 2:
        return []
    sig = _signatures([folded[i] for i in keep])
    found_left, found_right = [], []
    for band in range(PERMS // ROWS):
        cols = sig[:, band * ROWS : (band + 1) * ROWS]
        with np.errstate(over="ignore"):
            key = cols[:, 0].copy()
            for r in range(1, ROWS):
                key = key * np.uint64(0x100000001B3) ^ cols[:, r]
        order = np.argsort(key, kind="stable")
        same = np.flatnonzero(key[order][1:] == key[order][:-1])
        found_left.append(order[same])
        found_right.append(order[same + 1])
    a, b = np.concatenate(found_left), np.concatenate(found_right)
    if not len(a):
        return []
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    unique = np.unique(low * len(keep) + high)
    left, right = unique // len(keep), unique % len(keep)
    agreement = (sig[left] == sig[right]).mean(axis=1)
    likely = agreement >= ESTIMATE_FLOOR
    left, right = left[likely], right[likely]
    texts_kept = [folded[i] for i in keep]
    parent = list(range(len(keep)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lowest: dict[int, float] = {}
    touched: set[int] = set()
    for x, y in zip(left.tolist(), right.tolist(), strict=True):
        sim = jaccard(texts_kept[x], texts_kept[y])  # the estimate is noisy with 32 values: check exactly
        if sim < THRESHOLD:
            continue
        touched.update((x, y))
        ra, rb = find(x), find(y)
        if ra != rb:
            parent[rb] = ra
            lowest[ra] = min(lowest.get(ra, 1.0), lowest.pop(rb, 1.0), sim)
        else:
            lowest[ra] = min(lowest.get(ra, 1.0), sim)
    groups: dict[int, list[int]] = {}
    for i in sorted(touched):
        root = find(i)
        if root in lowest:
            groups.setdefault(root, []).append(keep[i])
    result = []
    for root, members in groups.items():
        if len({owners[i] for i in members}) >= 2:
            result.append(Group(tuple(sorted(members)), round(lowest[root], 2)))
    return sorted(result, key=lambda g: g.members)
