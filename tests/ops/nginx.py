"""nginx on loopback ports in a temporary folder, with the site file from deploy/nginx as shipped (only the
ports, paths and certificate swapped), in front of `zhenggai serve`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.server import free_port

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "zhenggai.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Proxy:
    https: str
    http: str
    certificate: Path
    log: Path


def require_nginx() -> None:
    if not Path(NGINX).exists():
        if os.environ.get("ZHENGGAI_REQUIRE_NGINX"):  # ./dev test installs nginx: missing is a failure
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed (./dev test installs the Debian package)")


def self_signed(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True)
    crt, key = folder / "zhenggai.crt", folder / "zhenggai.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    return crt, key


@contextmanager
def nginx_in_front(app_port: int, data_dir: Path, folder: Path) -> Iterator[Proxy]:
    require_nginx()
    folder.mkdir(parents=True, exist_ok=True)
    crt, _ = self_signed(folder / "tls")
    https_port, http_port = free_port(), free_port()
    site = SITE.read_text(encoding="utf-8")
    for shipped, here in {
        "listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        "/var/lib/zhenggai/": f"{data_dir}/",
        "/etc/zhenggai/tls/": f"{folder / 'tls'}/",
    }.items():
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} info;\n"
        "daemon off;\nevents { worker_connections 64; }\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log {folder / 'access.log'};\n{temp}"
        f"include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    log = folder / "error.log"
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not (folder / "nginx.pid").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not start:\n{log.read_text() if log.exists() else ''}")
            time.sleep(0.1)
        yield Proxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", crt, log)
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
