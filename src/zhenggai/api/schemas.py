"""The API's JSON shapes (ninja schemas): what clients read, and what they send."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

# Object ids as the databases store them (64-bit): a larger number is a 422, not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Field(ge=1, le=200)]


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int


class InspectionOut(Schema):
    id: int
    kind: str
    inspector: str
    inspected_unit_id: int
    inspected_unit_name: str
    round_id: int | None
    round_name: str
    onsite_start: dt.date | None
    onsite_end: dt.date | None
    feedback_date: dt.date | None
    rectified_at: dt.datetime | None
    version: int


class FindingOut(Schema):
    id: int
    inspection_id: int
    parent_id: int | None
    level: str
    position: int
    title: str
    text: str


class MeasureOut(Schema):
    id: int
    inspection_id: int
    finding_id: int
    code: str
    text: str
    kind: str
    status: str
    status_label: str
    progress: int
    responsible_leader: str
    responsible_person: str
    lead_department_id: int | None
    start_date: dt.date | None
    deadline: dt.date | None
    original_deadline: dt.date | None
    completed_date: dt.date | None
    last_reported_at: dt.datetime | None
    updated_at: dt.datetime
    version: int


class MeasurePage(Schema):
    items: list[MeasureOut]
    next_cursor: str | None


class EvidenceOut(Schema):
    id: int
    original_name: str
    sha256: str
    size: int
    content_type: str
    uploaded_at: dt.datetime
    download_url: str


class ReportOut(Schema):
    id: int
    measure_id: int
    reported_by_id: int | None
    reported_at: dt.datetime
    text: str
    progress: int
    evidence: list[EvidenceOut]


class SignOffOut(Schema):
    id: int
    measure_id: int
    requested_by_id: int | None
    requested_at: dt.datetime
    note: str
    decision: str
    outcome: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str


class ExtensionOut(Schema):
    id: int
    measure_id: int
    requested_by_id: int | None
    requested_at: dt.datetime
    reason: str
    old_deadline: dt.date | None
    new_deadline: dt.date
    decision: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str


class SignOffPage(Schema):
    items: list[SignOffOut]
    next_cursor: str | None


class ExtensionPage(Schema):
    items: list[ExtensionOut]
    next_cursor: str | None


class SignOffRequest(Schema):
    note: str = ""
    periodic_review: str = ""


class ApproveIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class ExtensionRequest(Schema):
    new_deadline: dt.date
    reason: str


class WarningOut(Schema):
    id: int
    issued_at: dt.datetime
    unit_id: int
    inspection_id: int | None
    measure_id: int | None
    department_id: int | None
    colour: str
    previous: str
    reasons: int


class SupervisionNoticeOut(Schema):
    id: int
    unit_id: int
    title: str
    content: str
    measure_ids: list[int]
    issued_at: dt.datetime
    reply_deadline: dt.date
    level: str
    status: str
    reply: str
    replied_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_note: str


class Figures(Schema):
    problems: int
    details: int
    measures: int
    done: int
    ongoing: int
    overdue: int
    completion_rate: float
    regulations_new: int
    regulations_revised: int
    done_late: int


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    sheet: str
    rows_read: int
    updated: int
    created: int
    findings_created: int
    reports: int
    unchanged: int
    skipped: int
    errors: list[str]
    notes: list[str]
    changes: list[str]
    request_id: str
    confirm_sha256: str | None = None


class ImportConfirm(Schema):
    sha256: str
    name: str = "台账.xlsx"
