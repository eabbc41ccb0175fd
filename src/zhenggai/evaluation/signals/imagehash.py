"""Perceptual hash (dHash) of image evidence, so a re-encoded, resized or re-saved copy of a photo is found.

dHash: the image in grey, shrunk to 9×8, one bit per pixel pair — is it brighter than its right-hand neighbour.
Two images are near-identical when their 64-bit hashes differ in at most `NEAR_BITS` bits (Hamming distance).
JPEG re-encoding, resizing and small brightness changes move a few bits; a different photo differs in ~32.
Matching is by the pigeonhole principle: the hash is cut into `NEAR_BITS + 1` bands, two hashes within the
distance agree exactly on at least one band, so only hashes sharing a band are compared (no all-pairs scan).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any

import numpy as np
from PIL import Image

NEAR_BITS = 5  # Hamming distance (of 64 bits) up to which two images count as the same picture
MAX_PIXELS = 80_000_000  # larger images are not hashed (a decompression bomb, not a photo)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff")


def dhash(source: IO[bytes]) -> int | None:
    """The 64-bit dHash of an image file; None when it is not an image Pillow reads, or too large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.draft("L", (64, 64))  # JPEG: decode at a reduced size, much faster
                grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
                pixels = grey.tobytes()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
CHUNK = 256  # rows of a large bucket compared at a time (memory stays small)


def _popcount(x: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, Any]:
    if hasattr(np, "bitwise_count"):  # numpy 2
        counted: np.ndarray[Any, Any] = np.bitwise_count(x)
        return counted
    counts: np.ndarray[Any, Any] = POPCOUNT[x.view(np.uint8)].reshape(*x.shape, 8).sum(axis=-1, dtype=np.intp)
    return counts


def _band_widths() -> list[int]:
    n = NEAR_BITS + 1
    return [64 // n + (1 if i < 64 % n else 0) for i in range(n)]


def near_groups(hashes: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of keys whose hashes are within `NEAR_BITS` of another in the group (single linkage).
    `hashes` gives (key, hash); a hash of 0 (a flat image: no detail to compare) is left out.

    For each band the distinct hashes are sorted by the band's bits; within each run of equal bits the
    distances are computed with numpy, a bucket at a time."""
    keys_of: dict[int, list[int]] = defaultdict(list)  # equal hashes are matched once
    for key, h in hashes:
        if h:
            keys_of[h].append(key)
    distinct = list(keys_of)
    parent = list(range(len(distinct)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    values = np.array(distinct, dtype=np.uint64)
    shift = 0
    for width in _band_widths():
        band = (values >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        shift += width
        order = np.argsort(band, kind="stable")
        ordered = band[order]
        cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        for members in np.split(order, cuts):
            if len(members) < 2:
                continue
            sub = values[members]
            for top in range(0, len(members), CHUNK):
                rows = sub[top : top + CHUNK]
                near = _popcount(rows[:, None] ^ sub[None, :]) <= NEAR_BITS
                near[np.arange(len(rows)), np.arange(top, top + len(rows))] = False  # itself
                if not near.any():
                    continue
                for i, j in zip(*np.nonzero(near), strict=True):
                    a, b = int(members[top + i]), int(members[j])
                    if find(a) != find(b):
                        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for index, h in enumerate(distinct):
        groups[find(index)] += keys_of[h]
    return [keys for keys in groups.values() if len(keys) > 1]
