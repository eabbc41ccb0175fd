"""`zhenggai signals [--inspection ID] [--json]`: the 纸面整改 signals (疑点) over the whole ledger or one inspection."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import scan
from zhenggai.ledger.models import Inspection, Measure


class Command(BaseCommand):
    help = "List the 纸面整改 signals （疑点，需核实） of the ledger or of one inspection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inspection", type=int, help="inspection id (default: every inspection)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        measures = Measure.objects.all()
        if options["inspection"] is not None:
            if not Inspection.objects.filter(pk=options["inspection"]).exists():
                raise CommandError(f"巡察（编号 {options['inspection']}）不存在。", returncode=2)
            measures = measures.filter(inspection_id=options["inspection"])
        started = time.perf_counter()
        data = load(measures)
        signals = scan(data)
        if options["json"]:
            rows = [asdict(s) | {"label": s.label} for s in signals]
            self.stdout.write(
                json.dumps({"measures": len(data.measures), "signals": rows}, ensure_ascii=False)
            )
            return
        for s in signals:
            self.stdout.write(f"[{s.label}] {s.summary}")
            for line in s.evidence:
                self.stdout.write(f"    {line}")
        spent = time.perf_counter() - started
        self.stdout.write(f"共检查{len(data.measures)}条整改措施，疑点{len(signals)}处，用时{spent:.1f}秒。")
