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


# --- docx from ledger ---------------------------------------------------------------------------------


def _ledger_database(problems: int, measures_per_problem: int) -> int:
    """One inspection of that size, built through create_inspection, in the throwaway database (`_django`)."""
    _django()
    from django.contrib.auth.models import User

    from zhenggai.ledger import services
    from zhenggai.ledger.choices import FindingLevel, MeasureStatus
    from zhenggai.ledger.models import Measure, Unit

    admin = User.objects.create_superuser("bench-notice", password="bench-pass-123")
    unit = Unit.objects.create(name="临江区文化旅游局")
    aspects = [
        services.FindingSpec(
            FindingLevel.ASPECT,
            f"第{a + 1}个方面",
            children=[
                services.FindingSpec(
                    FindingLevel.PROBLEM,
                    f"关于第{a * 20 + p + 1}个问题：制度执行不够严格的问题",
                    measures=[
                        services.MeasureSpec(text=f"第{k + 1}条整改措施，明确责任、建立台账、定期调度")
                        for k in range(measures_per_problem)
                    ],
                )
                for p in range(problems // 5)
            ],
        )
        for a in range(5)
    ]
    inspection = services.create_inspection(
        by=admin, inspected_unit=unit, inspector="区委巡察三组", findings=aspects
    )
    ids = list(Measure.objects.filter(inspection=inspection).values_list("pk", flat=True))
    Measure.objects.filter(pk__in=ids[::2]).update(status=MeasureStatus.DONE)
    Measure.objects.filter(pk__in=ids[1::4]).update(status=MeasureStatus.IN_PROGRESS)
    return inspection.pk


def bench_docx_from_ledger() -> Result:
    inspection_id = _ledger_database(problems=100, measures_per_problem=3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenggai.notices.from_ledger import notice_from_ledger

    def build() -> bytes:
        return render_docx(notice_from_ledger(inspection_id).doc)

    with CaptureQueriesContext(connection) as queries:
        size = len(build())
    seconds = best_of(build)
    detail = f"{size // 1024} KiB, {len(queries)} queries"
    return Result("ledger → notice → docx: 100 problems / 300 measures", seconds, goal=1.0, detail=detail)


# --- xlsx: 整改台账 export and import -------------------------------------------------------------------

XLSX_MEASURES = 10_000


def _django() -> None:
    """Django on a throwaway SQLite database in a temporary data directory, set up once per process."""
    import os
    import tempfile

    from django.apps import apps

    if apps.ready:
        return
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-")
    os.environ.pop("DATABASE_URL", None)  # never a real database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _xlsx_ledger(measures: int = XLSX_MEASURES) -> tuple[int, str]:
    """(inspection id, leader's username) of a bulk-inserted ledger: 5 方面 × 100 问题 × 2 具体问题, the
    measures spread over the details, ten departments, a progress report on every other measure."""
    import datetime as dt

    _django()
    from django.contrib.auth.models import User

    from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus, Role, UnitKind
    from zhenggai.ledger.models import Finding, Inspection, Measure, Membership, ProgressReport, Unit

    unit = Unit.objects.create(name="临江区文化旅游局")
    departments = [
        Unit.objects.create(name=f"第{n + 1}业务股", kind=UnitKind.DEPARTMENT, parent=unit) for n in range(10)
    ]
    leader = User.objects.create_user(f"bench-leader-{unit.pk}", password="bench-Pass-123")
    Membership.objects.create(user=leader, unit=unit, role=Role.LEADER)
    inspection = Inspection.objects.create(
        inspector="区委巡察三组", inspected_unit=unit, feedback_date=dt.date(2024, 6, 5)
    )

    def findings(level: FindingLevel, parents: list[Finding | None], each: int, title: str) -> list[Finding]:
        rows = [
            Finding(
                inspection=inspection, parent=parent, level=level, position=k + 1, title=title.format(n=n)
            )
            for n, (parent, k) in enumerate(((p, k) for p in parents for k in range(each)), start=1)
        ]
        return Finding.objects.bulk_create(rows)

    aspects = findings(FindingLevel.ASPECT, [None], 5, "第{n}个方面的问题")
    problems = findings(
        FindingLevel.PROBLEM, list(aspects), 100, "关于第{n}个问题:制度执行不够严格、落实不到位的问题"
    )
    details = findings(FindingLevel.DETAIL, list(problems), 2, "针对第{n}个具体问题:审批手续不全的问题")
    kinds = (MeasureKind.IMMEDIATE, MeasureKind.DEADLINE, MeasureKind.DEADLINE, MeasureKind.LONG_TERM)
    statuses = (MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.ONGOING)
    rows = []
    for n in range(measures):
        kind = kinds[n % len(kinds)]
        deadline = None if kind == MeasureKind.LONG_TERM else dt.date(2025, 1, 1) + dt.timedelta(days=n % 365)
        rows.append(
            Measure(
                inspection=inspection,
                finding=details[n * len(details) // measures],
                code=f"{n + 1:05d}",
                position=n + 1,
                text=f"第{n + 1}条整改措施:明确责任领导和责任处室,建立工作台账,定期调度推进,确保整改到位",
                kind=kind,
                responsible_leader="赵某某",
                lead_department=departments[n % len(departments)],
                responsible_person="王某某",
                deadline=deadline,
                original_deadline=deadline,
                status=statuses[n % len(statuses)],  # ONGOING falls on the long-term measures
                progress=50,
            )
        )
    created = Measure.objects.bulk_create(rows, batch_size=2000)
    through = Measure.cooperating_departments.through
    through.objects.bulk_create(
        [through(measure_id=m.pk, unit_id=departments[(i + 1) % 10].pk) for i, m in enumerate(created[::3])],
        batch_size=2000,
    )
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                measure=m, reported_by=leader, text=f"已完成阶段性工作,推进第{i}项任务", progress=50
            )
            for i, m in enumerate(created[::2])
        ],
        batch_size=2000,
    )
    return inspection.pk, leader.username


def bench_xlsx_export() -> Result:
    import io

    inspection_id, _ = _xlsx_ledger()
    from zhenggai.ledger.models import Inspection
    from zhenggai.sheets.export import export_ledger

    inspection = Inspection.objects.select_related("inspected_unit").get(pk=inspection_id)
    buffer = io.BytesIO()
    export_ledger(inspection, buffer)
    seconds = best_of(lambda: export_ledger(inspection, io.BytesIO()), repeat=3)
    detail = f"{len(buffer.getvalue()) // 1024} KiB, queries included"
    return Result(f"ledger export .xlsx: {XLSX_MEASURES:,} measures", seconds, goal=3.0, detail=detail)


def bench_xlsx_import() -> Result:
    import tempfile
    from pathlib import Path

    inspection_id, username = _xlsx_ledger()
    from django.contrib.auth.models import User
    from openpyxl import load_workbook

    from zhenggai.ledger.models import Inspection
    from zhenggai.sheets.export import export_ledger
    from zhenggai.sheets.importing import import_ledger

    user = User.objects.get(username=username)
    folder = Path(tempfile.mkdtemp(prefix="zhenggai-bench-xlsx-"))
    exported = folder / "台账.xlsx"
    export_ledger(Inspection.objects.get(pk=inspection_id), exported)

    def unchanged() -> None:
        result = import_ledger(exported, inspection_id=inspection_id, by=user)
        assert result.ok, result.errors[:3]
        assert (result.rows_read, result.updated) == (XLSX_MEASURES, 0)

    seconds = best_of(unchanged, repeat=3)
    # The same file with 100 measures' 责任人 changed: those rows go through edit_measure (one run).
    workbook = load_workbook(exported)
    sheet = workbook.active
    open_rows = [r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 12).value != "已完成"][:100]
    for r in open_rows:
        sheet.cell(r, 8, "钱某某")
    edited = folder / "台账-改.xlsx"
    workbook.save(edited)
    start = time.perf_counter()
    result = import_ledger(edited, inspection_id=inspection_id, by=user)
    edits = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    assert result.updated == len(open_rows)
    detail = f"no changes; with {len(open_rows)} rows edited through edit_measure: {edits:.2f} s"
    return Result(f"ledger import .xlsx: {XLSX_MEASURES:,} rows", seconds, goal=5.0, detail=detail)


SECTIONS: dict[str, Callable[[], Result]] = {
    "docx": bench_docx,
    "xlsx-export": bench_xlsx_export,
    "xlsx-import": bench_xlsx_import,
    "docx-ledger": bench_docx_from_ledger,
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
