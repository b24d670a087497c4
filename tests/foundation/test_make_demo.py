"""`make demo` from a fresh clone: its set-up part (venv, install, migrate, seed, nightly) runs
into a temporary folder with none of the test environment."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_make_demo_setup_from_a_fresh_copy(tmp_path):
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "Makefile" in files and "manage.py" in files
    target = tmp_path / "clone"
    for name in files:
        src = ROOT / name
        if not src.is_file():
            continue
        dst = target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        dst.chmod(src.stat().st_mode)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV"}
    }
    result = subprocess.run(
        ["make", "demo-setup"], cwd=target, env=env, capture_output=True, text=True, timeout=900
    )
    log = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, log
    assert (target / "db.sqlite3").exists()
    assert "demo-pass-2026" in result.stdout
    assert "Nightly jobs for" in result.stdout
