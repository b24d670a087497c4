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


def _settings_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "DJANGO_SECRET_KEY"}
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "salescrm.settings", **extra}


def test_production_refuses_to_start_with_the_public_development_key():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=_settings_env(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="crm.example.com"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_still_starts_without_a_key():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=_settings_env(DJANGO_DEBUG="1"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_email_url_turns_on_password_reset_by_mail():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PASSWORD_RESET_BY_EMAIL, settings.EMAIL_HOST, settings.EMAIL_USE_TLS)"
    )
    with_mail = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_settings_env(DJANGO_EMAIL_URL="smtp+tls://crm:pw@mail.example.com:587"),
        capture_output=True,
        text=True,
    )
    assert with_mail.stdout.split() == ["True", "mail.example.com", "True"], with_mail.stderr
    without = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_settings_env(), capture_output=True, text=True
    )
    assert without.stdout.split()[0] == "False", without.stderr
