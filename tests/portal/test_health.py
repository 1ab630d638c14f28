"""/healthz reports database, cache and broker on the real servers, and fails honestly."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_all_ok_on_the_real_stack(client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "cache": {"status": "ok"},
            "broker": {"status": "ok"},
        },
    }
    assert celery_app.conf.broker_url.startswith("redis://")


def test_unreachable_broker_gives_503_naming_the_broker(client, monkeypatch) -> None:
    closed = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", closed)  # Celery reads the variable before its conf
    monkeypatch.setattr(celery_app.conf, "broker_url", closed)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_unreachable_cache_gives_503(client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    caches._settings = None  # the handler re-reads CACHES
    try:
        del caches["default"]
    except (AttributeError, KeyError):
        pass
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "error"


def test_healthz_is_not_cached_and_needs_no_login(client) -> None:
    response = client.get(reverse("healthz"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
