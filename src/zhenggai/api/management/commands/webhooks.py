from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhenggai.api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Webhooks: `deliver` sends the queued messages that are due （钉钉、企业微信、JSON）."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deliver"])
        parser.add_argument("--limit", type=int, default=1000, help="at most this many messages")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deliver_due(limit=options["limit"])
        self.stdout.write(
            f"已送达 {counts['sent']} 条，稍后重试 {counts['retry']} 条，已放弃 {counts['failed']} 条。"
        )
