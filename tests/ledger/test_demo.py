"""The demo data set: every state present, one user per role, loaded once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenggai.ledger.choices import MeasureStatus, Role
from zhenggai.ledger.models import AuditEvent, Measure, Membership


def test_demo_has_every_state_and_one_user_per_role(db: Any, capsys: Any) -> None:
    call_command("demo", "--password", "demo-pass-123")
    out = capsys.readouterr().out
    assert "lingdao" in out
    assert "demo-pass-123" in out
    statuses = set(Measure.objects.values_list("status", flat=True))
    assert statuses == set(MeasureStatus.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert authenticate(username="jingban", password="demo-pass-123") is not None
    # Built through the services: the trail records every step.
    # 11 signed off as done, 2 long-term ones as ongoing.
    assert AuditEvent.objects.filter(action="approve_signoff").count() == 13


def test_demo_loads_only_once(db: Any, capsys: Any) -> None:
    call_command("demo", "--password", "demo-pass-123")
    with pytest.raises(CommandError, match="已有数据"):
        call_command("demo")
    call_command("demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert Measure.objects.count() == 32
