"""Verify the 全程纪实 chain, and export an inspection's events with their chain hashes (.csv / .xlsx).

The export carries every column the hash covers (operator and unit as ids too), so an auditor can recompute each
row's hash offline with ledger.audit_chain.canonical; the previous-hash column links rows of the whole chain,
which the inspection's rows are a part of (gaps in 序号 are other inspections' events).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.db.models import Q

from zhenggai.ledger.audit_chain import CHAIN_COLUMNS, Verdict, walk
from zhenggai.ledger.audit_labels import action_label
from zhenggai.ledger.models import AuditEvent, Inspection

_CHUNK = 5000

HEADERS = (
    "序号",
    "时间",
    "操作人ID",
    "操作人",
    "操作",
    "操作名称",
    "对象类型",
    "对象ID",
    "对象",
    "单位ID",
    "单位",
    "变更前",
    "变更后",
    "说明",
    "请求ID",
    "前一条哈希",
    "哈希",
)


def verify_chain() -> Verdict:
    """Walk the whole chain in seq order, streaming; the first break stops the walk."""
    rows = (
        AuditEvent.objects.order_by("seq")
        .values_list("pk", *CHAIN_COLUMNS, "chain_hash")
        .iterator(chunk_size=_CHUNK)
    )
    return walk(rows)


def inspection_events_q(inspection: Inspection) -> Q:
    """Events about the inspection, or about rows that belong to it (findings, measures, and rows of those)."""
    q = Q(object_type="inspection", object_id=str(inspection.pk))
    measure_ids = [str(pk) for pk in inspection.measures.values_list("pk", flat=True)]
    for config in apps.get_app_configs():
        for model in config.get_models():
            fields = {f.name for f in model._meta.get_fields()}
            name = model._meta.model_name
            if "inspection" in fields and model is not AuditEvent:
                ids = [
                    str(pk)
                    for pk in model._default_manager.filter(inspection=inspection).values_list(
                        "pk", flat=True
                    )
                ]
                if ids:
                    q |= Q(object_type=name, object_id__in=ids)
            elif "measure" in fields and measure_ids:
                ids = [
                    str(pk)
                    for pk in model._default_manager.filter(measure_id__in=measure_ids).values_list(
                        "pk", flat=True
                    )
                ]
                if ids:
                    q |= Q(object_type=name, object_id__in=ids)
    return q


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def export_rows(inspection: Inspection) -> Iterator[list[Any]]:
    events = (
        AuditEvent.objects.filter(inspection_events_q(inspection))
        .select_related("actor", "unit")
        .order_by("seq")
    )
    for e in events.iterator(chunk_size=_CHUNK):
        actor = e.actor
        yield [
            e.seq,
            e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f"),
            e.actor_id or "",
            (actor.get_full_name() or actor.username) if actor is not None else "",
            e.action,
            action_label(e.action),
            e.object_type,
            e.object_id,
            e.object_repr,
            e.unit_id or "",
            e.unit.display_name if e.unit is not None else "",
            _json(e.before),
            _json(e.after),
            e.note,
            e.request_id,
            e.prev_hash,
            e.chain_hash,
        ]


def write_csv(inspection: Inspection, target: IO[str]) -> int:
    writer = csv.writer(target)
    writer.writerow(HEADERS)
    count = 0
    for row in export_rows(inspection):
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(inspection: Inspection, target: str | Path | IO[bytes]) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("全程纪实")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(HEADERS):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 26)
    sheet.set_column(15, 16, 66)
    count = 0
    for count, row in enumerate(export_rows(inspection), start=1):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value))
    workbook.close()
    return count
