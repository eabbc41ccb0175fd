"""The files in deploy/ and the operations manual agree with the code: every setting documented, the sample
configuration readable, the systemd units valid."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
MANUAL = ROOT / "docs" / "运维手册.md"


def _settings_read_from_the_environment() -> set[str]:
    sources = [ROOT / "src/zhenggai/settings.py", ROOT / "src/zhenggai/ops/management/commands/serve.py"]
    names = set()
    for source in sources:
        names |= set(re.findall(r'"((?:ZHENGGAI_[A-Z_]+)|DATABASE_URL)"', source.read_text(encoding="utf-8")))
    return names


def test_every_setting_is_documented_in_the_operations_manual() -> None:
    manual = MANUAL.read_text(encoding="utf-8")
    missing = sorted(name for name in _settings_read_from_the_environment() if f"`{name}`" not in manual)
    assert not missing


def test_the_sample_configuration_file_is_read_as_the_command_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from zhenggai.env import load_env_file

    sample = DEPLOY / "zhenggai.env"
    for name in _settings_read_from_the_environment():
        monkeypatch.setenv(name, "")  # recorded: whatever the file sets is undone after the test
        monkeypatch.delenv(name)
    monkeypatch.setenv("ZHENGGAI_ENV_FILE", str(sample))
    assert load_env_file() == sample
    assert os.environ["ZHENGGAI_DATA_DIR"] == "/var/lib/zhenggai"
    assert os.environ["ZHENGGAI_MEDIA_ACCEL_REDIRECT"] == "/protected-media"
    keys = set(re.findall(r"^#? ?([A-Z_]+)=", sample.read_text(encoding="utf-8"), re.M))
    assert keys <= _settings_read_from_the_environment()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_and_timers_are_valid(tmp_path: Path) -> None:
    for unit in (DEPLOY / "systemd").iterdir():
        # the program path must exist for verify: point it at /bin/true, keep everything else
        text = unit.read_text(encoding="utf-8").replace("/opt/zhenggai/venv/bin/zhenggai", "/bin/true")
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False
    )
    problems = [line for line in (result.stdout + result.stderr).splitlines() if str(tmp_path) in line]
    assert not problems
    timers = {p.name: p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").glob("*.timer")}
    assert "OnCalendar=*-*-* 06:30" in timers["zhenggai-sweep.timer"]
    assert "OnCalendar=Mon *-*-* 07:30" in timers["zhenggai-weekly.timer"]
    assert "OnCalendar=*-*-* 02:30" in timers["zhenggai-signals.timer"]
    services = {p.name: p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").glob("*.service")}
    assert "zhenggai serve" in services["zhenggai.service"]
    assert "zhenggai supervise sweep" in services["zhenggai-sweep.service"]
    assert "zhenggai supervise weekly" in services["zhenggai-weekly.service"]
    assert "zhenggai signals --store" in services["zhenggai-signals.service"]
