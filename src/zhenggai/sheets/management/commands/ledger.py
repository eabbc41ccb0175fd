"""`zhenggai ledger export|import`: the 整改台账 as .xlsx, out and back in."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.errors import NotPermitted
from zhenggai.sheets.export import export_ledger, find_inspection
from zhenggai.sheets.importing import ImportResult, import_ledger
from zhenggai.sheets.read import SheetReadError


class Command(BaseCommand):
    help = "整改台账 Excel:export 导出为 .xlsx;import 从 .xlsx 导入（逐行校验，全部无误才写入）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        export = actions.add_parser("export", help="导出一次巡察的整改台账")
        export.add_argument("inspection", type=int, help="巡察编号")
        export.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")
        export.add_argument("--by", metavar="USERNAME", help="按该用户的权限范围导出（默认：全部）")
        imp = actions.add_parser("import", help="从 .xlsx 导入整改台账")
        imp.add_argument("file", help="台账文件（.xlsx）")
        imp.add_argument("--inspection", type=int, required=True, help="巡察编号")
        imp.add_argument(
            "--by", metavar="USERNAME", required=True, help="以该用户的身份导入（权限与全程纪实）"
        )
        imp.add_argument("--dry-run", action="store_true", help="只校验并列出将要进行的变更，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件“{output}”应以 .xlsx 结尾。", returncode=2)
        user = _user(options["by"]) if options["by"] else None
        try:
            inspection = find_inspection(options["inspection"], user)
        except NotPermitted as exc:
            raise CommandError(exc.message, returncode=2) from None
        try:
            count = export_ledger(inspection, output, user)
        except OSError as exc:
            raise CommandError(f"无法写入“{output}”：{exc.strerror or exc}。", returncode=2) from None
        self.stdout.write(f"已导出 {count} 条整改措施到 {output}")

    def _import(self, options: dict[str, Any]) -> None:
        user = _user(options["by"])
        try:
            result = import_ledger(
                options["file"], inspection_id=options["inspection"], by=user, dry_run=options["dry_run"]
            )
        except (NotPermitted, SheetReadError) as exc:
            raise CommandError(exc.message, returncode=2) from None
        self._report(result)
        if not result.ok:
            raise CommandError(
                f"导入未完成：共{len(result.errors)}处错误，没有写入任何数据。请改正后重新导入。"
            )

    def _report(self, result: ImportResult) -> None:
        out = self.stdout
        if result.errors:
            out.write("错误：")
            for line in result.errors:
                out.write(f"  {line}")
        if result.notes:
            out.write("提示：")
            for line in result.notes:
                out.write(f"  {line}")
        if result.ok and result.changes:
            out.write("将要进行的变更：" if result.dry_run else "已进行的变更：")
            for line in result.changes:
                out.write(f"  {line}")
        width = max(_width(label) for label, _ in result.summary())
        out.write(f"工作表“{result.sheet}”" + ("（试运行，未写入）" if result.dry_run else ""))
        for label, number in result.summary():
            out.write(f"  {label}{' ' * (width - _width(label))}  {number:>6}")
        if result.ok and not result.dry_run:
            out.write(f"导入完成。全程纪实请求ID：{result.request_id}")


def _width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _user(username: str) -> User:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用。", returncode=2)
    assert isinstance(user, User)
    return user
