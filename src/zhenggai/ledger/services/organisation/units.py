"""Units: a 内设部门 added under a unit, a unit renamed; each one permission-checked and audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from zhenggai.ledger.choices import UnitKind
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.models import Unit, UnitTally
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.organisation.scope import require_unit


def _clean_name(name: str, short_name: str) -> tuple[str, str]:
    name, short_name = name.strip(), short_name.strip()
    if not name:
        raise InvalidInput("请填写名称。", field="name")
    if len(name) > 200:
        raise InvalidInput("名称不能超过 200 个字。", field="name")
    if len(short_name) > 100:
        raise InvalidInput("简称不能超过 100 个字。", field="short_name")
    return name, short_name


def add_department(parent: Unit, *, name: str, short_name: str = "", by: User) -> Unit:
    """A 内设部门 under `parent`."""
    name, short_name = _clean_name(name, short_name)
    with transaction.atomic():
        require_unit(by, parent, "添加内设部门")
        if Unit.objects.filter(parent=parent, name=name).exists():
            raise InvalidInput(f"“{parent.display_name}”下已有“{name}”。", field="name")
        unit = Unit(name=name, short_name=short_name, kind=UnitKind.DEPARTMENT, parent=parent)
        unit.save()
        record(
            actor=by,
            action="add_department",
            obj=unit,
            unit=parent,
            after={"name": name, "short_name": short_name, "parent": parent.name},
        )
    return unit


def rename_unit(unit: Unit, *, name: str, short_name: str, by: User) -> Unit:
    name, short_name = _clean_name(name, short_name)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        require_unit(by, unit, "修改单位名称")
        if name != unit.name and Unit.objects.filter(parent_id=unit.parent_id, name=name).exists():
            raise InvalidInput("同一上级单位下已有这个名称。", field="name")
        before = {"name": unit.name, "short_name": unit.short_name}
        unit.name, unit.short_name = name, short_name
        unit.save(update_fields=["name", "short_name"])
        UnitTally.objects.filter(unit=unit).update(name=name)  # the overview sorts by the stored name
        record(
            actor=by,
            action="rename_unit",
            obj=unit,
            unit=unit,
            before=before,
            after={"name": name, "short_name": short_name},
        )
    return unit
