"""`zhenggai backup -o FILE`: database, files and secret key in one verified archive, while the system runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhenggai.ops.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "备份数据库、佐证材料与通报文件、密钥到一个文件（系统运行时也可备份）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", required=True, help="备份文件，如 /var/backups/zhenggai-2024-06-01.tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"备份文件所在的目录不存在：{output.parent}", returncode=2)
        try:
            manifest = write_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["parts"] if name.startswith("media/"))
        self.stdout.write(
            f"已备份到 {output}：数据库 {len(manifest['counts'])} 张表 {rows} 行，{files} 个文件，密钥。"
        )
