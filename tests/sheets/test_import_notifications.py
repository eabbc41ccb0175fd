"""Measures the Excel ledger import creates tell their departments, as the editor's do: one message per
department for the whole import (listing its measures), not one per row; a dry run tells nobody."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.factories import MembershipFactory, UserFactory
from tests.sheets.conftest import Importer, Ledger, edit, export
from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import Measure
from zhenggai.supervision.choices import NotificationKind
from zhenggai.supervision.models import Notification


def _new_rows(ledger: Ledger, tmp_path: Path) -> Path:
    path = export(ledger, tmp_path)
    rows: dict[tuple[int, str], object] = {}
    for row, (text, department) in enumerate(
        [
            ("建立公务接待月度核对制度", "文旅局办公室"),
            ("清理往来款项并逐笔销账", "文旅局办公室"),
            ("开展预算执行情况专项检查", "文旅局财务股"),
        ],
        start=10,
    ):
        rows |= {
            (row, "方面"): "党的建设方面",
            (row, "问题"): "关于选人用人不规范的问题",
            (row, "具体问题"): "针对干部档案管理的问题",
            (row, "整改措施"): text,
            (row, "责任处室"): department,
            (row, "整改时限"): "2030年9月30日",
        }
    return edit(path, rows)


def _assigned() -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(kind=NotificationKind.ASSIGNED)
        .order_by("user__username")
        .values_list("user__username", "title")
    )


def test_an_import_tells_each_department_once_about_all_its_new_measures(
    ledger: Ledger, tmp_path: Path, run_import: Importer, django_capture_on_commit_callbacks: Any
) -> None:
    cashier = UserFactory(username="finance_staff")
    MembershipFactory(user=cashier, unit=ledger.finance, role=Role.STAFF)
    path = _new_rows(ledger, tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        out, error = run_import(path, ledger.inspection, "leader_a")

    assert error is None, out
    assert _assigned() == [
        ("finance_staff", "新分派措施：文旅局财务股1条"),
        ("staff_a", "新分派措施：文旅局办公室2条"),
    ]
    office = Notification.objects.get(user__username="staff_a", kind=NotificationKind.ASSIGNED)
    for text in ("建立公务接待月度核对制度", "清理往来款项并逐笔销账"):
        assert Measure.objects.get(text=text).code in office.body
    assert "牵头2条、配合0条" in office.body


def test_a_dry_run_import_tells_nobody(
    ledger: Ledger, tmp_path: Path, run_import: Importer, django_capture_on_commit_callbacks: Any
) -> None:
    path = _new_rows(ledger, tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        out, error = run_import(path, ledger.inspection, "leader_a", "--dry-run")

    assert error is None, out
    assert _assigned() == []
