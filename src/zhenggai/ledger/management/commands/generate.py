from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.synthetic import generate


class Command(BaseCommand):
    help = "Build a province-scale synthetic ledger for benchmarks (bulk inserts, no audit trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=5000, help="inspected units (one inspection each)")
        parser.add_argument("--measures", type=int, default=300000, help="measures in all")
        parser.add_argument("--password", default="bench-pass-123", help="password of the generated users")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["units"] < 1 or options["measures"] < options["units"]:
            raise CommandError("--units 至少为 1,--measures 不能少于 --units。", returncode=2)
        started = time.perf_counter()
        try:
            result = generate(
                options["units"], options["measures"], seed=options["seed"], password=options["password"]
            )
        except ValueError as error:
            raise CommandError(f"数据库中已有模拟数据：{error}", returncode=2) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"已生成：单位 {result.units}，巡察 {result.inspections}，反馈问题 {result.findings},"
            f"整改措施 {result.measures}（用时 {seconds:.1f} 秒）"
        )
        for username, label in result.users.items():
            self.stdout.write(f"  {username:<8} {options['password']}  {label}")
