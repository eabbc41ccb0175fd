"""Read the rows the signals need from the database: one query per table, values only."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhenggai.evaluation.models import EvidenceImageHash
from zhenggai.evaluation.signals.imagehash import IMAGE_EXTENSIONS, dhash
from zhenggai.evaluation.signals.scan import (
    EvidenceRow,
    LedgerData,
    MeasureRow,
    NoticeRow,
    ReportRow,
    SignOffRow,
)
from zhenggai.ledger.choices import Decision
from zhenggai.ledger.models import Evidence, Measure, ProgressReport, Regulation, SignOff
from zhenggai.notices.models import Notice


def _is_image(name: str, content_type: str) -> bool:
    return content_type.startswith("image/") or name.lower().endswith(IMAGE_EXTENSIONS)


def hash_images(evidence: QuerySet[Evidence]) -> int:
    """Compute and keep the dHash of the evidence not hashed yet (once per file; "" for a file that is not an
    image); returns how many were looked at."""
    todo = evidence.filter(image_hash__isnull=True).only("id", "file", "original_name", "content_type")
    rows = []
    for e in todo:
        if not _is_image(e.original_name, e.content_type):
            rows.append(EvidenceImageHash(evidence=e, dhash=""))
            continue
        try:
            with e.file.open("rb") as source:
                value = dhash(source)
        except OSError:  # the file is missing from storage: no hash, the SHA-256 check still applies
            value = None
        rows.append(EvidenceImageHash(evidence=e, dhash="" if value is None else f"{value:016x}"))
    EvidenceImageHash.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def load(measures: QuerySet[Measure]) -> LedgerData:
    """The signals' rows for the measures of `measures` (already scoped by the caller: `visible_to(user)`)."""
    local = timezone.get_current_timezone()
    rows = [
        MeasureRow(
            id=pk,
            code=code,
            text=text,
            unit_id=unit_id,
            unit_name=unit_name,
            inspection_id=inspection_id,
            kind=kind,
            status=status,
            deadline=deadline,
            created_on=created_at.astimezone(local).date(),
            completed_date=completed_date,
        )
        for pk, code, text, unit_id, unit_name, inspection_id, kind, status, deadline, created_at, completed_date in (
            measures.order_by("id").values_list(
                "id",
                "code",
                "text",
                "inspection__inspected_unit_id",
                Coalesce("inspection__inspected_unit__short_name", "inspection__inspected_unit__name"),
                "inspection_id",
                "kind",
                "status",
                "deadline",
                "created_at",
                "completed_date",
            )
        )
    ]
    ids = measures.values("id")
    hash_images(Evidence.objects.filter(measure__in=ids))
    inspections = measures.values("inspection_id")
    regulations: dict[int, list[Any]] = defaultdict(list)
    for inspection_id, issued_on in Regulation.objects.filter(inspection__in=inspections).values_list(
        "inspection_id", "issued_on"
    ):
        regulations[inspection_id].append(issued_on)
    return LedgerData(
        measures=rows,
        reports=[
            ReportRow(measure_id, reported_at.astimezone(local), progress, text)
            for measure_id, reported_at, progress, text in ProgressReport.objects.filter(measure__in=ids)
            .order_by("measure_id", "reported_at", "id")
            .values_list("measure_id", "reported_at", "progress", "text")
        ],
        evidence=[
            EvidenceRow(measure_id, sha, name, int(dhash, 16) if dhash else None)
            for measure_id, sha, name, dhash in Evidence.objects.filter(measure__in=ids).values_list(
                "measure_id", "sha256", "original_name", "image_hash__dhash"
            )
        ],
        signoffs=[
            SignOffRow(
                measure_id,
                requested_at.astimezone(local),
                reviewed_at.astimezone(local).date()
                if decision == Decision.APPROVED and reviewed_at
                else None,
            )
            for measure_id, requested_at, decision, reviewed_at in SignOff.objects.filter(measure__in=ids)
            .exclude(decision=Decision.WITHDRAWN)
            .values_list("measure_id", "requested_at", "decision", "reviewed_at")
        ],
        notices=[
            NoticeRow(*row)
            for row in Notice.objects.filter(inspection__in=inspections).values_list(
                "id", "inspection_id", "title", "notice_date", "figures"
            )
        ],
        regulations=dict(regulations),
    )
