"""Verify the 全程纪实 chain, and export an inspection's events with their chain hashes (.csv / .xlsx).

The export carries every column the hash covers (operator and unit as ids too), so an auditor can recompute each
row's hash offline with ledger.audit_chain.canonical; the previous-hash column links rows of the whole chain,
which the inspection's rows are a part of (gaps in 序号 are other inspections' events).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.db.models import Q, QuerySet

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


def event_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    """One row per event of `events`, in chain order, streamed in chunks (never the whole set in memory)."""
    chosen = events.select_related("actor", "unit").order_by("seq")
    for e in chosen.iterator(chunk_size=_CHUNK):
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


def export_rows(inspection: Inspection) -> Iterator[list[Any]]:
    return event_rows(AuditEvent.objects.filter(inspection_events_q(inspection)))


# A spreadsheet program reads a CSV cell beginning with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet program would run as a formula, made text by a leading apostrophe (the
    OWASP advice); numbers and other text are left as they are. The .xlsx export needs no such change: every
    text there is a string cell, never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(inspection: Inspection, target: IO[str]) -> int:
    return write_rows_csv(export_rows(inspection), target)


def write_rows_csv(rows: Iterable[list[Any]], target: IO[str], *, guard: bool = False) -> int:
    """`rows` under HEADERS; with `guard`, formula-looking cells are made text (see csv_safe)."""
    writer = csv.writer(target)
    writer.writerow(HEADERS)
    count = 0
    for row in rows:
        writer.writerow([csv_safe(value) for value in row] if guard else row)
        count += 1
    return count


def write_xlsx(inspection: Inspection, target: str | Path | IO[bytes]) -> int:
    return write_rows_xlsx(export_rows(inspection), target)


def write_rows_xlsx(rows: Iterable[list[Any]], target: str | Path | IO[bytes]) -> int:
    """`rows` under HEADERS as one sheet, written row by row (constant memory). Ints are number cells; every
    other value is a string cell (write_string), so a text beginning with = + - @ or a tab stays text."""
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
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value))
    workbook.close()
    return count
