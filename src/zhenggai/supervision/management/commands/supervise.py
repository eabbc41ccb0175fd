from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.supervision.choices import RunOutcome
from zhenggai.supervision.jobs import DONE, JobSkipped
from zhenggai.supervision.models import SupervisionRun
from zhenggai.supervision.services import run_sweep, run_weekly


class Command(BaseCommand):
    help = "督查督办的定时任务：sweep（每日预警巡检、督办单升级）、weekly（每周一汇总）、runs（最近的运行记录）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{sweep,weekly,runs}")
        actions.add_parser("sweep", help="重新计算预警颜色，记录变化，督办单逾期升级，有变化才通知")
        weekly = actions.add_parser("weekly", help="发送每周一汇总（同一天只发一次）")
        weekly.add_argument("--force", action="store_true", help="今天已发送过也再发一次")
        runs = actions.add_parser("runs", help="列出最近的运行记录")
        runs.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "runs":
            for past in SupervisionRun.objects.all()[: max(1, options["limit"])]:
                self.stdout.write(self._line(past))
            return
        try:
            run = run_sweep() if action == "sweep" else run_weekly(force=options["force"])
        except JobSkipped as skipped:  # another start runs it or ran it: not an error for cron
            self.stdout.write(skipped.message)
            if skipped.message == DONE:
                self.stdout.write("今天的每周汇总已经发送过（如需重发，加 --force）。")
            return
        except Exception as exc:  # recorded on the run already; the exit status tells cron
            raise CommandError(f"{'预警巡检' if action == 'sweep' else '每周汇总'}失败：{exc}") from exc
        self.stdout.write(self._line(run))
        if run.outcome != RunOutcome.OK:
            raise CommandError(f"运行记录 {run.pk}：{run.error.splitlines()[0] if run.error else '失败'}")

    @staticmethod
    def _line(run: SupervisionRun) -> str:
        took = f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else "-"
        counts = json.dumps(run.counts, ensure_ascii=False, sort_keys=True)
        return f"#{run.pk} {run.get_kind_display()} {run.period} {run.get_outcome_display()} {took} {counts}"
