"""`zhenggai indicator list|report|import`: indicators (e.g. budget execution) for scripts and cron."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Unit
from zhenggai.supervision.indicator_rows import rows_for
from zhenggai.supervision.indicators import record_indicator_actual, schedule
from zhenggai.supervision.models import Indicator

COLOURS = {"red": "红", "yellow": "黄", "green": "绿", "": "停用"}


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用。", returncode=2)
    return user


def _unit(ref: str) -> Unit:
    ref = ref.strip()
    found = list(
        Unit.objects.filter(pk=int(ref))
        if ref.isdigit()
        else Unit.objects.filter(Q(name=ref) | Q(short_name=ref))[:6]
    )
    if not found:
        raise CommandError(f"找不到单位“{ref}”（请写单位编号、完整名称或简称）。", returncode=2)
    if len(found) > 1:
        listed = "、".join(f"{u.name}（编号 {u.pk}）" for u in found[:5])
        raise CommandError(f"名称“{ref}”对应多个单位：{listed}；请改用单位编号。", returncode=2)
    return found[0]


class Command(BaseCommand):
    help = "指标：list 列出单位的年度指标；report 报送实际值；import 导入项目执行情况表（.xlsx）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        listing = actions.add_parser("list", help="列出单位的年度指标、执行率和颜色")
        listing.add_argument("--unit", required=True, help="单位：单位编号或完整名称（或简称）")
        listing.add_argument("--year", type=int, help="年度（默认今年）")
        listing.add_argument("--json", action="store_true", help="输出 JSON")
        report = actions.add_parser("report", help="报送某日的实际值（同一日期再报即更正）")
        report.add_argument("--indicator", type=int, required=True, help="指标编号")
        report.add_argument("--date", required=True, help="日期，如 2025-07-31")
        report.add_argument("--value", required=True, help="实际值")
        report.add_argument("--by", required=True, metavar="USERNAME", help="以该用户的身份报送")
        imp = actions.add_parser("import", help="导入项目执行情况表（.xlsx）")
        imp.add_argument("file", help="项目执行情况表（.xlsx）")
        imp.add_argument("--unit", required=True, help="单位：单位编号或完整名称（或简称）")
        imp.add_argument("--by", required=True, metavar="USERNAME", help="以该用户的身份导入")
        imp.add_argument("--date", help="实际值的日期（默认今天）")
        imp.add_argument(
            "--department",
            help="表中未写责任部门的项目归哪个内设部门（名称）；部门经办人在多个部门任职时必填",
        )
        imp.add_argument("--dry-run", action="store_true", help="只校验并列出将要进行的变更，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        unit = _unit(options["unit"])
        today = timezone.localdate()
        year = options["year"] or today.year
        on = min(today, dt.date(year, 12, 31))
        # The command runs as the operator: every indicator of the unit, as a superuser would see them.
        rows = rows_for(User(is_superuser=True, is_active=True), unit, year, on)
        line = schedule(on, year)
        if options["json"]:
            data = {
                "unit": unit.display_name,
                "year": year,
                "date": on.isoformat(),
                "schedule": float(line),
                "indicators": [
                    {
                        "id": r.indicator.pk,
                        "name": r.indicator.name,
                        "department": r.indicator.department.name if r.indicator.department else None,
                        "target": str(r.indicator.target),
                        "unit_label": r.indicator.unit_label,
                        "actual": str(r.latest.value) if r.latest else None,
                        "actual_date": r.latest.on_date.isoformat() if r.latest else None,
                        "rate": float(r.rate),
                        "gap": float(r.gap),
                        "colour": r.colour,
                        "retired": r.indicator.retired_at is not None,
                    }
                    for r in rows
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{unit.display_name} {year}年指标（截至{on:%Y-%m-%d}，序时进度 {line}%）：")
        if not rows:
            self.stdout.write("  （没有指标）")
        for r in rows:
            actual = f"{r.latest.value}（{r.latest.on_date:%m-%d}）" if r.latest else "未报送"
            self.stdout.write(
                f"  {r.indicator.pk:>6}  {COLOURS[r.colour]}  {r.indicator.name}  目标 {r.indicator.target}"
                f"{r.indicator.unit_label}  实际 {actual}  执行率 {r.rate}%  差 {r.gap}"
            )

    def _report(self, options: dict[str, Any]) -> None:
        user = _user(options["by"])
        indicator = Indicator.objects.filter(pk=options["indicator"]).first()
        if indicator is None:
            raise CommandError(f"指标编号 {options['indicator']} 不存在。", returncode=2)
        try:
            on = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"日期“{options['date']}”格式不对，应为 2025-07-31。", returncode=2) from None
        existed = indicator.actuals.filter(on_date=on).exists()
        try:
            actual = record_indicator_actual(by=user, indicator=indicator, on_date=on, value=options["value"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(
            f"已{'更正' if existed else '报送'}指标“{indicator.name}”{on:%Y-%m-%d}的实际值 {actual.value}。"
        )

    def _import(self, options: dict[str, Any]) -> None:
        from zhenggai.supervision.execution import import_execution
        from zhenggai.supervision.execution_sheet import ExecutionImportError

        unit = _unit(options["unit"])
        user = _user(options["by"])
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期“{options['date']}”格式不对，应为 2025-07-31。", returncode=2) from None
        department = None
        if options["department"]:
            department = Unit.objects.filter(parent=unit, name=options["department"].strip()).first()
            if department is None:
                raise CommandError(
                    f"“{options['department']}”不是{unit.display_name}的内设部门。", returncode=2
                )
        try:
            result = import_execution(
                options["file"],
                unit=unit,
                by=user,
                on_date=on,
                dry_run=options["dry_run"],
                department=department,
            )
        except ExecutionImportError as exc:
            raise CommandError(exc.message, returncode=2) from None
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        for line in result.describe():
            self.stdout.write(line)
        if result.errors:
            raise CommandError(
                f"导入未完成：共{len(result.errors)}处错误，没有写入任何数据。请改正后重新导入。"
            )
