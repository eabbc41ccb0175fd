"""`zhenggai signals [--inspection ID] [--json] [--store]`: the 纸面整改 signals (疑点) over the whole ledger or one
inspection; `--store` keeps a whole-ledger run for the pages (one run at a time)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import scan
from zhenggai.evaluation.signals.store import store_run
from zhenggai.ledger.models import Inspection, Measure
from zhenggai.supervision.jobs import JobSkipped


class Command(BaseCommand):
    help = "List the 纸面整改 signals （疑点，需核实） of the ledger or of one inspection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inspection", type=int, help="inspection id (default: every inspection)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--store", action="store_true", help="scan the whole ledger and store the run for the pages"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["store"]:
            if options["inspection"] is not None:
                raise CommandError("--store 扫描全部台账，不能与 --inspection 同用。", returncode=2)
            try:
                run = store_run()
            except JobSkipped as skipped:  # another start is storing a run: not an error for cron
                self.stdout.write(skipped.message)
                return
            self.stdout.write(
                f"已保存疑点扫描：检查{run.measures}条整改措施，疑点{run.signals}处，用时{run.seconds:.1f}秒。"
            )
            return
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
