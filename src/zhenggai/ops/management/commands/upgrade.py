"""`zhenggai upgrade`: after installing a new version — back up, migrate, collect static files, check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ops.backup import BackupError, database_is_empty, write_backup


class Command(BaseCommand):
    help = "升级：先备份，再迁移数据库、收集静态文件、检查配置。安装新版本之后、启动服务之前运行。"
    requires_system_checks: list[str] = []  # the check is step 4, after the migration

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backup-dir", help="升级前备份放在这里（默认为数据目录下的 backups/）", default=None
        )
        parser.add_argument("--no-backup", action="store_true", help="不备份（已另行备份时）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["no_backup"] or database_is_empty():
            self.stdout.write("1. 备份：跳过。")
        else:
            folder = Path(options["backup_dir"] or Path(settings.DATA_DIR) / "backups")
            folder.mkdir(parents=True, exist_ok=True, mode=0o750)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            output = folder / f"zhenggai-before-upgrade-{stamp}.tar.gz"
            try:
                write_backup(output)
            except BackupError as exc:
                raise CommandError(f"升级前备份失败，未做任何改动：{exc}", returncode=2) from None
            self.stdout.write(f"1. 备份：{output}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("2. 数据库迁移：完成。")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("3. 静态文件：已收集。")
        call_command("check", fail_level="ERROR")
        self.stdout.write("4. 检查：通过。升级完成，请重启服务（systemctl restart zhenggai）。")
