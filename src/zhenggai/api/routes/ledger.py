"""Units, inspections, findings, measures, progress reports and evidence."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhenggai.api.auth import caller, writer
from zhenggai.api.paging import decode, encode
from zhenggai.api.problems import ApiError
from zhenggai.api.schemas import (
    FindingOut,
    Id,
    InspectionOut,
    Limit,
    MeasureOut,
    MeasurePage,
    ReportOut,
    UnitOut,
)
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Evidence, Finding, Inspection, Measure, ProgressReport, Unit
from zhenggai.ledger.querysets import MeasureQuerySet
from zhenggai.ledger.services import UploadedEvidence, report_progress
from zhenggai.supervision.choices import Colour
from zhenggai.web.lights import colour_expression, with_lights

router = Router(tags=["台账"])
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "depth": unit.path.count("/") - 1 if unit.path else 0,
    }


def inspection_out(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "kind": inspection.kind,
        "inspector": inspection.inspector,
        "inspected_unit_id": inspection.inspected_unit_id,
        "inspected_unit_name": inspection.inspected_unit.name,
        "round_id": inspection.round_id,
        "round_name": inspection.round.name if inspection.round is not None else "",
        "onsite_start": inspection.onsite_start,
        "onsite_end": inspection.onsite_end,
        "feedback_date": inspection.feedback_date,
        "rectified_at": inspection.rectified_at,
        "version": inspection.version,
    }


MEASURE_VALUES = [
    "id",
    "inspection_id",
    "finding_id",
    "code",
    "text",
    "kind",
    "status",
    "progress",
    "responsible_leader",
    "responsible_person",
    "lead_department_id",
    "start_date",
    "deadline",
    "original_deadline",
    "completed_date",
    "last_reported_at",
    "updated_at",
    "version",
]


def measure_out(measure: Measure) -> dict[str, Any]:
    values = {name: getattr(measure, name) for name in MEASURE_VALUES}
    return values | {"status_label": measure.get_status_display()}


def report_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "measure_id": report.measure_id,
        "reported_by_id": report.reported_by_id,
        "reported_at": report.reported_at,
        "text": report.text,
        "progress": report.progress,
        "evidence": [
            {
                "id": item.pk,
                "original_name": item.original_name,
                "sha256": item.sha256,
                "size": item.size,
                "content_type": item.content_type,
                "uploaded_at": item.uploaded_at,
                "download_url": reverse("api:evidence_download", kwargs={"evidence_id": item.pk}),
            }
            for item in report.evidence.all()
        ],
    }


# --- units and inspections ------------------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], summary="单位树（按路径排序，即树的先序）")
def units(request: HttpRequest) -> list[dict[str, Any]]:
    return [unit_out(u) for u in Unit.objects.visible_to(caller(request)).order_by("path")]


@router.get("/units/{unit_id}", response=UnitOut, summary="单位")
def unit(request: HttpRequest, unit_id: Id) -> dict[str, Any]:
    return unit_out(get_object_or_404(Unit.objects.visible_to(caller(request)), pk=unit_id))


@router.get("/inspections", response=list[InspectionOut], summary="巡察列表")
def inspections(request: HttpRequest) -> list[dict[str, Any]]:
    rows = Inspection.objects.visible_to(caller(request)).select_related("inspected_unit", "round")
    return [inspection_out(i) for i in rows.order_by("-id")]


def visible_inspection(request: HttpRequest, inspection_id: Id) -> Inspection:
    rows = Inspection.objects.visible_to(caller(request)).select_related("inspected_unit", "round")
    return get_object_or_404(rows, pk=inspection_id)


@router.get("/inspections/{inspection_id}", response=InspectionOut, summary="巡察")
def inspection(request: HttpRequest, inspection_id: Id) -> dict[str, Any]:
    return inspection_out(visible_inspection(request, inspection_id))


@router.get(
    "/inspections/{inspection_id}/findings", response=list[FindingOut], summary="反馈问题（树的先序）"
)
def findings(request: HttpRequest, inspection_id: Id) -> list[Finding]:
    found = visible_inspection(request, inspection_id)
    return list(
        Finding.objects.visible_to(caller(request)).filter(inspection=found).order_by("position", "id")
    )


@router.get("/findings/{finding_id}", response=FindingOut, summary="反馈问题")
def finding(request: HttpRequest, finding_id: Id) -> Finding:
    found: Finding = get_object_or_404(Finding.objects.visible_to(caller(request)), pk=finding_id)
    return found


# --- measures -------------------------------------------------------------------------------------------


class MeasureFilters(Schema):
    inspection: Id | None = None
    status: MeasureStatus | None = None
    colour: Colour | None = None
    department: Id | None = None
    deadline_from: dt.date | None = None
    deadline_to: dt.date | None = None
    q: str | None = None
    updated_since: dt.datetime | None = None
    cursor: str | None = None
    limit: Limit = 50


@router.get("/measures", response=MeasurePage, summary="整改措施（筛选，游标翻页）")
def measures(request: HttpRequest, filters: Query[MeasureFilters]) -> HttpResponse:
    rows: MeasureQuerySet = Measure.objects.all()
    if filters.inspection is not None:
        rows = rows.filter(inspection_id=filters.inspection)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.department is not None:
        rows = rows.filter(Q(lead_department_id=filters.department))
    if filters.deadline_from:
        rows = rows.filter(deadline__gte=filters.deadline_from)
    if filters.deadline_to:
        rows = rows.filter(deadline__lte=filters.deadline_to)
    if text := (filters.q or "").strip():
        rows = rows.filter(Q(text__icontains=text) | Q(code__icontains=text))
    if filters.updated_since:
        rows = rows.filter(updated_at__gte=filters.updated_since)
    # The scope after the column filters (SQLite tests WHERE terms in order: cheap ones before the EXISTS),
    # and before today's colour, which is computed per row.
    scoped: QuerySet[Measure] = rows.listed_for(caller(request))
    if filters.colour:
        # Today's colour, as the pages compute it; signed-off measures carry none.
        scoped = with_lights(scoped.exclude(status=MeasureStatus.DONE)).annotate(
            light_colour=colour_expression()
        )
        scoped = scoped.filter(light_colour=filters.colour)
    # The hot list: plain rows straight to JSON (the same shape as MeasureOut, which documents it).
    after = decode(filters.cursor)
    found = list(scoped.filter(pk__gt=after).order_by("pk").values(*MEASURE_VALUES)[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    labels = dict(MeasureStatus.choices)
    for row in found:
        row["status_label"] = labels.get(row["status"], row["status"])
    body = {"items": found, "next_cursor": encode(found[-1]["id"]) if more and found else None}
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), content_type="application/json"
    )


def visible_measure(request: HttpRequest, measure_id: Id) -> Measure:
    rows = Measure.objects.visible_to(caller(request)).select_related("inspection__inspected_unit")
    return get_object_or_404(rows, pk=measure_id)


@router.get("/measures/{measure_id}", response=MeasureOut, summary="整改措施")
def measure(request: HttpRequest, measure_id: Id) -> dict[str, Any]:
    return measure_out(visible_measure(request, measure_id))


@router.get("/measures/{measure_id}/reports", response=list[ReportOut], summary="整改进展（含佐证材料）")
def reports(request: HttpRequest, measure_id: Id) -> list[dict[str, Any]]:
    found = visible_measure(request, measure_id)
    rows = ProgressReport.objects.filter(measure=found).prefetch_related("evidence").order_by("id")
    return [report_out(r) for r in rows]


class ReportIn(Schema):
    text: str
    progress: int


@router.post(
    "/measures/{measure_id}/reports",
    response={201: ReportOut},
    summary="报送整改进展（multipart：text、progress，可附多个 files）",
)
def add_report(
    request: HttpRequest,
    measure_id: Id,
    data: Form[ReportIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    user = writer(request)
    found = visible_measure(request, measure_id)
    uploads = [UploadedEvidence(name=f.name or "file", stream=f) for f in files or []]
    report = report_progress(by=user, measure=found, text=data.text, progress=data.progress, files=uploads)
    return Status(201, report_out(report))


@router.get(
    "/evidence/{evidence_id}",
    url_name="evidence_download",
    summary="下载佐证材料",
    response={200: None},
    openapi_extra={
        "responses": {200: {"description": "文件内容", "content": {"application/octet-stream": {}}}}
    },
)
def evidence(request: HttpRequest, evidence_id: Id) -> FileResponse:
    item = get_object_or_404(Evidence.objects.visible_to(caller(request)), pk=evidence_id)
    try:
        stream = item.file.open("rb")
    except OSError:
        raise ApiError(404, "佐证材料文件已不在存储中，请联系管理员。") from None
    response = FileResponse(
        stream,
        as_attachment=item.content_type not in INLINE_TYPES,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
