"""The `zhenggai` console script: Django's management commands and ours, without manage.py."""

from __future__ import annotations

import os
import sys

# Commands that may create the data directory (the default ./var) and need no migrated database first.
CREATING = frozenset({"migrate", "runserver", "serve", "restore", "upgrade", "collectstatic"})
# Commands that run on an empty or unmigrated database (or none at all).
NO_DATABASE = frozenset(
    {
        "migrate",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "optimizemigration",
        "check",
        "help",
        "version",
        "collectstatic",
        "findstatic",
        "parse",
        "restore",
        "upgrade",
        "runserver",
        "shell",
        "dbshell",
        "test",
        "diffsettings",
        "startapp",
        "startproject",
        "makemessages",
        "compilemessages",
        "sendtestemail",
    }
)
# Commands that serve or build the collected static files with hashed names (long cache headers).
MANIFEST_STATIC = frozenset({"serve", "upgrade", "collectstatic"})


def main(argv: list[str] | None = None) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from zhenggai.env import NO_DEFAULT_DIR, load_env_file, restrict_umask

    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args and not args[0].startswith("-") else "help"
    asks_help = command == "help" or "-h" in args or "--help" in args
    try:
        load_env_file()  # /etc/zhenggai/zhenggai.env (or ZHENGGAI_ENV_FILE): serve, cron jobs and the CLI alike
    except ImproperlyConfigured as exc:
        print(f"zhenggai：配置错误：{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if command == "restore":  # --into names the target database: it replaces DATABASE_URL for this run
        for i, arg in enumerate(args):
            if arg == "--into" and i + 1 < len(args):
                os.environ["DATABASE_URL"] = args[i + 1]
            elif arg.startswith("--into="):
                os.environ["DATABASE_URL"] = arg.split("=", 1)[1]
    if command not in CREATING:
        os.environ[NO_DEFAULT_DIR] = "1"
    if command in MANIFEST_STATIC:
        os.environ.setdefault("ZHENGGAI_STATIC_MANIFEST", "1")
    restrict_umask()  # before settings create the data directory or SQLite its database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        # A bad environment value stops start-up with its message, not a traceback.
        print(f"zhenggai：配置错误：{exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line
    from django.db.utils import DatabaseError

    from zhenggai.ops.database import NOT_MIGRATED, database_problem, is_missing_table

    if command not in NO_DATABASE and not asks_help:
        problem = database_problem()
        if problem:
            print(problem, file=sys.stderr)
            raise SystemExit(2)
    try:
        execute_from_command_line(["zhenggai", *args])
    except DatabaseError as exc:
        if not is_missing_table(exc):
            raise
        print(NOT_MIGRATED, file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
