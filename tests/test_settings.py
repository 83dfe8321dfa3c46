import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from casework.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True


def test_env_int_refuses_garbage_and_out_of_range(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("X_NUM", 1, minimum=0)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example, b.example ,,")
    assert env_list("X_LIST") == ["a.example", "b.example"]


def run_check(extra_env):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "casework.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_malformed_encryption_key_stops_start_up():
    result = run_check({"DEBUG": "0", "SECRET_KEY": "x" * 50, "FIELD_ENCRYPTION_KEYS": "nope"})
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_production_uses_argon2():
    from casework import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_check_deploy_is_clean_under_production_settings():
    # Not the test settings' overrides (tests.settings sets some in os.environ).
    dropped = ("DEBUG", "EMAIL_BACKEND", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "casework.settings",
            "DEBUG": "0",
            "SECRET_KEY": "k3" * 30 + "-production-like-secret-key",
            "ALLOWED_HOSTS": "homeward.example.org",
            "SECURE_SSL_REDIRECT": "1",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
