"""Timed document scenarios (a script, not a test).

    .venv/bin/python benchmarks/documents.py            # every section
    .venv/bin/python benchmarks/documents.py docx       # one section

Each section prints its figure against its goal; the exit status is 1 when a goal is missed. Add a section
by writing a function that returns a `Result` and listing it in SECTIONS.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from zhenggai.notices.document import (
    Contact,
    InspectionInfo,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    OutstandingItem,
    StatedFigures,
)
from zhenggai.notices.render import render_docx

REPEAT = 5  # best of REPEAT runs, after one warm-up


@dataclass
class Result:
    name: str
    seconds: float
    goal: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.seconds <= self.goal


def best_of(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm-up: imports, template loading
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# --- docx -------------------------------------------------------------------------------------------


def large_notice(problems: int = 100, measures_per_problem: int = 3, aspects: int = 5) -> NoticeDoc:
    """A notice of `problems` problems in `aspects` 方面, each problem with its measures (no details)."""
    statuses = ("done", "done", "ongoing", "open")
    findings = []
    per_aspect = problems // aspects
    n = 0
    for a in range(aspects):
        children = []
        for _ in range(per_aspect):
            n += 1
            measures = [
                NoticeMeasure(
                    text=f"针对第{n}个问题制定第{k + 1}条整改措施，明确责任领导、责任处室和整改时限，"
                    "建立工作台账，定期调度推进，确保整改到位",
                    status=statuses[(n + k) % len(statuses)],  # type: ignore[arg-type]
                )
                for k in range(measures_per_problem)
            ]
            children.append(
                NoticeFinding(
                    level="problem",
                    title=f"第{n}个问题：制度执行不够严格、工作落实不够到位",
                    measures=measures,
                )
            )
        findings.append(NoticeFinding(level="aspect", title=f"第{a + 1}个方面的问题", children=children))
    total = problems * measures_per_problem
    return NoticeDoc(
        issuer="临江区文化旅游局",
        date="2024-09-20",
        inspection=InspectionInfo("区委巡察三组", "区文化旅游局", "2024-03-04", "2024-04-26", "2024-06-05"),
        organising_work="局党组成立整改工作领导小组，逐条制定整改措施，实行清单式管理、销号式推进。",
        stated=StatedFigures(problems=problems, measures=total, completed=total // 2, completion_rate=50),
        findings=findings,
        outstanding=[
            OutstandingItem(
                f"第{i}个问题：制度执行不够严格、工作落实不够到位", "周期较长", "继续推进", "2025-03-31"
            )
            for i in range(1, 11)
        ],
        clues="巡察组移交问题线索2件，已全部办结。",
        contact=Contact("0571-88776655", "临江区滨江路18号", "310000", "ljwlj@example.cn"),
    )


def bench_docx() -> Result:
    doc = large_notice(problems=100, measures_per_problem=3)
    size = len(render_docx(doc))
    seconds = best_of(lambda: render_docx(doc))
    return Result("render_docx: 100 problems / 300 measures", seconds, goal=1.0, detail=f"{size // 1024} KiB")


SECTIONS: dict[str, Callable[[], Result]] = {
    "docx": bench_docx,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("sections", nargs="*", help=f"sections to run: {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    failed = False
    for name in args.sections or SECTIONS:
        result = SECTIONS[name]()
        mark = "ok  " if result.ok else "SLOW"
        detail = f"  ({result.detail})" if result.detail else ""
        print(f"{mark} {result.name}: {result.seconds:.3f} s (goal ≤ {result.goal:g} s){detail}")
        failed |= not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
