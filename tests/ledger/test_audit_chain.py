"""全程纪实 is a hash chain: `zhenggai audit verify` finds an edited or deleted row and names it."""

from __future__ import annotations

import csv
import io
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tests.conftest import World
from zhenggai.ledger import services
from zhenggai.ledger.audit_chain import CHAIN_COLUMNS, GENESIS, event_hash
from zhenggai.ledger.models import AuditEvent
from zhenggai.ledger.services.audit import append

TRIGGER = "ledger_auditevent_append_only"


@contextmanager
def tampering() -> Iterator[None]:
    """As an attacker with the table owner's rights would: on PostgreSQL, switch the append-only trigger off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
            cursor.execute(f"ALTER TABLE ledger_auditevent DISABLE TRIGGER {TRIGGER}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE ledger_auditevent ENABLE TRIGGER {TRIGGER}")
    else:
        yield


def verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    return 0, out.getvalue()


def _changes(w: World, n: int = 3) -> list[AuditEvent]:
    for i in range(n):
        services.edit_measure(by=w.leader_a, measure=w.measure_a, responsible_person=f"张{i}")
        w.measure_a.refresh_from_db()
    return list(AuditEvent.objects.order_by("seq"))


def test_service_changes_form_an_intact_chain(world: World) -> None:
    events = _changes(world)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.chain_hash for a, b in itertools.pairwise(events))
    stored = AuditEvent.objects.get(pk=events[-1].pk)  # as read back from the database
    assert event_hash(*(getattr(stored, c) for c in CHAIN_COLUMNS)) == stored.chain_hash
    code, message = verify()
    assert code == 0
    assert message.startswith(f"全程纪实完整：{len(events)} 条\n末条哈希：{events[-1].chain_hash}")


def test_an_edited_row_breaks_the_chain_at_that_event(world: World) -> None:
    events = _changes(world)
    target = events[1]
    with tampering():
        AuditEvent.objects.filter(pk=target.pk).update(note="事后补记")
    code, message = verify()
    assert code == 1
    assert f"纪实 #{target.pk}（序号 {target.seq}" in message
    assert "该条被改动" in message


def test_an_edited_row_with_its_hash_recomputed_is_caught_at_the_next(world: World) -> None:
    events = _changes(world)
    target, following = events[1], events[2]
    target.note = "事后补记"
    forged = event_hash(*(getattr(target, c) for c in CHAIN_COLUMNS))
    with tampering():
        AuditEvent.objects.filter(pk=target.pk).update(note="事后补记", chain_hash=forged)
    code, message = verify()
    assert code == 1
    assert f"纪实 #{following.pk}（序号 {following.seq}" in message


def test_a_deleted_row_breaks_the_chain_naming_the_event_after_it(world: World) -> None:
    events = _changes(world)
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    code, message = verify()
    assert code == 1
    assert f"纪实 #{events[2].pk}（序号 {events[2].seq}" in message
    assert f"缺少序号 {events[1].seq}" in message


def test_postgresql_refuses_update_and_delete_of_audit_rows(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    event = _changes(world, 1)[0]
    for change in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(note="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="全程纪实只能追加"), transaction.atomic():
            change()
    assert verify()[0] == 0


def test_export_carries_the_chain_hashes(world: World, tmp_path: Path) -> None:
    events = _changes(world)
    for suffix in ("csv", "xlsx"):
        target = tmp_path / f"纪实.{suffix}"
        call_command(
            "audit", "export", "--inspection", world.inspection_a.pk, "-o", str(target), stdout=io.StringIO()
        )
        if suffix == "csv":
            rows = list(csv.reader(target.open(encoding="utf-8-sig")))
        else:
            sheet = openpyxl.load_workbook(target, read_only=True).active
            assert sheet is not None
            rows = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        header, body = rows[0], rows[1:]
        assert header[-2:] == ["前一条哈希", "哈希"]
        assert [(r[0], r[-2], r[-1]) for r in body] == [
            (str(e.seq), e.prev_hash, e.chain_hash) for e in events
        ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_valid() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by its database lock; PostgreSQL needs the advisory lock")
    from tests.factories import UnitFactory

    unit = UnitFactory(name="并发单位")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    append(
                        actor=None,
                        action="edit_unit",
                        object_type="unit",
                        object_id=str(unit.pk),
                        object_repr=f"{n}-{i}",
                        unit=unit,
                        after={"n": n, "i": i},
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 90
    assert verify()[0] == 0
