from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ledger.demo import USERS, demo_exists, load_demo


class Command(BaseCommand):
    help = "Load the demo data set (a fictional bureau's inspection ledger, one user per role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already has data",
        )
        parser.add_argument("--password", help="use this password for every demo user instead of random ones")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            if options["if_empty"]:
                self.stdout.write("数据库中已有数据，跳过演示数据。")
                return
            raise CommandError("数据库中已有数据，演示数据只能装入空数据库。", returncode=2)
        result = load_demo(password=options["password"])
        roles = {username: role.label for username, _, role in USERS} | {
            "admin": "系统管理员（后台 /admin/）"
        }
        self.stdout.write(self.style.SUCCESS(f"已装入演示数据：巡察编号 {result.inspection.pk}。"))
        self.stdout.write("演示账号（密码只显示这一次）：")
        for username, password in result.passwords.items():
            self.stdout.write(f"  {username:<10} {password:<16} {roles[username]}")
