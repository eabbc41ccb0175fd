"""`./dev bundle` builds one archive; its install.sh installs on a machine without network (pip --no-index,
no local pip configuration), and the installed command works. Slow: about two minutes (wheels built once)."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.ops.server import base_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.usefixtures("sqlite_only"), pytest.mark.slow]


def test_bundle_installs_offline_into_a_fresh_venv(tmp_path: Path) -> None:
    archive = tmp_path / "zhenggai.tar.gz"
    built = subprocess.run(
        [str(ROOT / "dev"), "bundle", str(archive)], capture_output=True, text=True, timeout=900, check=False
    )
    assert built.returncode == 0, built.stderr[-3000:]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "unpacked", filter="data")
    top = names[0].split("/")[0]
    for part in (
        "install.sh",
        "deploy/systemd/zhenggai.service",
        "deploy/nginx/zhenggai.conf",
        "docs/运维手册.md",
    ):
        assert f"{top}/{part}" in names
    assert any(n.startswith(f"{top}/wheels/zhenggai-") for n in names)
    folder = tmp_path / "unpacked" / top
    check = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder, check=False)
    assert check.returncode == 0

    venv = tmp_path / "venv"
    # Any index the installer might reach for is unreachable; install.sh itself passes --no-index.
    env = base_env(PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_NO_CACHE_DIR="1")
    installed = subprocess.run(
        ["sh", str(folder / "install.sh"), str(venv)], capture_output=True, text=True, env=env, timeout=900,
        check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "已安装到" in installed.stdout

    data = base_env(ZHENGGAI_DATA_DIR=str(tmp_path / "data"))
    for args in (["migrate", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"], ["check"]):
        result = subprocess.run(
            [str(venv / "bin" / "zhenggai"), *args], capture_output=True, text=True, env=data, timeout=300,
            cwd=tmp_path, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (args, result.stderr)
    assert (
        tmp_path / "data" / "static" / "staticfiles.json"
    ).exists()  # templates and assets came in the wheel
    storages = subprocess.run([str(venv / "bin" / "python"), "-c", "import storages, gunicorn"], check=False)
    assert storages.returncode == 0
