"""The `zhenggai` console script: Django's management commands and ours, without manage.py."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from zhenggai.env import restrict_umask

    restrict_umask()  # before settings create the data directory or SQLite its database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        # A bad environment value stops start-up with its message, not a traceback.
        print(f"zhenggai: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhenggai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
