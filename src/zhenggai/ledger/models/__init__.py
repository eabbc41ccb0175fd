from zhenggai.ledger.models.accounts import PasswordState
from zhenggai.ledger.models.audit import AuditEvent
from zhenggai.ledger.models.inspections import Clue, Finding, Inspection, Regulation
from zhenggai.ledger.models.measures import Evidence, Extension, Measure, ProgressReport, Reach, SignOff
from zhenggai.ledger.models.tally import InspectionTally, UnitTally
from zhenggai.ledger.models.units import Membership, Round, Unit, UnitsRevision, units_revision

__all__ = [
    "AuditEvent",
    "Clue",
    "Evidence",
    "Extension",
    "Finding",
    "Inspection",
    "InspectionTally",
    "Measure",
    "Membership",
    "PasswordState",
    "ProgressReport",
    "Reach",
    "Regulation",
    "Round",
    "SignOff",
    "Unit",
    "UnitTally",
    "UnitsRevision",
    "units_revision",
]
