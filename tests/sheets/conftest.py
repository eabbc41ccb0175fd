"""A ledger with every layout case, and helpers to export it, edit the file as a user would, and re-import."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory, UnitFactory
from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel, MeasureKind, UnitKind
from zhenggai.ledger.models import Measure, Unit
from zhenggai.sheets.columns import COLUMNS

PDF = b"%PDF-1.4\n%ledger evidence\n"
HEADERS = [column.header for column in COLUMNS]


@dataclass
class Ledger:
    """World's inspection A, laid out as a unit's real ledger:

    (no 方面) 关于财务管理不规范的问题 → 针对接待审批手续不全的问题 → measure_a
    党的建设方面 → 关于组织生活不严肃的问题 → two measures on the problem itself
                 → 关于选人用人不规范的问题 → 针对干部档案管理的问题 → two measures
                                           → 针对轮岗交流的问题 → one long-term measure without deadline
    """

    world: World
    finance: Unit  # a second department of unit A
    aspect: Any
    life: Measure  # on 关于组织生活不严肃的问题, led by the office, the finance section cooperating
    life_2: Measure
    archive: Measure  # 针对干部档案管理的问题
    archive_2: Measure
    rotation: Measure  # 长期坚持, no deadline

    @property
    def inspection(self) -> Any:
        return self.world.inspection_a

    def measures(self) -> list[Measure]:
        return [self.world.measure_a, self.life, self.life_2, self.archive, self.archive_2, self.rotation]


@pytest.fixture
def ledger(world: World) -> Ledger:
    inspection = world.inspection_a
    finance = UnitFactory(name="文旅局财务股", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    aspect = FindingFactory(
        inspection=inspection, level=FindingLevel.ASPECT, title="党的建设方面", position=2
    )
    life_problem = FindingFactory(
        inspection=inspection, parent=aspect, title="关于组织生活不严肃的问题", position=1
    )
    staffing = FindingFactory(
        inspection=inspection, parent=aspect, title="关于选人用人不规范的问题", position=2
    )
    archive_detail = FindingFactory(
        inspection=inspection,
        parent=staffing,
        level=FindingLevel.DETAIL,
        title="针对干部档案管理的问题",
        position=1,
    )
    rotation_detail = FindingFactory(
        inspection=inspection,
        parent=staffing,
        level=FindingLevel.DETAIL,
        title="针对轮岗交流的问题",
        position=2,
    )

    def measure(finding: Any, text: str, **fields: Any) -> Measure:
        defaults: dict[str, Any] = {
            "lead_department": world.dept_a,
            "responsible_leader": "赵某某",
            "responsible_person": "王某某",
            "deadline": dt.date(2030, 6, 30),
        }
        made: Measure = MeasureFactory(finding=finding, text=text, **(defaults | fields))
        return made

    life = measure(life_problem, "严格落实“三会一课”制度,建立组织生活记录台账")
    life.cooperating_departments.set([finance])
    ledger = Ledger(
        world=world,
        finance=finance,
        aspect=aspect,
        life=life,
        life_2=measure(life_problem, "每季度开展一次组织生活情况检查", kind=MeasureKind.IMMEDIATE),
        archive=measure(archive_detail, "全面清理干部人事档案,补齐缺失材料", lead_department=finance),
        archive_2=measure(archive_detail, "建立干部档案专项审核制度", deadline=dt.date(2030, 12, 31)),
        rotation=measure(rotation_detail, "健全干部轮岗交流机制", kind=MeasureKind.LONG_TERM, deadline=None),
    )
    services.report_progress(
        by=world.staff_a,
        measure=life,
        text="已制定组织生活记录台账模板",
        progress=30,
        files=[services.UploadedEvidence("组织生活台账.pdf", io.BytesIO(PDF))],
    )
    services.report_progress(by=world.staff_a, measure=life, text="台账已在各支部启用", progress=50)
    return ledger


def export(
    ledger: Ledger, directory: Path, name: str = "台账.xlsx", *, at: dt.datetime | None = None
) -> Path:
    """Export at `at`, by default a second after now: the file's 导出时间 is to the second, and an import
    refuses rows of measures changed after it (the fixture's own changes, made this second, would count)."""
    path = directory / name
    with time_machine.travel(at or timezone.now() + dt.timedelta(seconds=1), tick=at is None):
        call_command("ledger", "export", str(ledger.inspection.pk), "-o", str(path), stdout=io.StringIO())
    return path


def edit(path: Path, changes: dict[tuple[int, str], object], target: Path | None = None) -> Path:
    """Change cells as a user would in Excel: (row number, column header) → new value."""
    workbook = load_workbook(path)
    sheet = workbook.active
    columns = {cell.value: cell.column for cell in sheet[3]}
    for (row, header), value in changes.items():
        sheet.cell(row=row, column=columns[header], value=value)
    out = target or path
    workbook.save(out)
    return out


def row_of(path: Path, code: str) -> int:
    """The sheet row of the measure with this 编号."""
    sheet = load_workbook(path, read_only=True).active
    code_column = HEADERS.index("编号")
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > 3 and values[code_column] == code:
            return number
    raise AssertionError(f"no row with 编号 {code}")


def table_counts() -> dict[str, int]:
    """Row counts of every ledger table, many-to-many tables included: what “nothing written” means."""
    counts: dict[str, int] = {}
    for model in apps.get_app_config("ledger").get_models(include_auto_created=True):
        counts[model._meta.db_table] = model._default_manager.count()
    return counts


def measure_state() -> dict[str, dict[str, Any]]:
    """Every measure's fields (and cooperating departments), by code."""
    names = [f.attname for f in Measure._meta.concrete_fields if f.attname not in ("updated_at",)]
    state: dict[str, dict[str, Any]] = {}
    for measure in Measure.objects.prefetch_related("cooperating_departments"):
        fields = {name: getattr(measure, name) for name in names}
        fields["cooperating"] = sorted(u.pk for u in measure.cooperating_departments.all())
        state[measure.code] = fields
    return state


Importer = Callable[..., tuple[str, Any]]


def summary(out: str) -> dict[str, int]:
    """The import's summary table (读取行数, 更新措施, …) as printed, label → number."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^  (\S+)\s+(\d+)$", out, re.MULTILINE)}


@pytest.fixture
def run_import() -> Importer:
    """run_import(path, inspection, username, "--dry-run") → (stdout, CommandError or None)."""
    from django.core.management.base import CommandError

    def run(path: Path, inspection: models.Model, username: str, *extra: str) -> tuple[str, Any]:
        out = io.StringIO()
        try:
            call_command(
                "ledger",
                "import",
                str(path),
                "--inspection",
                str(inspection.pk),
                "--by",
                username,
                *extra,
                stdout=out,
            )
        except CommandError as exc:
            return out.getvalue(), exc
        return out.getvalue(), None

    return run
