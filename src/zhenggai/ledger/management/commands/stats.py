from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.figures import FIGURE_LABELS, inspection_figures


class Command(BaseCommand):
    help = "Print an inspection's figures （反馈问题， 整改措施， 已完成， 整改完成率， 建章立制…）."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inspection", type=int, required=True, help="inspection id")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        figures = inspection_figures(options["inspection"])
        if figures is None:
            raise CommandError(f"巡察（编号 {options['inspection']}）不存在。", returncode=2)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        width = max(len(label) for label in FIGURE_LABELS.values())
        for name, label in FIGURE_LABELS.items():
            self.stdout.write(f"{label:<{width}}  {figures[name]}")
