"""`zhenggai serve`: the production web server (gunicorn, threaded workers) with the production checks."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from zhenggai.env import env_int, env_str

# NCSA combined log format (what nginx and Apache write), then the response time in microseconds.
SERVE_CONN_MAX_AGE = 300
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def production_problems() -> list[str]:
    """What stops the production server from starting, in Chinese; empty when it may start."""
    problems = []
    if settings.DEBUG:
        problems.append("生产环境不能开启调试模式：请在配置文件中设置 ZHENGGAI_DEBUG=false。")
    if not os.environ.get("ZHENGGAI_SECRET_KEY"):
        problems.append(
            "未设置密钥：请在配置文件中设置 ZHENGGAI_SECRET_KEY（至少 32 个字符，可用 "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' 生成）。"
        )
    if not os.environ.get("ZHENGGAI_ALLOWED_HOSTS"):
        problems.append(
            "未设置访问域名：请在配置文件中设置 ZHENGGAI_ALLOWED_HOSTS（用户打开系统时的主机名，逗号分隔）。"
        )
    data_dir = os.environ.get("ZHENGGAI_DATA_DIR", "")
    if not data_dir or not Path(data_dir).is_absolute():
        problems.append(
            "数据目录必须是绝对路径：请在配置文件中设置 ZHENGGAI_DATA_DIR（如 /var/lib/zhenggai）。"
        )
    return problems


def gunicorn_options(bind: str | None) -> dict[str, Any]:
    return {
        "bind": [bind or env_str("ZHENGGAI_BIND", "127.0.0.1:8000")],
        "workers": env_int("ZHENGGAI_WORKERS", 2, minimum=1),
        "threads": env_int("ZHENGGAI_THREADS", 4, minimum=1),
        "worker_class": "gthread",
        # A parse of an uploaded file may take ZHENGGAI_PARSE_SECONDS; leave room around it.
        "timeout": env_int("ZHENGGAI_TIMEOUT", max(120, settings.PARSE_SECONDS + 30), minimum=10),
        "graceful_timeout": 30,
        # No keep-alive between requests: a kept-alive connection stays with the worker that accepted it, and
        # 8 connections all taken by one of two workers left a core idle (half the req/s, issue 12). Closing
        # after each response lets the next request go to whichever worker is free (loopback: ~0.1 ms).
        "keepalive": 0,
        "accesslog": env_str("ZHENGGAI_ACCESS_LOG", "-") or None,  # empty: no access log
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": env_str("ZHENGGAI_ERROR_LOG", "-"),
        "loglevel": env_str("ZHENGGAI_LOG_LEVEL", "INFO").lower(),
        # X-Forwarded-Proto is believed from these addresses only (nginx on the same machine by default).
        "forwarded_allow_ips": env_str("ZHENGGAI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "proc_name": "zhenggai",
        "preload_app": False,
        "control_socket_disable": True,  # no socket in the home directory; signals do (HUP, USR1, TERM)
        "post_worker_init": freeze_loaded_objects,
    }


class Command(BaseCommand):
    help = "以生产方式启动网页服务（gunicorn；SIGHUP 平滑重启工作进程）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="监听地址，如 127.0.0.1:8000（默认取 ZHENGGAI_BIND）")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = production_problems()
        if problems:
            raise CommandError("不能以生产方式启动：\n" + "\n".join(problems), returncode=2)
        # Hashed, compressed copies of the static files for WhiteNoise (and for nginx, if it serves them).
        call_command("collectstatic", interactive=False, verbosity=0)
        keep_database_connections()
        connections.close_all()  # the workers are forked: no connection may be shared with them
        run_gunicorn(gunicorn_options(options["bind"]))


def freeze_loaded_objects(worker: Any = None) -> None:
    """In each worker once the application is loaded: the URLs (and with them every view, form and model) are
    loaded, then everything alive is moved out of the garbage collector's sight (gc.freeze). A worker holds
    about 150,000 such objects, and the full collection that walked them (about 100 ms) ran every 20 requests or
    so: 5 ms a request on average, which the p50 does not show and req/s does."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.collect()
    gc.freeze()


def keep_database_connections() -> None:
    """Each worker thread keeps its database connection between requests (ZHENGGAI_CONN_MAX_AGE seconds,
    default 300 here; checked before reuse): a new connection per request cost the bare page a quarter of its
    time on SQLite (a cold page cache each time) and a backend start on PostgreSQL. The development server and
    the tests keep Django's default (a new connection per request), since they start a thread per request."""
    if "ZHENGGAI_CONN_MAX_AGE" not in os.environ:
        settings.DATABASES["default"]["CONN_MAX_AGE"] = SERVE_CONN_MAX_AGE


def run_gunicorn(options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from zhenggai.wsgi import application

            return application

    Application().run()
