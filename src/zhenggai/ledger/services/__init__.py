"""Every state change of the ledger: one typed function each, permission-checked, audited, atomic."""

from zhenggai.ledger.services.editing import (
    UnfinishedMeasures,
    add_findings,
    add_measures,
    complete_inspection,
    delete_finding,
    delete_measure,
    move_finding,
    move_measure,
    plan_deadline,
    reopen_inspection,
)
from zhenggai.ledger.services.evidence import UploadedEvidence
from zhenggai.ledger.services.inspections import (
    FindingSpec,
    MeasureSpec,
    add_finding,
    create_inspection,
    edit_finding,
    update_inspection,
)
from zhenggai.ledger.services.measures import add_measure, edit_measure, report_progress
from zhenggai.ledger.services.records import record_clue, record_regulation, update_clue
from zhenggai.ledger.services.reviews import (
    approve_extension,
    approve_signoff,
    reject_extension,
    reject_signoff,
    reopen_measure,
    request_extension,
    request_signoff,
)

__all__ = [
    "FindingSpec",
    "MeasureSpec",
    "UnfinishedMeasures",
    "UploadedEvidence",
    "add_finding",
    "add_findings",
    "add_measure",
    "add_measures",
    "approve_extension",
    "approve_signoff",
    "complete_inspection",
    "create_inspection",
    "delete_finding",
    "delete_measure",
    "edit_finding",
    "edit_measure",
    "move_finding",
    "move_measure",
    "plan_deadline",
    "record_clue",
    "record_regulation",
    "reject_extension",
    "reject_signoff",
    "reopen_inspection",
    "reopen_measure",
    "report_progress",
    "request_extension",
    "request_signoff",
    "update_clue",
    "update_inspection",
]
