"""建章立制 and 问题线索: what the unit built, and how transferred clues were handled."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from zhenggai.ledger.choices import ClueStatus, RegulationKind
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Clue, Inspection, Measure, Regulation
from zhenggai.ledger.permissions import require_manager
from zhenggai.ledger.services.audit import record, snapshot
from zhenggai.ledger.services.validation import clean_text

_CLUE_FIELDS = ("received_on", "summary", "handling", "outcome", "deadline", "status")


@transaction.atomic
def record_regulation(
    *,
    by: User,
    inspection: Inspection,
    kind: RegulationKind,
    title: str,
    issued_on: dt.date | None = None,
    measures: list[Measure] | None = None,
) -> Regulation:
    require_manager(by, inspection.inspected_unit, "登记建章立制")
    if kind not in RegulationKind.values:
        raise InvalidInput("请选择“新制定”或“修订完善”。", "kind")
    linked = list(measures or [])
    if any(m.inspection_id != inspection.pk for m in linked):
        raise InvalidInput("关联的整改措施不属于本次巡察。", "measures")
    regulation = Regulation.objects.create(
        inspection=inspection,
        kind=kind,
        title=clean_text(title, "制度名称", "title", max_length=300),
        issued_on=issued_on,
    )
    regulation.measures.set(linked)
    record(
        actor=by,
        action="record_regulation",
        obj=regulation,
        unit=inspection.inspected_unit,
        after=snapshot(regulation, ("inspection_id", "kind", "title", "issued_on"))
        | {"measures": [m.pk for m in linked]},
    )
    return regulation


@transaction.atomic
def record_clue(
    *,
    by: User,
    inspection: Inspection,
    summary: str,
    received_on: dt.date | None = None,
    deadline: dt.date | None = None,
) -> Clue:
    require_manager(by, inspection.inspected_unit, "登记问题线索")
    clue = Clue.objects.create(
        inspection=inspection,
        summary=clean_text(summary, "线索摘要", "summary", max_length=5000),
        received_on=received_on,
        deadline=deadline,
    )
    record(
        actor=by,
        action="record_clue",
        obj=clue,
        unit=inspection.inspected_unit,
        after=snapshot(clue, _CLUE_FIELDS),
    )
    return clue


@transaction.atomic
def update_clue(
    *,
    by: User,
    clue: Clue,
    handling: str,
    outcome: str = "",
    status: ClueStatus = ClueStatus.HANDLING,
) -> Clue:
    clue = Clue.objects.select_for_update().select_related("inspection__inspected_unit").get(pk=clue.pk)
    require_manager(by, clue.inspection.inspected_unit, "办理问题线索")
    if status not in ClueStatus.values:
        raise InvalidInput("未知的线索状态。", "status")
    if status == ClueStatus.CLOSED and not outcome.strip():
        raise InvalidInput("办结线索须填写处理结果。", "outcome")
    before = snapshot(clue, _CLUE_FIELDS)
    clue.handling = clean_text(handling, "办理情况", "handling", max_length=5000)
    clue.outcome = outcome.strip()
    clue.status = status
    clue.save()
    record(
        actor=by,
        action="update_clue",
        obj=clue,
        unit=clue.inspection.inspected_unit,
        before=before,
        after=snapshot(clue, _CLUE_FIELDS),
    )
    return clue
