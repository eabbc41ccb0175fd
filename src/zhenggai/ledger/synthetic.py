"""A province-scale synthetic ledger for benchmarks (`zhenggai generate`).

Written with bulk inserts, not through the services: it exists to measure pages and commands at scale, so it
carries no audit trail. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus, Role, UnitKind
from zhenggai.ledger.models import Finding, Inspection, Measure, Membership, Round, Unit
from zhenggai.ledger.models.units import PATH_STEP
from zhenggai.ledger.tally import rebuild_tallies

ROOT_NAME = "模拟省"
BATCH = 5000
# Status mix of a ledger some months into rectification.
STATUSES = [
    (MeasureStatus.DONE, 40),
    (MeasureStatus.IN_PROGRESS, 30),
    (MeasureStatus.PENDING_SIGNOFF, 8),
    (MeasureStatus.DRAFT, 17),
    (MeasureStatus.ONGOING, 5),
]


@dataclass
class Generated:
    units: int
    inspections: int
    findings: int
    measures: int
    users: dict[str, str]  # username → role description


def _with_paths(units: list[Unit]) -> None:
    """Units are inserted parents first; their paths follow from the ids bulk_create returned."""
    for unit in units:
        assert unit.parent is not None  # every generated unit hangs under one created before it
        unit.path = f"{unit.parent.path}{unit.pk:0{PATH_STEP - 1}d}/"
    Unit.objects.bulk_update(units, ["path"], batch_size=BATCH)


@transaction.atomic
def generate(units: int, measures: int, *, seed: int = 2026, password: str = "bench-pass-123") -> Generated:
    if Unit.objects.filter(name=ROOT_NAME).exists():
        raise ValueError(f"synthetic data already present (unit {ROOT_NAME})")
    rng = random.Random(seed)
    today = timezone.localdate()
    province = Unit.objects.create(name=ROOT_NAME, kind=UnitKind.REGION)
    cities = Unit.objects.bulk_create(
        [Unit(name=f"模拟市{i + 1:02d}", kind=UnitKind.REGION, parent=province) for i in range(10)]
    )
    _with_paths(cities)
    counties: list[Unit] = []
    for city in cities:
        counties += Unit.objects.bulk_create(
            [Unit(name=f"{city.name}第{j + 1}区", kind=UnitKind.REGION, parent=city) for j in range(10)]
        )
    _with_paths(counties)
    organs = Unit.objects.bulk_create(
        [
            Unit(name=f"{counties[i % len(counties)].name}单位{i + 1:05d}", kind=UnitKind.ORGAN, parent=counties[i % len(counties)])
            for i in range(units)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    _with_paths(organs)
    departments = Unit.objects.bulk_create(
        [
            Unit(name=f"办公室{i + 1:05d}", kind=UnitKind.DEPARTMENT, parent=organ)
            for i, organ in enumerate(organs)
        ],
        batch_size=BATCH,
    )
    _with_paths(departments)

    round_ = Round.objects.create(name="模拟第一轮巡察", organiser=province, year=today.year)
    feedback = today - dt.timedelta(days=120)
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                round=round_,
                inspector=f"{organ.parent.name if organ.parent else ''}巡察组",
                inspected_unit=organ,
                onsite_start=feedback - dt.timedelta(days=60),
                onsite_end=feedback - dt.timedelta(days=30),
                feedback_date=feedback,
            )
            for organ in organs
        ],
        batch_size=BATCH,
    )

    # Per inspection: 2 方面 × 3 问题 × 2 具体问题, the measures spread over the 12 details.
    per_inspection = max(1, measures // max(units, 1))
    aspects = Finding.objects.bulk_create(
        [
            Finding(inspection=ins, level=FindingLevel.ASPECT, position=a + 1, title=f"第{a + 1}方面")
            for ins in inspections
            for a in range(2)
        ],
        batch_size=BATCH,
    )
    problems = Finding.objects.bulk_create(
        [
            Finding(inspection_id=asp.inspection_id, parent=asp, level=FindingLevel.PROBLEM, position=p + 1,
                    title=f"关于{asp.title}第{p + 1}个问题")
            for asp in aspects
            for p in range(3)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    details = Finding.objects.bulk_create(
        [
            Finding(inspection_id=pro.inspection_id, parent=pro, level=FindingLevel.DETAIL, position=d + 1,
                    title=f"针对{pro.title}的第{d + 1}个具体问题")
            for pro in problems
            for d in range(2)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    details_by_inspection: dict[int, list[Finding]] = {}
    for detail in details:
        details_by_inspection.setdefault(detail.inspection_id, []).append(detail)
    department_of = {dep.parent_id: dep for dep in departments}
    weights = [w for _, w in STATUSES]
    rows: list[Measure] = []
    made = 0
    for ins in inspections:
        leaves = details_by_inspection[ins.pk]
        for n in range(per_inspection):
            status = rng.choices([s for s, _ in STATUSES], weights)[0]
            start = feedback + dt.timedelta(days=7)
            deadline = today + dt.timedelta(days=rng.randint(-90, 180))
            done = status == MeasureStatus.DONE
            rows.append(
                Measure(
                    inspection=ins,
                    finding=leaves[n % len(leaves)],
                    code=f"{n + 1:03d}",
                    position=n + 1,
                    text=f"模拟整改措施{n + 1}：完善制度、加强监督、压实责任",
                    kind=MeasureKind.LONG_TERM if status == MeasureStatus.ONGOING else MeasureKind.DEADLINE,
                    responsible_leader="某某",
                    lead_department=department_of[ins.inspected_unit_id],
                    responsible_person="某某",
                    start_date=start,
                    deadline=deadline,
                    original_deadline=deadline,
                    status=status,
                    progress=100 if done else rng.randint(0, 90),
                    completed_date=min(deadline, today) if done else None,
                )
            )
            if len(rows) >= BATCH:
                Measure.objects.bulk_create(rows)
                made += len(rows)
                rows = []
    Measure.objects.bulk_create(rows)
    made += len(rows)
    rebuild_tallies(today)

    users = {
        "sheng": ("省委巡视办（监督全省）", province, Role.SUPERVISOR),
        "shi01": ("模拟市01巡察办", cities[0], Role.SUPERVISOR),
        "danwei1": ("第1个单位的领导", organs[0], Role.LEADER),
        "keyuan1": ("第1个单位办公室经办人", departments[0], Role.STAFF),
    }
    for username, (label, unit, role) in users.items():
        user = User.objects.create_user(username, password=password, first_name=label)
        Membership.objects.create(user=user, unit=unit, role=role)
    return Generated(
        units=Unit.objects.count(),
        inspections=len(inspections),
        findings=len(aspects) + len(problems) + len(details),
        measures=made,
        users={u: label for u, (label, _, _) in users.items()},
    )
