import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
        },
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-real-secret-key-of-sufficient-length-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
