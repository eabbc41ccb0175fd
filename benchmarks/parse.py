"""Parser throughput on the real notices (a script, not a test).

    .venv/bin/python benchmarks/parse.py                 # seeds from ../shared/seeds or $ZHENGGAI_CORPUS
    .venv/bin/python benchmarks/parse.py --mb 4          # at least 4 MB of text per run
    .venv/bin/python benchmarks/parse.py --sandbox       # also: overhead of parsing in a child process

The seeds are parsed in turn until at least --mb megabytes of UTF-8 text have gone through `parse_text`, on
one core, best of --repeat runs after a warm-up. `parse_bytes` is timed on the same notices encoded in GB18030
(so the UTF-8 attempt fails first, the slower path). A generated large notice (--large MB) shows that the time
is linear in the input.

The machine is shared: wall-clock time counts the time other processes hold the core, so the goals (≥ 20 MB/s
text, ≥ 10 MB/s GB18030) are judged on the CPU time of this process (time.process_time); both are printed.
Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from zhenggai.notices import parse_bytes, parse_text

GOAL_TEXT_MB_PER_S = 20.0
GOAL_BYTES_MB_PER_S = 10.0
SANDBOX_GOAL_MS = 50.0
MB = 1_000_000


def seeds_dir() -> Path:
    configured = os.environ.get("ZHENGGAI_CORPUS")
    return Path(configured) if configured else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


class Run(NamedTuple):
    documents: int
    total: int  # bytes
    cpu: float  # seconds of CPU time of this process
    wall: float  # seconds of wall-clock time


def run(texts: list[str], minimum: int) -> Run:
    """One pass over at least `minimum` bytes of UTF-8 text."""
    sizes = [len(text.encode("utf-8")) for text in texts]
    documents = total = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while total < minimum:
        for text, size in zip(texts, sizes, strict=True):
            parse_text(text)
            documents += 1
            total += size
    return Run(documents, total, time.process_time() - cpu, time.perf_counter() - wall)


def run_bytes(blobs: list[bytes], minimum: int) -> Run:
    documents = total = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while total < minimum:
        for blob in blobs:
            parse_bytes(blob, "notice.txt")
            documents += 1
            total += len(blob)
    return Run(documents, total, time.process_time() - cpu, time.perf_counter() - wall)


def best(runs: list[Run]) -> Run:
    """The run with the least CPU time, and the least wall-clock time of all runs beside it."""
    fastest = min(runs, key=lambda r: r.cpu)
    return fastest._replace(wall=min(r.wall for r in runs))


def report(label: str, result: Run) -> float:
    """Print one line; return MB/s on CPU time."""
    rate = result.total / MB / result.cpu
    print(
        f"{label:<24}{result.documents / result.cpu:8.0f} documents/s  {rate:6.2f} MB/s CPU"
        f"   ({result.total / MB / result.wall:6.2f} MB/s wall-clock)"
    )
    return rate


def large_notice(seed: str, megabytes: float) -> str:
    """A notice of about `megabytes` MB: the findings of `seed` repeated under new problem titles."""
    lines = seed.splitlines()
    start = next((i for i, line in enumerate(lines) if "关于“" in line), 0)
    end = next(
        (i for i in range(len(lines) - 1, start, -1) if lines[i].lstrip().startswith(("三、", "四、"))),
        len(lines),
    )
    head, body, tail = lines[:start], lines[start:end], lines[end:]
    size = len(seed.encode())
    parts = list(head)
    n = 0
    while sum(len(line) * 3 for line in parts) < megabytes * MB - size:
        n += 1
        parts.extend(line.replace("关于“", f"关于“第{n}批") for line in body)
    parts.extend(tail)
    return "\n".join(parts)


def linearity(seed: str, megabytes: float) -> bool:
    """CPU time per MB on a large generated notice and on one twice its size; True when about the same."""
    print(f"generated notices from the largest seed ({megabytes:g} MB and {2 * megabytes:g} MB):")
    rates = []
    for size in (megabytes, 2 * megabytes):
        text = large_notice(seed, size)
        total = len(text.encode())
        seconds = math.inf
        for _ in range(3):  # best of three: a burst of other work on the shared core is not the parser's cost
            cpu = time.process_time()
            doc = parse_text(text)
            seconds = min(seconds, time.process_time() - cpu)
        rates.append(total / MB / seconds)
        print(
            f"  {total / MB:5.1f} MB, {len(doc.findings):>6} findings: {seconds:6.2f} s CPU  {rates[-1]:6.2f} MB/s"
        )
    linear = rates[1] >= 0.75 * rates[0]
    print(f"linear in the input (twice the text, at most 4/3 the time per MB): {'✓' if linear else '✗'}")
    return linear


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=1.0, help="megabytes of text per run (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best one counts (default 5)")
    parser.add_argument(
        "--large",
        type=float,
        default=2.0,
        help="size in MB of the generated large notice (default 2; 0: none)",
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="also time the child-process parse of uploads (goal < 50 ms)"
    )
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

    print(
        "the machine is shared: goals are judged on CPU time (time.process_time), wall-clock shown beside it"
    )

    run(texts, minimum // 10)  # warm-up
    text_rate = report("parse_text:", best([run(texts, minimum) for _ in range(args.repeat)]))
    blobs = [text.encode("gb18030") for text in texts]
    bytes_rate = report(
        "parse_bytes (GB18030):", best([run_bytes(blobs, minimum) for _ in range(args.repeat)])
    )

    ok = True
    for label, rate, goal in (
        ("parse_text", text_rate, GOAL_TEXT_MB_PER_S),
        ("parse_bytes (GB18030)", bytes_rate, GOAL_BYTES_MB_PER_S),
    ):
        met = rate >= goal
        ok = ok and met
        print(f"{'✓' if met else '✗'} goal ≥ {goal:g} MB/s (CPU time) on {label}: {rate:.2f} MB/s")
    if args.large > 0:
        ok = linearity(max(texts, key=len), args.large) and ok
    sandbox_ok = sandbox(texts) if args.sandbox else True
    return 0 if ok and sandbox_ok else 1


def _overhead(label: str, direct: Callable[[], object], isolated: Callable[[], object], rounds: int) -> float:
    """Median extra milliseconds of `isolated` over `direct`, both warmed up, interleaved."""
    direct()
    isolated()
    extra = []
    for _ in range(rounds):
        started = time.perf_counter()
        direct()
        middle = time.perf_counter()
        isolated()
        extra.append((time.perf_counter() - middle) - (middle - started))
    extra.sort()
    median, p95 = extra[len(extra) // 2] * 1000, extra[int(len(extra) * 0.95)] * 1000
    print(f"  {label:<34} overhead median {median:6.1f} ms   p95 {p95:6.1f} ms")
    return p95


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ledger(rows: int) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, ["序号", "问题", "具体问题", "整改措施", "责任处室", "整改时限", "完成情况"])
    for n in range(1, rows + 1):
        sheet.write_row(
            n, 0, [n, f"关于问题{n // 10}", f"针对{n // 3}", f"措施{n}" * 8, "办公室", "2025-06-30", "整改中"]
        )
    book.close()
    return buffer.getvalue()


def sandbox(texts: list[str], rounds: int = 40) -> bool:
    """Uploads are parsed in a forked child (zhenggai.untrusted); print what that costs per file."""
    from zhenggai.notices.sandboxed import parse_untrusted
    from zhenggai.sheets.read import _read_table, read_ledger

    print("child-process parse of uploads (zip check + fork + limits + result through a pipe):")
    worst = 0.0
    text = max(texts, key=len).encode("gb18030")
    worst = max(
        worst,
        _overhead(
            "notice .txt (largest seed)",
            lambda: parse_bytes(text, "n.txt"),
            lambda: parse_untrusted(text, "n.txt"),
            rounds,
        ),
    )
    document = _docx(max(texts, key=len))
    worst = max(
        worst,
        _overhead(
            "notice .docx (largest seed)",
            lambda: parse_bytes(document, "n.docx"),
            lambda: parse_untrusted(document, "n.docx"),
            rounds,
        ),
    )
    for rows in (100, 2000):
        book = _ledger(rows)
        worst = max(
            worst,
            _overhead(
                f"ledger .xlsx, {rows} rows",
                lambda: _read_table(book, "l.xlsx"),  # noqa: B023
                lambda: read_ledger(io.BytesIO(book), "l.xlsx"),  # noqa: B023
                rounds,
            ),
        )
    verdict = "ok" if worst < SANDBOX_GOAL_MS else "MISSED"
    print(f"goal: overhead < {SANDBOX_GOAL_MS:g} ms per file (p95): {verdict}")
    return worst < SANDBOX_GOAL_MS


if __name__ == "__main__":
    sys.exit(main())
