"""Carrying out an import plan through the ledger's services, all inside one transaction.

Every change is a service call (permission, lifecycle, one audit event each). A service that still refuses a
row (a name too long, a race with another user) becomes a row error, and then nothing at all is kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.errors import DomainError, InvalidInput
from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import Finding, Inspection, Measure
from zhenggai.ledger.services.hooks import assignments_gathered
from zhenggai.sheets.plan import Plan

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Service field names → sheet column keys, to place a service's refusal in the right cell.
_FIELD_COLUMNS = {
    "text": "text",
    "responsible_leader": "leader",
    "responsible_person": "person",
    "lead_department": "department",
    "cooperating_departments": "department",
    "kind": "kind",
    "deadline": "deadline",
    "code": "code",
    "findings": "problem",
    "parent": "problem",
    "finding": "problem",
}


@dataclass
class Outcome:
    updated: int = 0
    created: int = 0
    findings_created: int = 0
    reports: int = 0
    errors: list[str] = field(default_factory=list)
    request_id: str = ""


class _Rollback(Exception):
    pass


def apply_plan(plan: Plan, inspection: Inspection, by: User, *, dry_run: bool = False) -> Outcome:
    """Apply in one transaction; roll everything back on any error, or always when `dry_run`."""
    outcome = Outcome(request_id=f"ledger-import-{uuid.uuid4().hex[:12]}")
    token = current_request_id.set(outcome.request_id)  # the import's audit events share one request id
    try:
        with transaction.atomic():
            with assignments_gathered():  # one "assigned to your department" message per department
                _apply(plan, inspection, by, outcome)
            if outcome.errors:
                raise _Rollback
            if dry_run:
                transaction.set_rollback(True)
    except _Rollback:
        pass
    finally:
        current_request_id.reset(token)
    return outcome


def _apply(plan: Plan, inspection: Inspection, by: User, outcome: Outcome) -> None:
    findings = _Findings()
    first_row = {create.finding: create.row for create in reversed(plan.creates)}
    for node in plan.tree.planned:  # parents are planned before their children
        try:
            findings.created[node.id] = services.add_finding(
                by=by,
                inspection=inspection,
                level=FindingLevel(node.level),
                title=node.title,
                parent=None if node.parent is None else findings.get(node.parent),
            )
            outcome.findings_created += 1
        except DomainError as exc:
            _error(plan, outcome, first_row.get(node.id), exc)
            return
    for create in plan.creates:
        try:
            measure = services.add_measure(by=by, finding=findings.get(create.finding), spec=create.spec)
            outcome.created += 1
            if create.report:
                services.report_progress(
                    by=by, measure=measure, text=create.report, progress=measure.progress
                )
                outcome.reports += 1
        except DomainError as exc:
            _error(plan, outcome, create.row, exc)
    for update in plan.updates:
        measure = Measure(pk=update.measure_id)
        try:
            if update.changes:
                services.edit_measure(
                    by=by, measure=measure, expected_version=update.version, **update.changes
                )
            if update.report:
                services.report_progress(by=by, measure=measure, text=update.report, progress=update.progress)
                outcome.reports += 1
            outcome.updated += 1
        except DomainError as exc:
            _error(plan, outcome, update.row, exc)


class _Findings:
    """Findings by plan id: created ones (negative ids) as returned, existing ones loaded once each."""

    def __init__(self) -> None:
        self.created: dict[int, Finding] = {}

    def get(self, pk: int) -> Finding:
        if pk not in self.created:
            self.created[pk] = Finding.objects.select_related("inspection__inspected_unit").get(pk=pk)
        return self.created[pk]


def _error(plan: Plan, outcome: Outcome, row: int | None, exc: DomainError) -> None:
    key = _FIELD_COLUMNS.get(exc.field or "") if isinstance(exc, InvalidInput) else None
    outcome.errors.append(f"{plan.table.place(row, key)}：{exc.message.rstrip('。')}")
