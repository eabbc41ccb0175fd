"""The list filters' unit and department choices are kept per process, keyed by the unit table's revision: every
write to the units (service, bulk, raw SQL, a rolled-back transaction) shows at the next request."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.factories import UnitFactory
from zhenggai.ledger.choices import UnitKind
from zhenggai.ledger.models import Unit, units_revision
from zhenggai.ledger.models.units import UnitsRevision


@pytest.fixture(autouse=True)
def _revision_row(db: None) -> None:
    """The migration writes the revision row; a transactional test run earlier on this worker flushed the tables
    (without the row the choices are not kept at all, which is the safe side, but not what is tested here)."""
    UnitsRevision.objects.get_or_create(pk=1, defaults={"value": 1})


def _options(client: Client, name: str) -> list[str]:
    page = client.get("/tasks/", {"scope": "all"}).content.decode()
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0))


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.supervisor)
    return client


def test_a_second_request_reads_the_revision_instead_of_the_units(world: World) -> None:
    client = _client(world)
    client.get("/tasks/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/tasks/").status_code == 200
    unit_lists = [q["sql"] for q in captured if 'FROM "ledger_unit"' in q["sql"] and "LIMIT 20" in q["sql"]]
    assert unit_lists == []
    assert any("ledger_unitsrevision" in q["sql"] for q in captured)


def test_every_kind_of_write_to_the_units_changes_the_choices(world: World) -> None:
    client = _client(world)
    assert "文旅局办公室" in _options(client, "dept")
    assert "区文旅局" in _options(client, "unit")

    Unit.objects.filter(pk=world.dept_a.pk).update(name="文旅局综合科")  # a bulk update, no save()
    assert "文旅局综合科" in _options(client, "dept")
    assert "文旅局办公室" not in _options(client, "dept")

    added = UnitFactory(name="文旅局财务股", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    assert "文旅局财务股" in _options(client, "dept")
    added.delete()
    assert "文旅局财务股" not in _options(client, "dept")

    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE ledger_unit SET name = %s WHERE id = %s", ["区文化和旅游局", world.unit_a.pk])
    assert "区文化和旅游局" in _options(client, "unit")

    before = units_revision()
    Unit.objects.bulk_create([Unit(name="新设单位", parent=world.district, path="")])
    assert units_revision() != before


def test_a_rolled_back_rename_is_not_remembered_for_a_later_change(world: World) -> None:
    """The revision is a random number, not a counter: after a rollback the next change must not find the
    rolled-back change's choices under its revision."""
    client = _client(world)
    assert "文旅局办公室" in _options(client, "dept")

    def rename_then_fail() -> None:
        with transaction.atomic():
            Unit.objects.filter(pk=world.dept_a.pk).update(name="临时名称")
            assert "临时名称" in _options(client, "dept")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert "文旅局办公室" in _options(client, "dept")
    Unit.objects.filter(pk=world.dept_a.pk).update(name="文旅局综合科")
    options = _options(client, "dept")
    assert "文旅局综合科" in options
    assert "临时名称" not in options
