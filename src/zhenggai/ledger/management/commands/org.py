"""`zhenggai org template|import`: the organisation template, and the bulk import of units and users."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.errors import NotPermitted
from zhenggai.ledger.services.organisation.import_plan import OrgImportResult
from zhenggai.ledger.services.organisation.importing import import_organisation
from zhenggai.sheets.org import read_org, write_passwords, write_template
from zhenggai.sheets.read import SheetReadError

SHOWN = 200  # lines of each list printed; the counts are always complete


class Command(BaseCommand):
    help = "单位和用户：template 写出导入模板；import 从 .xlsx 批量导入（先全部校验，无误才一次写入）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        template = actions.add_parser("template", help="写出单位和用户的导入模板（.xlsx）")
        template.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")
        imp = actions.add_parser("import", help="从 .xlsx 批量导入单位和用户")
        imp.add_argument("file", help="按模板填写的文件（.xlsx）")
        imp.add_argument(
            "--by", metavar="USERNAME", required=True, help="以该用户的身份导入（权限与全程纪实）"
        )
        imp.add_argument("--dry-run", action="store_true", help="只校验并列出将要进行的变更，不写入")
        imp.add_argument(
            "--passwords", metavar="FILE", help="把系统生成的初始密码写入这个 .xlsx 文件（否则打印在屏幕上）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "template":
            output = Path(options["output"])
            if output.suffix.lower() != ".xlsx":
                raise CommandError(f"输出文件“{output}”应以 .xlsx 结尾。", returncode=2)
            try:
                write_template(output)
            except OSError as exc:
                raise CommandError(f"无法写入“{output}”：{exc.strerror or exc}。", returncode=2) from None
            self.stdout.write(f"已写出导入模板 {output}")
            return
        self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        try:
            user = User.objects.get(username=options["by"])
        except User.DoesNotExist:
            raise CommandError(f"用户“{options['by']}”不存在。", returncode=2) from None
        passwords_file = Path(options["passwords"]) if options["passwords"] else None
        if passwords_file is not None and passwords_file.suffix.lower() != ".xlsx":
            raise CommandError(f"密码文件“{passwords_file}”应以 .xlsx 结尾。", returncode=2)
        try:
            book = read_org(options["file"])
            result = import_organisation(
                book, by=user, dry_run=options["dry_run"], name=Path(options["file"]).name
            )
        except (NotPermitted, SheetReadError) as exc:
            raise CommandError(exc.message, returncode=2) from None
        self._report(result)
        if not result.ok:
            raise CommandError(
                f"导入未完成：共{len(result.errors)}处错误，没有写入任何数据。请改正后重新导入。"
            )
        if result.passwords:
            if passwords_file is not None:
                try:
                    write_passwords(result.passwords, passwords_file)
                except OSError as exc:
                    raise CommandError(
                        f"已导入，但无法写入“{passwords_file}”：{exc.strerror or exc}。"
                        "请用 zhenggai changepassword 为新用户设置密码。",
                        returncode=2,
                    ) from None
                self.stdout.write(
                    f"{len(result.passwords)} 个新用户的初始密码已写入 {passwords_file}（只此一份）。"
                )
            else:
                self.stdout.write("系统生成的初始密码（只显示这一次）：")
                for item in result.passwords:
                    self.stdout.write(f"  {item.username}\t{item.full_name}\t{item.password}")

    def _report(self, result: OrgImportResult) -> None:
        out = self.stdout
        for title, lines in (
            ("错误", result.errors),
            ("提示", result.notes),
            ("新建单位", result.units_created),
            ("修改单位", result.units_changed),
            ("新建用户", result.users_created),
            ("修改用户", result.users_changed),
            ("添加角色", result.roles_added),
        ):
            if not lines:
                continue
            out.write(f"{title}({len(lines)}):")
            for line in lines[:SHOWN]:
                out.write(f"  {line}")
            if len(lines) > SHOWN:
                out.write(f"  ……另有{len(lines) - SHOWN}条")
        counts = result.counts()
        summary = (
            f"新建单位{counts['units_created']}个，修改单位{counts['units_changed']}个，"
            f"新建用户{counts['users_created']}个，修改用户{counts['users_changed']}个，"
            f"添加角色{counts['roles_added']}个"
        )
        if result.dry_run:
            out.write(f"试导入（未写入）：{summary}。")
        elif result.ok:
            out.write(f"已导入：{summary}。全程纪实请求ID:{result.request_id}")
