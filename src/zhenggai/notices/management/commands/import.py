"""`zhenggai import FILE --unit UNIT [--round ROUND] [--dry-run] --by USERNAME`: a published notice into the ledger.

Exit codes: 0 imported (or dry run passed); 2 the input cannot be used (unreadable file, no findings, unknown
unit, round or user); 1 the ledger refused (no permission, already imported, a value it does not accept).
"""

from __future__ import annotations

import uuid
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.middleware import current_request_id
from zhenggai.ledger.models import Round, Unit
from zhenggai.notices.importing import (
    ImportPlan,
    ImportResult,
    file_bytes,
    import_notice,
    plan_measures,
    read_notice,
    unit_mismatch,
)
from zhenggai.notices.read import NoticeReadError

_ROWS = (
    ("方面", "aspects", "aspects", None),
    ("问题", "problems", "problems", "problems"),
    ("具体问题", "details", "details", "details"),
    ("整改措施", "measures", "measures", "measures"),
    ("已完成", "completed", "done", "done"),
)


class Command(BaseCommand):
    help = "把一份巡察整改情况通报（文本、网页或 .docx）导入为一次巡察的整改台账；全部成功才写入。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="通报文件：.txt（UTF-8/GBK/GB18030）、.html 或 .docx")
        parser.add_argument("--unit", required=True, help="被巡察单位：单位编号或完整名称（或简称）")
        parser.add_argument("--round", help="巡察轮次：编号或完整名称（须已在后台建立）")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME", help="以该用户的身份导入（权限与全程纪实）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只解析和校验，不写入任何数据")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            plan = read_notice(file_bytes(path), path.name)
        except NoticeReadError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except DomainError as exc:  # nothing to import: the input is unusable, not refused
            raise CommandError(exc.message, returncode=2) from None
        user = _user(options["by"])
        unit = _unit(options["unit"])
        round_ = _round(options["round"]) if options["round"] else None
        token = current_request_id.set(f"notice-import-{uuid.uuid4().hex[:12]}")
        try:
            result = import_notice(plan, by=user, unit=unit, round=round_, dry_run=options["dry_run"])
        except DomainError as exc:
            self._report(plan, unit, None)
            raise CommandError(f"{exc.message}没有写入任何数据。", returncode=1) from None
        finally:
            request_id = current_request_id.get()
            current_request_id.reset(token)
        self._report(plan, unit, result)
        if result.dry_run:
            self.stdout.write("试运行：校验通过，没有写入任何数据。")
        else:
            self.stdout.write(f"导入完成：巡察编号 {result.inspection_id}。全程纪实请求ID：{request_id}")

    def _report(self, plan: ImportPlan, unit: Unit, result: ImportResult | None) -> None:
        out = self.stdout
        doc = plan.doc
        out.write(f"文件：{plan.filename}（SHA-256 {plan.sha256[:16]}…）")
        out.write(f"标题：{doc.title or '(无)'}")
        period = f"{plan.onsite_start or '?'} 至 {plan.onsite_end or '?'}"
        out.write(
            f"巡察：{plan.inspector}（{plan.kind.label}）对{unit.name}，进驻 {period},"
            f"反馈 {plan.feedback_date or '?'}"
        )
        ledger: dict[str, int | float] = dict(result.figures) if result else {}
        ledger["aspects"] = plan.counts.aspects
        header = ["", "通报写明", "解析所得", "导入台账" if result else "计划导入"]
        rows = [header]
        for label, stated_name, found_name, ledger_name in _ROWS:
            stated = getattr(doc.stated, stated_name)
            planned = getattr(plan.counts, found_name)
            in_ledger = ledger.get(ledger_name or "aspects", planned) if result else planned
            rows.append([label, _num(stated), _num(getattr(doc.counts, found_name)), _num(in_ledger)])
        for row in rows:
            out.write("  " + _cell(row[0], 10) + "".join(_cell(value, 10, right=True) for value in row[1:]))
        c = plan.counts
        out.write(f"  措施状态：已完成{c.done} 持续推进{c.ongoing} 整改中{c.in_progress} 未启动{c.draft}")
        if doc.checks:
            out.write("核对：")
            for check in doc.checks:
                out.write(f"  {'✓' if check.ok else '✗'} {check.note}")
        else:
            out.write("核对：通报未写明可核对的数字。")
        notes = [*filter(None, [unit_mismatch(plan, unit)]), *plan.adjustments, *plan.notes]
        if notes:
            out.write("提示：")
            for note in notes:
                out.write(f"  · {note}")
        if plan.measure_warnings:
            out.write("请核对状态的措施：")
            measures = plan_measures(plan)
            for number, to_check in plan.measure_warnings.items():
                out.write(f"  第{number + 1}条：{to_check}{_quote(measures[number].text)}")
        if doc.warnings:
            out.write(f"未能归类的文字：{len(doc.warnings)}处")
            for warning in doc.warnings:
                where = f"第{warning.line}行" if warning.line else "全文"
                out.write(f"  {where}：{warning.message}{_quote(warning.text)}")


def _quote(text: str, size: int = 40) -> str:
    if not text:
        return ""
    return "「" + (text if len(text) <= size else text[:size] + "…") + "」"


def _num(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _cell(text: str, width: int, *, right: bool = False) -> str:
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def _user(username: str) -> User:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用。", returncode=2)
    assert isinstance(user, User)
    return user


def _unit(ref: str) -> Unit:
    ref = ref.strip()
    if ref.isdigit():
        unit = Unit.objects.filter(pk=int(ref)).first()
        if unit is None:
            raise CommandError(f"单位编号 {ref} 不存在。", returncode=2)
        return unit
    matches = list(Unit.objects.filter(Q(name=ref) | Q(short_name=ref))[:6])
    if not matches:
        raise CommandError(f"找不到名称为“{ref}”的单位（请写完整名称、简称或单位编号）。", returncode=2)
    if len(matches) > 1:
        listed = "、".join(f"{u.name}（编号 {u.pk}）" for u in matches[:5])
        raise CommandError(f"名称“{ref}”对应多个单位：{listed}；请改用单位编号。", returncode=2)
    return matches[0]


def _round(ref: str) -> Round:
    ref = ref.strip()
    if ref.isdigit():
        found = Round.objects.filter(pk=int(ref)).first()
        if found is None:
            raise CommandError(f"巡察轮次编号 {ref} 不存在。", returncode=2)
        return found
    matches = list(Round.objects.filter(name=ref)[:6])
    if not matches:
        raise CommandError(f"找不到巡察轮次“{ref}”；轮次须先在后台“巡察轮次”中建立。", returncode=2)
    if len(matches) > 1:
        listed = "、".join(f"编号 {r.pk}" for r in matches[:5])
        raise CommandError(f"名称“{ref}”对应多个巡察轮次（{listed}）；请改用轮次编号。", returncode=2)
    return matches[0]
