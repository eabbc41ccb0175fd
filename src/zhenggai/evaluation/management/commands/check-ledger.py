"""`zhenggai check-ledger ID [--json]`: the coverage check of one inspection's ledger."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.evaluation.coverage import check_ledger
from zhenggai.ledger.models import Inspection


class Command(BaseCommand):
    help = "Check an inspection's ledger for coverage gaps （台账完整性检查）."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("inspection", type=int, help="inspection id")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        inspection = (
            Inspection.objects.select_related("inspected_unit").filter(pk=options["inspection"]).first()
        )
        if inspection is None:
            raise CommandError(f"巡察（编号 {options['inspection']}）不存在。", returncode=2)
        coverage = check_ledger(inspection)
        if options["json"]:
            self.stdout.write(json.dumps(coverage.as_json(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{coverage.inspection}：完整性得分 {coverage.score}（{coverage.checked}项检查，{coverage.gap_count}处缺漏）"
        )
        for rule in coverage.rules:
            self.stdout.write(f"- {rule.title}：{rule.passed}/{rule.checked}")
            for gap in rule.gaps:
                self.stdout.write(f"    {gap.label}：{gap.message}")
