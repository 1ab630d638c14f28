"""Start-up refuses malformed configuration with a message that names the variable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    clean.pop("CACHE_URL", None)
    clean["THANA_VAR_DIR"] = str(ROOT / "var" / "test-config")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql-ish nonsense"),
        ("DATABASE_URL", "postgres://user@localhost:notaport/db"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("CACHE_URL", "bogus://x"),
        ("DEBUG", "maybe"),
        ("WHATSAPP_PROVIDER", "telegram"),
        ("WHATSAPP_MESSAGES_PER_SECOND", "fast"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    result = _manage("check", **{variable: value})
    assert result.returncode != 0
    assert "Configuration error" in result.stderr
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_cloud_provider_without_credentials_is_refused() -> None:
    result = _manage("check", WHATSAPP_PROVIDER="cloud")
    assert result.returncode != 0
    assert "WHATSAPP_TOKEN" in result.stderr


def test_unreachable_database_gives_a_readable_message() -> None:
    result = _manage("migrate", DATABASE_URL=f"postgres://thana@127.0.0.1:{_closed_port()}/thana")
    assert result.returncode != 0
    assert "Cannot use the database" in result.stderr
    assert "Check DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_secret_key_is_refused() -> None:
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_defaults_pass_the_checks() -> None:
    result = _manage("check")
    assert result.returncode == 0, result.stderr
