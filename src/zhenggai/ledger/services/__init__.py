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
    set_extension_limits,
    update_inspection,
)
from zhenggai.ledger.services.measures import add_measure, edit_measure, report_progress
from zhenggai.ledger.services.organisation.import_plan import NewPassword, OrgImportResult
from zhenggai.ledger.services.organisation.importing import import_organisation
from zhenggai.ledger.services.organisation.units import add_department, rename_unit
from zhenggai.ledger.services.organisation.users import add_user, reset_password, set_active, set_role
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
from zhenggai.ledger.services.withdrawals import withdraw_extension_request, withdraw_signoff_request

__all__ = [
    "FindingSpec",
    "MeasureSpec",
    "NewPassword",
    "OrgImportResult",
    "UnfinishedMeasures",
    "UploadedEvidence",
    "add_department",
    "add_finding",
    "add_findings",
    "add_measure",
    "add_measures",
    "add_user",
    "approve_extension",
    "approve_signoff",
    "complete_inspection",
    "create_inspection",
    "delete_finding",
    "delete_measure",
    "edit_finding",
    "edit_measure",
    "extension_limits",
    "import_organisation",
    "move_finding",
    "move_measure",
    "plan_deadline",
    "record_clue",
    "record_regulation",
    "reject_extension",
    "reject_signoff",
    "rename_unit",
    "reopen_inspection",
    "reopen_measure",
    "report_progress",
    "request_extension",
    "request_signoff",
    "reset_password",
    "set_active",
    "set_extension_limits",
    "set_role",
    "update_clue",
    "update_inspection",
    "withdraw_extension_request",
    "withdraw_signoff_request",
]
