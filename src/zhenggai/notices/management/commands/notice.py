"""`zhenggai notice render|publish INSPECTION`, `zhenggai notice approve|sign|withdraw NOTICE`.

render   writes the file only (.docx, .html or .md); nothing is stored and no user is needed.
publish  stores a new version through `publish_notice` as a draft (拟稿), acting as the user named by --by
         (permission checked, audited), and can also write the stored .docx to -o.
approve  审定 a draft (another leader or supervisor than the drafter, --note for the opinion);
sign     签发: an approved version goes out; withdraw 撤回 a version (--reason required).
"""

from __future__ import annotations

import datetime as dt
import errno
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Inspection
from zhenggai.notices.choices import Audience, ExcludedKind, Exemption
from zhenggai.notices.document import Contact
from zhenggai.notices.models import Notice
from zhenggai.notices.redact import Redactions
from zhenggai.notices.render import render_docx, render_html, render_markdown
from zhenggai.notices.services import Exclusion, prepare_notice, publish_notice
from zhenggai.notices.workflow import approve_notice, sign_notice, withdraw_notice

FORMATS = {"docx": ".docx", "html": ".html", "md": ".md"}
_SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


class Command(BaseCommand):
    help = "从整改台账生成巡察整改情况通报：render 只写文件；publish 保存为一个通报版本（需 --by 用户名）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="render|publish|approve|sign|withdraw"
        )
        render = sub.add_parser("render", help="生成通报文件（不保存版本）")
        _common(render)
        render.add_argument("-o", "--output", required=True, help="输出文件，如 通报.docx")
        render.add_argument(
            "--format", choices=sorted(FORMATS), help="docx、html 或 md；不写时按输出文件的扩展名"
        )
        publish = sub.add_parser("publish", help="保存一个通报版本（有权限检查和全程纪实）")
        _common(publish)
        publish.add_argument("--by", required=True, metavar="USERNAME", help="以此用户的身份发布")
        publish.add_argument("-o", "--output", help="同时把保存的 .docx 写到这个文件")
        publish.add_argument(
            "--exclude",
            action="append",
            default=[],
            metavar="KIND:ID:REASON",
            help="不予公开的事项，如 measure:17:privacy;KIND 为 finding 或 measure,REASON 为 "
            + "、".join(Exemption.values),
        )

        for name, help_text in (
            ("approve", "审定一个拟稿的通报版本"),
            ("sign", "签发发布一个已审定的通报版本"),
            ("withdraw", "撤回一个通报版本"),
        ):
            step = sub.add_parser(name, help=help_text)
            step.add_argument("notice", type=int, help="通报版本的编号（通报版本页面和 publish 的输出中有）")
            step.add_argument("--by", required=True, metavar="USERNAME", help="以此用户的身份操作")
            if name == "approve":
                step.add_argument("--note", default="", help="审定意见")
            if name == "withdraw":
                step.add_argument("--reason", required=True, help="撤回理由")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("approve", "sign", "withdraw"):
            self._step(options)
            return
        try:
            inspection = Inspection.objects.select_related("inspected_unit").get(pk=options["inspection"])
        except Inspection.DoesNotExist:
            raise CommandError(f"巡察（编号 {options['inspection']}）不存在。", returncode=2) from None
        try:
            if options["action"] == "render":
                self._render(inspection, options)
            else:
                self._publish(inspection, options)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _render(self, inspection: Inspection, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        fmt = options["format"] or _SUFFIXES.get(output.suffix.lower())
        if fmt is None:
            raise CommandError(
                f"无法从文件名“{output.name}”判断格式，请用 --format docx|html|md 指定。", returncode=2
            )
        prepared = prepare_notice(
            inspection,
            audience=_audience(options),
            redactions=_redactions(options),
            contact=_contact(options),
            date=options["date"],
        )
        if fmt == "docx":
            data = render_docx(prepared.doc, prepared.options)
        elif fmt == "html":
            data = render_html(prepared.doc, prepared.options).encode("utf-8")
        else:
            data = render_markdown(prepared.doc, prepared.options).encode("utf-8")
        _write(output, data)
        self._done(output, prepared.redaction)

    def _step(self, options: dict[str, Any]) -> None:
        user = _user(options["by"])
        notice = Notice.objects.filter(pk=options["notice"]).first()
        if notice is None:
            raise CommandError(f"通报版本（编号 {options['notice']}）不存在。", returncode=2)
        try:
            if options["action"] == "approve":
                notice = approve_notice(by=user, notice=notice, note=options["note"])
            elif options["action"] == "sign":
                notice = sign_notice(by=user, notice=notice)
            else:
                notice = withdraw_notice(by=user, notice=notice, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"“{notice.title}”第{notice.version}版：{notice.get_state_display()}。")

    def _publish(self, inspection: Inspection, options: dict[str, Any]) -> None:
        user = _user(options["by"])
        output = Path(options["output"]) if options["output"] else None
        if output is not None:
            _check_writable(output)
        notice = publish_notice(
            by=user,
            inspection=inspection,
            audience=_audience(options),
            redactions=_redactions(options),
            exclusions=[_exclusion(text) for text in options["exclude"]],
            contact=_contact(options),
            date=options["date"],
        )
        self.stdout.write(
            f"已保存“{notice.title}”第{notice.version}版（{notice.get_audience_display()}，拟稿，"
            f"通报版本编号 {notice.pk}），Word 文件：{notice.docx.name}"
        )
        self.stdout.write(
            f"下一步：zhenggai notice approve {notice.pk} --by 审定人；再 zhenggai notice sign {notice.pk} --by 签发人。"
        )
        if output is not None:
            with notice.docx.open("rb") as stored:
                _write(output, stored.read())
            self._done(output, notice.redaction)

    def _done(self, output: Path, redaction: dict[str, Any]) -> None:
        self.stdout.write(f"已写入 {output}")
        if redaction:
            self.stdout.write(str(redaction.get("summary", "")))


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用。", returncode=2)
    return user


def _common(parser: ArgumentParser) -> None:
    parser.add_argument("inspection", type=int, help="巡察编号")
    parser.add_argument(
        "--public", action="store_true", help="向社会公开的版本：脱敏（姓名、电话、证件号、账号）"
    )
    parser.add_argument("--name", action="append", default=[], help="另外需要脱敏的姓名（可重复）")
    parser.add_argument(
        "--mark", action="append", default=[], help="需要遮盖的文字（可重复，每处出现都遮盖）"
    )
    parser.add_argument("--phone", help="公开的监督电话（公开版不遮盖）")
    parser.add_argument("--address", help="通信地址")
    parser.add_argument("--postcode", help="邮政编码")
    parser.add_argument("--email", help="电子邮箱")
    parser.add_argument("--date", type=_date, help="成文日期 YYYY-MM-DD（默认今天）")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"日期“{text}”无法识别，请写成 2024-09-20 的形式") from None


def _audience(options: dict[str, Any]) -> str:
    return Audience.PUBLIC if options["public"] else Audience.INTERNAL


def _redactions(options: dict[str, Any]) -> Redactions | None:
    if not (options["name"] or options["mark"]):
        return None
    return Redactions(names=tuple(options["name"]), spans=tuple(options["mark"]))


def _contact(options: dict[str, Any]) -> Contact:
    return Contact(
        phone=options["phone"],
        address=options["address"],
        postcode=options["postcode"],
        email=options["email"],
    )


def _exclusion(text: str) -> Exclusion:
    kind, _, rest = text.partition(":")
    number, _, reason = rest.partition(":")
    if kind not in ExcludedKind.values or not number.isdigit() or not reason:
        raise CommandError(
            f"--exclude “{text}”的格式不对，应为 finding：编号：理由 或 measure：编号：理由。", returncode=2
        )
    return Exclusion(kind=kind, id=int(number), reason=reason)


def _check_writable(output: Path) -> None:
    if output.is_dir():
        raise CommandError(f"无法写入“{output}”：这是一个文件夹。", returncode=2)
    if not output.parent.is_dir():
        raise CommandError(f"无法写入“{output}”：文件夹“{output.parent}”不存在。", returncode=2)


def _write(output: Path, data: bytes) -> None:
    _check_writable(output)
    try:
        output.write_bytes(data)
    except OSError as exc:
        why = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
        raise CommandError(f"无法写入“{output}”：{why}。", returncode=2) from None


_OS_ERRORS = {
    errno.ENOENT: "路径不存在",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹",
}
