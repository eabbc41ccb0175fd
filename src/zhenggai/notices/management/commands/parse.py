"""`zhenggai parse FILE [--json]`: read a published notice and show what the parser found.

`zhenggai parse DIR --report` checks a whole folder (an office's archive): per file the counts, the stated
figures, the checks (✓/✗) and the warnings, then one summary line (files, parsed, unreadable, crashed)."""

from __future__ import annotations

import json
import logging
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhenggai.notices.document import NoticeDoc
from zhenggai.notices.importing import file_bytes
from zhenggai.notices.parse import NoticeReadError
from zhenggai.notices.sandboxed import parse_untrusted
from zhenggai.notices.summary import summary_text

# Files a folder report reads; others (images, spreadsheets…) are skipped and counted
SUFFIXES = (".txt", ".text", ".html", ".htm", ".shtml", ".docx", ".pdf", ".doc", ".wps")
_STATED_LABELS = (
    ("aspects", "方面"),
    ("problems", "问题"),
    ("details", "具体问题"),
    ("measures", "措施"),
    ("completed", "已完成"),
    ("in_progress", "正在整改"),
    ("completion_rate", "完成率"),
    ("regulations", "建章立制"),
)
log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "解析一份巡察整改情况通报（文本、网页、.docx、.pdf、.doc/.wps），显示统计、核对结果和未能归类的文字；"
        "对一个文件夹加 --report，逐个文件列出结果并汇总。"
    )
    requires_system_checks: list[str] = []  # reading a file needs neither the database nor the checks

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file",
            help="通报文件或文件夹：.txt（UTF-8/GBK/GB18030）、.html、.docx、.pdf（文字层）或 .doc/.wps（需 LibreOffice）",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出完整的解析结果")
        parser.add_argument(
            "--report", action="store_true", help="逐个文件列出统计、通报所称数字、核对和警告，最后一行汇总"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if options["report"]:
            self._report(path)
            return
        try:
            doc = parse_untrusted(file_bytes(path), path.name)
        except NoticeReadError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(summary_text(doc))

    def _report(self, root: Path) -> None:
        if not root.exists():
            raise CommandError(f"找不到“{root}”。", returncode=2)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            skipped = sum(1 for p in root.rglob("*") if p.is_file() and p.suffix.lower() not in SUFFIXES)
        else:
            files, skipped = [root], 0
        parsed = unreadable = crashed = 0
        for path in files:
            name = str(path.relative_to(root)) if root.is_dir() else path.name
            try:
                doc = parse_untrusted(file_bytes(path), path.name)
            except NoticeReadError as exc:
                unreadable += 1
                self.stdout.write(f"✗ {name}：无法读取：{exc}")
                continue
            except Exception:  # a parser bug: counted and logged, the report goes on
                crashed += 1
                log.exception("parse crashed on %s", path)
                self.stdout.write(f"✗ {name}：解析程序出错（已记录日志），请把文件交给系统管理员。")
                continue
            parsed += 1
            self.stdout.write(_file_report(name, doc))
        self.stdout.write(
            f"汇总：文件{len(files)}个，解析{parsed}个，无法读取{unreadable}个，崩溃{crashed}个"
            + (f"，跳过其他类型文件{skipped}个" if skipped else "")
            + "。"
        )
        if crashed:
            raise CommandError(f"{crashed}个文件解析出错。", returncode=1)


def _file_report(name: str, doc: NoticeDoc) -> str:
    c = doc.counts
    ok = all(check.ok for check in doc.checks)
    mark = "✓" if ok and not doc.warnings else "✗"
    lines = [f"{mark} {name}：{doc.title or '（无标题）'}"]
    lines.append(
        f"  统计：{c.aspects}个方面，{c.problems}个问题，{c.details}个具体问题，{c.measures}条措施，已完成{c.done}条"
    )
    stated = [
        f"{label}{_number(getattr(doc.stated, key))}"
        for key, label in _STATED_LABELS
        if getattr(doc.stated, key) is not None
    ]
    lines.append("  通报所称：" + ("，".join(stated) if stated else "未写明"))
    lines.extend(f"  {'✓' if check.ok else '✗'} {check.note}" for check in doc.checks)
    if doc.inspection.whole_round:
        lines.append(f"  说明：{doc.inspection.note}")
    if doc.warnings:
        lines.append(f"  警告{len(doc.warnings)}处：")
        for warning in doc.warnings[:5]:
            where = f"第{warning.line}行" if warning.line else "全文"
            lines.append(f"    {where}：{warning.message}")
        if len(doc.warnings) > 5:
            lines.append(f"    ……另有{len(doc.warnings) - 5}处")
    return "\n".join(lines)


def _number(value: float) -> str:
    if isinstance(value, float):
        return f"{value:g}%"
    return str(value)
