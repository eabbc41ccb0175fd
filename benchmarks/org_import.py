"""Bulk import of units and users (a script, not a test).

    .venv/bin/python benchmarks/org_import.py                 # 5,000 units, one user each
    .venv/bin/python benchmarks/org_import.py --units 1000

Builds an organisation template (单位 and 用户 sheets) for a province: 50 cities, the rest units spread under
them, one user per unit (half with an initial password, half generated), on a fresh SQLite database in a
temporary data directory. Times, each once: writing the file, the dry run (reading through the sandboxed
reader plus planning), the import (one transaction: bulk inserts and one audit event), and a re-import of the
same file (which changes nothing). Goal: dry run and import each under 60 seconds. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 60.0


def build(path: Path, units: int, root: str) -> None:
    import xlsxwriter

    cities = max(1, min(50, units // 100))
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    unit_sheet = workbook.add_worksheet("单位")
    user_sheet = workbook.add_worksheet("用户")
    for col, title in enumerate(("单位名称", "简称", "上级单位", "类别")):
        unit_sheet.write_string(0, col, title)
    for col, title in enumerate(("用户名", "姓名", "单位", "角色", "邮箱", "初始密码")):
        user_sheet.write_string(0, col, title)
    names: list[str] = []
    for c in range(cities):
        names.append(f"{root}/第{c + 1:02d}市")
        unit_sheet.write_row(c + 1, 0, (f"第{c + 1:02d}市", f"{c + 1:02d}市", root, "地区"))
    for u in range(units - cities):
        city = f"第{u % cities + 1:02d}市"
        name = f"{city}第{u + 1:04d}单位"
        names.append(f"{root}/{city}/{name}")
        unit_sheet.write_row(cities + u + 1, 0, (name, "", f"{root}/{city}", "单位"))
    for i, unit in enumerate(names):
        password = f"Init-{i:05d}-pass" if i % 2 else ""
        role = "巡察办" if i < cities else ("单位领导" if i % 3 else "部门经办人")
        user_sheet.write_row(i + 1, 0, (f"u{i:05d}", f"用户{i:05d}", unit, role, f"u{i:05d}@example.gov.cn"))
        if password:
            user_sheet.write_string(i + 1, 5, password)
    workbook.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=5000)
    args = parser.parse_args()
    os.environ["ZHENGGAI_DATA_DIR"] = tempfile.mkdtemp(prefix="zhenggai-bench-org-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from zhenggai.ledger.choices import UnitKind
    from zhenggai.ledger.models import AuditEvent, Membership, Unit
    from zhenggai.ledger.services.organisation.importing import import_organisation
    from zhenggai.sheets.org import read_org

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench-admin", password="bench-pass-123")
    root = Unit(name="测试省", kind=UnitKind.REGION)
    root.save()
    path = Path(os.environ["ZHENGGAI_DATA_DIR"]) / "org.xlsx"

    start = time.perf_counter()
    build(path, args.units, root.name)
    written = time.perf_counter() - start
    print(
        f"file: {args.units} units, {args.units} users, {path.stat().st_size / 1024:.0f} KB, written in {written:.1f} s"
    )

    figures: list[tuple[str, float, str]] = []
    for label, dry in (("dry run", True), ("import", False), ("re-import", False)):
        events = AuditEvent.objects.count()
        start = time.perf_counter()
        book = read_org(path)
        read = time.perf_counter() - start
        result = import_organisation(book, by=admin, dry_run=dry, name=path.name)
        seconds = time.perf_counter() - start
        assert result.ok, result.errors[:5]
        counts = result.counts()
        detail = (
            f"read {read:.1f} s; units +{counts['units_created']}, users +{counts['users_created']}, "
            f"roles +{counts['roles_added']}, generated passwords {len(result.passwords)}, "
            f"audit events +{AuditEvent.objects.count() - events}"
        )
        figures.append((label, seconds, detail))
    print(
        f"database: {Unit.objects.count()} units, {User.objects.count()} users, {Membership.objects.count()} roles"
    )
    failed = False
    for label, seconds, detail in figures:
        mark = "ok" if seconds <= GOAL_SECONDS else "MISSED"
        failed |= seconds > GOAL_SECONDS
        print(f"{label:10} {seconds:6.1f} s  (goal {GOAL_SECONDS:.0f} s, {mark})  {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
