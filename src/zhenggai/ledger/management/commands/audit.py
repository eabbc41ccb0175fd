from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.audit_export import verify_chain, write_csv, write_xlsx
from zhenggai.ledger.models import Inspection


class Command(BaseCommand):
    help = "Audit log: verify the hash chain (verify), or export an inspection's events with their hashes (export)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")
        export = sub.add_parser("export", help="an inspection's events with the chain hashes (.xlsx or .csv)")
        export.add_argument("--inspection", type=int, required=True, help="inspection id")
        export.add_argument("--output", "-o", required=True, help="file to write (.xlsx or .csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "verify":
            self._verify()
        else:
            self._export(options["inspection"], Path(options["output"]))

    def _verify(self) -> None:
        started = time.perf_counter()
        verdict = verify_chain()
        seconds = time.perf_counter() - started
        if verdict.broken is not None:
            self.stderr.write(f"全程纪实在此断开：{verdict.broken.describe()}")
            self.stderr.write(f"此前 {verdict.count} 条完好。")
            sys.exit(1)
        self.stdout.write(f"全程纪实完整：{verdict.count} 条")
        self.stdout.write(f"末条哈希：{verdict.head_hash}（用时 {seconds:.1f} 秒）")

    def _export(self, inspection_id: int, output: Path) -> None:
        inspection = Inspection.objects.filter(pk=inspection_id).first()
        if inspection is None:
            raise CommandError(f"巡察（编号 {inspection_id}）不存在。", returncode=2)
        suffix = output.suffix.lower()
        if suffix == ".csv":
            with output.open("w", encoding="utf-8-sig", newline="") as stream:
                count = write_csv(inspection, stream)
        elif suffix == ".xlsx":
            count = write_xlsx(inspection, output)
        else:
            raise CommandError("导出文件须以 .xlsx 或 .csv 结尾。", returncode=2)
        self.stdout.write(f"已导出 {count} 条纪实：{output}")
