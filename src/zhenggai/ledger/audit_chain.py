"""The hash chain over 全程纪实: each event stores the hash of its canonical content, which includes the hash of the
event before it (by `seq`), so an edited, inserted or deleted row breaks the chain at that point.

The canonical form is fixed: changing it breaks every stored chain (the 0008 migration imports it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
# The PostgreSQL advisory lock that serialises appends to the chain: (namespace "ZG" as in supervision.jobs, "AUDT").
ADVISORY_LOCK_KEY = (0x5A47, 0x41554454)

# Columns in the order canonical() takes them (also the order verify reads them).
CHAIN_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "unit_id",
    "before",
    "after",
    "note",
    "request_id",
    "prev_hash",
)


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    unit_id: int | None,
    before: Any,
    after: Any,
    note: str,
    request_id: str,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash covers: a compact JSON array, keys sorted, times in UTC to the microsecond."""
    return json.dumps(
        [
            seq,
            _utc(at),
            actor_id,
            action,
            object_type,
            object_id,
            object_repr,
            unit_id,
            before,
            after,
            note,
            request_id,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def event_hash(*values: Any) -> str:
    """SHA-256 of canonical(*values), hex."""
    return hashlib.sha256(canonical(*values)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    pk: int
    seq: int
    at: dt.datetime
    action: str
    object_repr: str
    reason: str

    def describe(self) -> str:
        when = self.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return f"纪实 #{self.pk}（序号 {self.seq}，{when}，{self.action}，{self.object_repr}）：{self.reason}"


@dataclass(frozen=True)
class Verdict:
    count: int
    head_hash: str
    broken: Break | None


def _reason(row: tuple[Any, ...], expected_seq: int, previous_hash: str) -> str | None:
    """Why the row does not continue the chain, or None when it does."""
    seq = row[1]
    if seq != expected_seq:
        missing = f"序号 {expected_seq}" if seq == expected_seq + 1 else f"序号 {expected_seq} 至 {seq - 1}"
        return f"之前缺少{missing}的纪实（被删除）。"
    if row[13] != previous_hash:
        return "所记前一条哈希与前一条纪实不符（前一条被改动、删除或替换）。"
    if event_hash(*row[1:14]) != row[14]:
        return "内容与所存哈希不符（该条被改动）。"
    return None


def walk(rows: Iterable[tuple[Any, ...]]) -> Verdict:
    """Check rows of (pk, *CHAIN_COLUMNS, chain_hash) in seq order; stop at the first break."""
    previous_hash = GENESIS
    count = 0
    for row in rows:
        reason = _reason(row, count + 1, previous_hash)
        if reason is not None:
            return Verdict(count, previous_hash, Break(row[0], row[1], row[2], row[4], row[7], reason))
        previous_hash = row[14]
        count += 1
    return Verdict(count, previous_hash, None)
