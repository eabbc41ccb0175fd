"""Fuzz the notice parser with mutated notices (a script, not a test).

    .venv/bin/python benchmarks/fuzz_parse.py --cases 100000 --jobs 2
    .venv/bin/python benchmarks/fuzz_parse.py --replay 4711 --seed 1   # one case again, with its traceback

The notices mutated are the real seeds (../shared/seeds or $ZHENGGAI_CORPUS, as tests/notices/conftest.py finds
them) when present, and always the repository's own sample notices as our renderers print them (plain text
and HTML). Each case applies one to four mutations: lines deleted, duplicated, shuffled or joined; full- and
half-width punctuation swapped; random characters or bytes; a 10 KB–1 MB line of hostile filler; 1,000-deep
numbering; a heading repeated thousands of times; section 四 items by the thousand; truncation. It is parsed
with `parse_text`, or as bytes with `parse_bytes` (UTF-8, GBK, GB18030, HTML, damaged bytes).

A crash is any exception other than `NoticeReadError` (or a case running over --timeout seconds); each is
printed with the case number that replays it. Then the slowest input (size, ms, ms per 10 KB) and the least-
squares slope of time against size (ms per 10 KB) with the exponent of a log-log fit (1.0 is linear). Times
are CPU times of the worker (on a shared machine, waiting for a core is not the parser's cost). Exit
status 1 on a crash, or when the slope or the slowest large input misses 10 ms per 10 KB.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the sample notices live in tests/notices

from zhenggai.notices import NoticeReadError, parse_bytes, parse_text  # noqa: E402

GOAL_MS_PER_10KB = 10.0
TEN_KB = 10_000
LARGE = 100_000  # inputs from this size on are held to the goal one by one (below, fixed costs dominate)


def corpus_dir() -> Path:
    configured = os.environ.get("ZHENGGAI_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "seeds"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def base_notices() -> tuple[list[tuple[str, str]], list[tuple[str, bytes]]]:
    """(name, text) of the notices to mutate, and (name, html bytes) of the rendered ones."""
    from tests.notices.notice_samples import linjiang_notice, notice_without_aspects

    from zhenggai.notices.render import build_blocks, render_html

    texts: list[tuple[str, str]] = []
    seeds = corpus_dir()
    if seeds.is_dir():
        for path in sorted(seeds.glob("0*.txt")):
            texts.append((path.name, _decode(path.read_bytes())))
    pages: list[tuple[str, bytes]] = []
    for name, doc in (("linjiang", linjiang_notice()), ("no-aspects", notice_without_aspects())):
        texts.append((f"rendered:{name}", "\n".join(block.plain for block in build_blocks(doc))))
        pages.append((f"rendered:{name}.html", render_html(doc).encode("utf-8")))
    return texts, pages


# --- mutations ---------------------------------------------------------------------------------------------

_SWAP = str.maketrans("（）：，；。！？“”、1234567890", '():,;.!?""，１２３４５６７８９０')
_UNSWAP = str.maketrans("():,;!?１２３４５６７８９０", "（）：，；！？1234567890")
FILLERS = (
    "*",
    "，",
    ",",
    " ",
    "\u3000",
    "1",
    "一",
    "“",
    "”",
    '"',
    "(",
    "（已完成）",
    "关于“",
    "针对“",
    "方面",
    "问题",
    "一是",
    "①",
    "1.",
    "(一)",
    "电话 ",
    "a",
    "a@",
    "。",
    "年月日",
    "**年*月*日至",
    "巡察组",
    "字号 ",
    "大 ",
    "发布时间：",
    "\u200b",
    "整改情况：",
)
HEADINGS = (
    "一、“学习”方面",
    "关于“甲”的问题",
    "针对“乙”的问题",
    "（一）“丙”方面存在的问题",
    "1.关于落实不到位的问题",
    "“丁”问题",
    "二、巡察反馈问题的整改情况",
    "四、需要进一步整改的事项",
    "整改情况：",
    "(已完成)",
)
FRAGMENTS = (
    *HEADINGS,
    "一是",
    "二是",
    "①",
    "②",
    "整改时限：2025年3月1日",
    "未完成整改原因：",
    "下一步整改措施：",
    "下一步，",
    "联系电话：0000-1234567",
    "电子邮箱：a@b.c",
    "根据县委统一部署，2024年1月4日至2月2日，县委巡察一组对县某局开展了巡察，并于3月18日反馈了巡察意见。",
    "3个方面6项共11个问题，整改措施14条，已完成13条，整改完成率92.9%",
    "二〇二四年九月十九日",
    "来源：",
    "【责任编辑：某】",
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def delete_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, max(1, len(lines) // 3))):
        if lines:
            del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    times = rng.choice((2, 10, 100, 1000))
    lines[index:index] = [lines[index]] * times
    return "\n".join(lines)


def shuffle_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    window = lines[start : start + rng.randint(2, 40)]
    rng.shuffle(window)
    lines[start : start + len(window)] = window
    if rng.random() < 0.1:
        rng.shuffle(lines)
    return "\n".join(lines)


def join_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    end = start + rng.randint(2, 200)
    lines[start:end] = ["".join(lines[start:end])]
    return "\n".join(lines)


def swap_punctuation(rng: random.Random, text: str) -> str:
    table = _SWAP if rng.random() < 0.5 else _UNSWAP
    if rng.random() < 0.5:
        return text.translate(table)
    chars = list(text)
    for _ in range(rng.randint(1, 50)):
        i = rng.randrange(len(chars))
        chars[i] = chars[i].translate(table)
    return "".join(chars)


def random_chars(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 30)):
        kind = rng.random()
        if kind < 0.4:
            ch = chr(rng.randint(0, 0x2FFF))
        elif kind < 0.8:
            ch = chr(rng.randint(0x3000, 0xFFFF))
        else:
            ch = chr(rng.randint(0x10000, 0x10FFFF))
        if 0xD800 <= ord(ch) <= 0xDFFF:
            ch = "\ufffd"
        chars.insert(rng.randrange(len(chars) + 1), ch)
    return "".join(chars)


def long_line(rng: random.Random, text: str) -> str:
    """A line of 10 KB to 1 MB (log-uniform) of one or two hostile fillers."""
    size = int(10 ** rng.uniform(4, 6))
    units = [rng.choice(FILLERS) for _ in range(rng.choice((1, 1, 2, 3)))]
    unit = "".join(units)
    line = (rng.choice(FRAGMENTS) if rng.random() < 0.5 else "") + unit * max(
        1, size // len(unit.encode("utf-8"))
    )
    lines = _lines(text)
    index = rng.randrange(len(lines) + 1)
    if rng.random() < 0.3 and lines:  # glued to an existing line (an opening, a heading, a contact line)
        index = min(index, len(lines) - 1)
        lines[index] += line
    else:
        lines.insert(index, line)
    return "\n".join(lines)


def deep_numbering(rng: random.Random, text: str) -> str:
    """1,000 levels of numbering: on one line, or one line per level."""
    cn = "一二三四五六七八九十"
    marks = [
        lambda i: f"{cn[i % 10]}、",
        lambda i: f"（{cn[i % 10]}）",
        lambda i: f"{i % 99 + 1}.",
        lambda i: f"（{i % 99 + 1}）",
        lambda i: "①②③④⑤⑥⑦⑧⑨⑩"[i % 10],
        lambda i: ".".join(["1"] * (i % 50 + 1)) + ".",
    ]
    depth = rng.choice((100, 1000))
    numbers = [rng.choice(marks)(i) for i in range(depth)]
    tail = rng.choice(("关于“甲”的问题", "针对“乙”的问题", "“丙”方面", "一是整改。", ""))
    lines = _lines(text)
    index = rng.randrange(len(lines) + 1)
    if rng.random() < 0.5:
        lines.insert(index, "".join(numbers) + tail)
    else:
        lines[index:index] = [number + tail for number in numbers]
    return "\n".join(lines)


def repeated_headings(rng: random.Random, text: str) -> str:
    heading = rng.choice(HEADINGS)
    times = rng.choice((100, 1200, 5000))
    block = ("" if rng.random() < 0.5 else "\n").join([heading] * times)
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), block)
    return "\n".join(lines)


def many_outstanding(rng: random.Random, text: str) -> str:
    """Section 二 with many problems, section 四 with as many items naming them."""
    n = rng.choice((100, 1000, 3000))
    titles = [f"问题{i}落实不到位" for i in range(n)]
    body = ["二、整改情况", *(f"关于“{t}”的问题\n整改情况：一是整改。" for t in titles)]
    items = ["四、需要进一步整改的事项", *(f"{i % 99 + 1}.“{rng.choice(titles)}”问题" for i in range(n))]
    return text + "\n" + "\n".join(body + items)


def insert_fragments(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 20)):
        index = rng.randrange(len(lines) + 1)
        if rng.random() < 0.5 and index < len(lines):
            cut = rng.randrange(len(lines[index]) + 1)
            lines[index] = lines[index][:cut] + rng.choice(FRAGMENTS) + lines[index][cut:]
        else:
            lines.insert(index, rng.choice(FRAGMENTS))
    return "\n".join(lines)


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


Mutation = Callable[[random.Random, str], str]
MUTATIONS: tuple[tuple[Mutation, float], ...] = (
    (delete_lines, 10),
    (duplicate_lines, 8),
    (shuffle_lines, 8),
    (join_lines, 6),
    (swap_punctuation, 10),
    (random_chars, 10),
    (insert_fragments, 10),
    (truncate, 6),
    (long_line, 2.5),
    (deep_numbering, 2),
    (repeated_headings, 2),
    (many_outstanding, 0.5),
)


# --- cases ---------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: int
    size: int  # bytes: the UTF-8 size of a text, the length of bytes
    ms: float
    how: str  # what was done, for the report
    error: str = ""  # the crash, empty when none


BASES: tuple[list[tuple[str, str]], list[tuple[str, bytes]]] | None = None


def _bases() -> tuple[list[tuple[str, str]], list[tuple[str, bytes]]]:
    global BASES
    if BASES is None:
        BASES = base_notices()
    return BASES


def make_case(seed: int, case: int) -> tuple[str, str | bytes, str]:
    """(description, input, filename): a text for parse_text when filename is empty, else bytes."""
    rng = random.Random(f"{seed}:{case}")
    texts, pages = _bases()
    if rng.random() < 0.05:
        name, page = rng.choice(pages)
        data = bytearray(page)
        for _ in range(rng.randint(0, 20)):
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        return f"{name} +bytes", bytes(data), "notice.html"
    name, text = rng.choice(texts)
    done = []
    for mutation in rng.choices(MUTATIONS_ONLY, weights=WEIGHTS, k=rng.choice((1, 1, 2, 3, 4))):
        text = mutation(rng, text) if text else text
        done.append(mutation.__name__)
    how = f"{name} {'+'.join(done)}"
    delivery = rng.random()
    if delivery < 0.75:
        return how, text, ""
    if delivery < 0.83:
        return how + " gbk", text.encode("gbk", "replace"), "notice.txt"
    if delivery < 0.88:
        return how + " gb18030", text.encode("gb18030"), "notice.txt"
    if delivery < 0.93:
        markup = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</body></html>"
        return how + " html", markup.encode("utf-8"), "notice.html"
    data = bytearray(text.encode(rng.choice(("utf-8", "gb18030"))))
    for _ in range(rng.randint(1, 20)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.5:
        data = data[: rng.randrange(len(data) + 1)]
    return how + " damaged-bytes", bytes(data), "notice.txt"


MUTATIONS_ONLY = tuple(m for m, _ in MUTATIONS)
WEIGHTS = tuple(w for _, w in MUTATIONS)


SEED = 1  # of the run, for retime


class CaseTimeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout


def run_case(seed: int, case: int, timeout: float) -> Outcome:
    how, given, filename = make_case(seed, case)
    size = len(given.encode("utf-8")) if isinstance(given, str) else len(given)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.process_time()
    error = ""
    try:
        if isinstance(given, str):
            parse_text(given)
        else:
            parse_bytes(given, filename)
    except NoticeReadError:
        pass
    except CaseTimeout:
        error = f"timeout: still running after {timeout:g} s"
    except Exception as exc:  # a crash is what we are looking for
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return Outcome(case, size, (time.process_time() - started) * 1000, how, error)


def _run_chunk(args: tuple[int, list[int], float]) -> list[Outcome]:
    seed, cases, timeout = args
    return [run_case(seed, case, timeout) for case in cases]


def run(seed: int, cases: int, jobs: int, timeout: float, progress: bool) -> list[Outcome]:
    chunk = 200
    chunks = [(seed, list(range(i, min(i + chunk, cases))), timeout) for i in range(0, cases, chunk)]
    outcomes: list[Outcome] = []
    started = time.monotonic()
    results: Iterable[list[Outcome]]
    if jobs == 1:
        results = map(_run_chunk, chunks)
    else:
        pool = multiprocessing.get_context("fork").Pool(jobs)
        results = pool.imap_unordered(_run_chunk, chunks)
    for done in results:
        outcomes.extend(done)
        if progress:
            elapsed = time.monotonic() - started
            crashes = sum(1 for o in outcomes if o.error)
            print(
                f"\r{len(outcomes):>7}/{cases} cases, {crashes} crashes, {elapsed:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
    if progress:
        print(file=sys.stderr)
    return outcomes


# --- report --------------------------------------------------------------------------------------------------


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b·x: (a, b)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    b = sxy / sxx if sxx else 0.0
    return mean_y - b * mean_x, b


def retime(outcomes: list[Outcome], top: int = 10, runs: int = 5) -> None:
    """Time the slowest inputs (overall and per byte) again, best of `runs`: the machine is shared, and one
    slow run is as often another process as the parser."""
    by_ms = sorted(outcomes, key=lambda o: o.ms, reverse=True)[:top]
    large = [o for o in outcomes if o.size >= LARGE]
    by_rate = sorted(large, key=lambda o: o.ms / o.size, reverse=True)[:top]
    for outcome in {id(o): o for o in by_ms + by_rate if not o.error}.values():
        best = min(run_case(SEED, outcome.case, 600).ms for _ in range(runs))
        outcome.ms = min(outcome.ms, best)


def report(outcomes: list[Outcome], seed: int, elapsed: float, jobs: int) -> int:
    crashes = [o for o in outcomes if o.error]
    total_mb = sum(o.size for o in outcomes) / 1e6
    print(
        f"cases: {len(outcomes)}  seed: {seed}  jobs: {jobs}  time: {elapsed:.0f} s  input: {total_mb:.0f} MB"
    )
    print(f"crashes: {len(crashes)}")
    print("(the slowest inputs below are timed again, best of 5)")
    for o in crashes[:20]:
        print(f"  case {o.case} ({o.how}, {o.size} bytes): {o.error}")
        print(f"    replay: benchmarks/fuzz_parse.py --seed {seed} --replay {o.case}")
    ok = not crashes
    retime(outcomes)
    slowest = max(outcomes, key=lambda o: o.ms)
    print(
        f"slowest input: case {slowest.case} ({slowest.how}), {slowest.size / 1000:.1f} KB, {slowest.ms:.1f} ms, "
        f"{slowest.ms / max(slowest.size, 1) * TEN_KB:.2f} ms per 10 KB"
    )
    large = [o for o in outcomes if o.size >= LARGE]
    if large:
        worst = max(large, key=lambda o: o.ms / o.size)
        rate = worst.ms / worst.size * TEN_KB
        ok = ok and rate <= GOAL_MS_PER_10KB
        print(
            f"slowest per byte (inputs ≥ 100 KB): case {worst.case} ({worst.how}), {worst.size / 1000:.1f} KB, "
            f"{worst.ms:.1f} ms, {rate:.2f} ms per 10 KB"
        )
    intercept, per_10kb = slope([(o.size / TEN_KB, o.ms) for o in outcomes])
    ok = ok and per_10kb <= GOAL_MS_PER_10KB
    print(f"slope of time against size (least squares): {per_10kb:.2f} ms per 10 KB (+ {intercept:.2f} ms)")
    logs = [(math.log(o.size), math.log(o.ms)) for o in outcomes if o.size >= TEN_KB and o.ms > 0]
    if len(logs) > 2:
        _, exponent = slope(logs)
        print(f"exponent of time against size (log-log fit, inputs ≥ 10 KB): {exponent:.2f} (1.00 is linear)")
    sizes = sorted(outcomes, key=lambda o: o.size)
    median = sizes[len(sizes) // 2]
    print(f"median input: {median.size / 1000:.1f} KB; largest: {sizes[-1].size / 1e6:.2f} MB")
    print(f"goal: 0 crashes, ≤ {GOAL_MS_PER_10KB:g} ms per 10 KB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def replay(seed: int, case: int) -> int:
    how, given, filename = make_case(seed, case)
    print(f"case {case}: {how}, {len(given)} {'characters' if isinstance(given, str) else 'bytes'}")
    started = time.perf_counter()
    try:
        if isinstance(given, str):
            parse_text(given)
        else:
            parse_bytes(given, filename)
    except NoticeReadError as exc:
        print(f"refused: {exc}")
    except Exception:
        traceback.print_exc()
        return 1
    print(f"parsed in {(time.perf_counter() - started) * 1000:.1f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000, help="number of cases (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the run (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a case counts as a hang")
    parser.add_argument(
        "--replay", type=int, metavar="CASE", help="run one case again and show its traceback"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args()
    if args.replay is not None:
        return replay(args.seed, args.replay)
    global SEED
    SEED = args.seed
    _bases()
    started = time.monotonic()
    outcomes = run(args.seed, args.cases, args.jobs, args.timeout, progress=not args.quiet)
    return report(outcomes, args.seed, time.monotonic() - started, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
