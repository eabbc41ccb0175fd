"""Every state change of the ledger: one typed function each, permission-checked, audited, atomic."""

from zhenggai.ledger.services.evidence import UploadedEvidence
from zhenggai.ledger.services.inspections import (
    FindingSpec,
    MeasureSpec,
    add_finding,
    create_inspection,
    edit_finding,
    set_extension_limits,
    update_inspection,
)
from zhenggai.ledger.services.measures import add_measure, edit_measure, report_progress
from zhenggai.ledger.services.records import record_clue, record_regulation, update_clue
from zhenggai.ledger.services.reviews import (
    approve_extension,
    approve_signoff,
    extension_limits,
    reject_extension,
    reject_signoff,
    reopen_measure,
    request_extension,
    request_signoff,
)

__all__ = [
    "FindingSpec",
    "MeasureSpec",
    "UploadedEvidence",
    "add_finding",
    "add_measure",
    "approve_extension",
    "approve_signoff",
    "create_inspection",
    "edit_finding",
    "edit_measure",
    "extension_limits",
    "record_clue",
    "record_regulation",
    "reject_extension",
    "reject_signoff",
    "reopen_measure",
    "report_progress",
    "request_extension",
    "request_signoff",
    "set_extension_limits",
    "update_clue",
    "update_inspection",
]
