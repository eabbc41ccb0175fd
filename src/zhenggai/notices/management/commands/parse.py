"""`zhenggai parse FILE [--json]`: read a published notice and show what the parser found."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhenggai.notices.importing import file_bytes
from zhenggai.notices.parse import NoticeReadError
from zhenggai.notices.sandboxed import parse_untrusted
from zhenggai.notices.summary import summary_text


class Command(BaseCommand):
    help = "解析一份巡察整改情况通报（文本、网页或 .docx），显示统计、核对结果和未能归类的文字。"
    requires_system_checks: list[str] = []  # reading a file needs neither the database nor the checks

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file",
            help="通报文件：.txt（UTF-8/GBK/GB18030）、.html、.docx、.pdf（文字层）或 .doc/.wps（需 LibreOffice）",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出完整的解析结果")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = Path(options["file"])
            doc = parse_untrusted(file_bytes(path), path.name)
        except NoticeReadError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(summary_text(doc))
