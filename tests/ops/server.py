"""Running the `zhenggai` command and `zhenggai serve` as an operator does: real processes on loopback ports,
a real data directory, a configuration file; and a small HTTP client with a cookie jar and the CSRF token."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ZHENGGAI = [sys.executable, "-m", "zhenggai"]
PASSWORD = "Demo-pass-2024"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def base_env(**extra: str) -> dict[str, str]:
    """The test process's environment without its database or data directory, no configuration file."""
    drop = {
        "DATABASE_URL",
        "ZHENGGAI_DATA_DIR",
        "ZHENGGAI_SECRET_KEY",
        "ZHENGGAI_ALLOWED_HOSTS",
        "ZHENGGAI_DEBUG",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}
    return env | {"ZHENGGAI_ENV_FILE": ""} | extra


def zhenggai(
    args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZHENGGAI, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return (
        base_env(
            ZHENGGAI_DATA_DIR=str(data_dir),
            ZHENGGAI_SECRET_KEY=secrets.token_urlsafe(50),
            ZHENGGAI_ALLOWED_HOSTS="127.0.0.1,localhost",
            ZHENGGAI_WORKERS="2",
            ZHENGGAI_THREADS="2",
        )
        | extra
    )


def make_demo(data_dir: Path, env: dict[str, str]) -> None:
    for args in (["migrate", "--no-input", "-v", "0"], ["demo", "--password", PASSWORD]):
        result = zhenggai(args, env | {"ZHENGGAI_DATA_DIR": str(data_dir)})
        assert result.returncode == 0, result.stderr


def copy_data_dir(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@dataclass
class Server:
    process: subprocess.Popen[str]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until_up(url: str, process: subprocess.Popen[str], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds} s:\n{log.read_text()}")


@contextmanager
def serving(env: dict[str, str], log: Path, port: int | None = None) -> Iterator[Server]:
    port = port or free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*ZHENGGAI, "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process, log)
        yield Server(process, base, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Browser:
    """Just enough of a browser: cookies, the CSRF token, form posts; redirects are not followed; header
    names in lower case."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    context: object = None

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.jar),
            NoRedirect(),
        ]
        if self.context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.context))  # type: ignore[arg-type]
        self.opener = urllib.request.build_opener(*handlers)

    def request(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request(path)

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return str(cookie.value)
        raise AssertionError("no csrftoken cookie")

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": self.csrf()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + path}
        return self.request(path, body, headers)

    def post_multipart(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
    ) -> tuple[int, dict[str, str], bytes]:
        boundary = "----zhenggai" + secrets.token_hex(8)
        parts: list[bytes] = []
        for name, value in (fields | {"csrfmiddlewaretoken": self.csrf()}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content, content_type) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path}
        return self.request(path, body, headers)

    def login(self, username: str, password: str = PASSWORD) -> None:
        status, _, _ = self.get("/accounts/login/")
        assert status == 200
        status, headers, body = self.post("/accounts/login/", {"username": username, "password": password})
        assert status == 302, body.decode(errors="replace")[:2000]
        assert headers.get("location") in {"/", self.base + "/"}


def csrf_from(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match
    return match.group(1).decode()
