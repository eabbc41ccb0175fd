"""Parser throughput on the real notices (a script, not a test).

    .venv/bin/python benchmarks/parse.py                 # seeds from ../shared/seeds or $ZHENGGAI_CORPUS
    .venv/bin/python benchmarks/parse.py --mb 4          # at least 4 MB of text per run

The seeds are parsed in turn until at least --mb megabytes of UTF-8 text have gone through `parse_text`, on
one core, best of --repeat runs after a warm-up. Reading and decoding are timed separately on the same bytes
(GB18030, so the UTF-8 attempt fails first, the slower path). Exit status 1 when the goal (2 MB/s) is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from zhenggai.notices import parse_bytes, parse_text

GOAL_MB_PER_S = 2.0
MB = 1_000_000


def seeds_dir() -> Path:
    configured = os.environ.get("ZHENGGAI_CORPUS")
    return Path(configured) if configured else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def run(texts: list[str], minimum: int) -> tuple[int, int, float]:
    """(documents, bytes, seconds) for one pass over at least `minimum` bytes."""
    sizes = [len(text.encode("utf-8")) for text in texts]
    documents = total = 0
    started = time.perf_counter()
    while total < minimum:
        for text, size in zip(texts, sizes, strict=True):
            parse_text(text)
            documents += 1
            total += size
    return documents, total, time.perf_counter() - started


def run_bytes(blobs: list[bytes], minimum: int) -> tuple[int, int, float]:
    documents = total = 0
    started = time.perf_counter()
    while total < minimum:
        for blob in blobs:
            parse_bytes(blob, "notice.txt")
            documents += 1
            total += len(blob)
    return documents, total, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=1.0, help="megabytes of text per run (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best one counts (default 5)")
    args = parser.parse_args()

    paths = sorted(seeds_dir().glob("0*.txt"))
    if not paths:
        print(f"no seeds in {seeds_dir()} (set ZHENGGAI_CORPUS)", file=sys.stderr)
        return 2
    texts = [path.read_text(encoding="utf-8") for path in paths]
    minimum = int(args.mb * MB)
    print(
        f"{len(texts)} seeds, {sum(len(t.encode()) for t in texts) / 1000:.1f} kB, ≥ {args.mb:g} MB per run"
    )

    run(texts, minimum // 10)  # warm-up
    documents, total, seconds = min((run(texts, minimum) for _ in range(args.repeat)), key=lambda r: r[2])
    text_rate = total / MB / seconds
    print(f"parse_text:            {documents / seconds:8.0f} documents/s  {text_rate:6.2f} MB/s")

    blobs = [text.encode("gb18030") for text in texts]
    documents, total, seconds = min(
        (run_bytes(blobs, minimum) for _ in range(args.repeat)), key=lambda r: r[2]
    )
    print(f"parse_bytes (GB18030): {documents / seconds:8.0f} documents/s  {total / MB / seconds:6.2f} MB/s")

    verdict = "ok" if text_rate >= GOAL_MB_PER_S else "MISSED"
    print(f"goal ≥ {GOAL_MB_PER_S:g} MB/s on parse_text: {verdict}")
    return 0 if text_rate >= GOAL_MB_PER_S else 1


if __name__ == "__main__":
    sys.exit(main())
