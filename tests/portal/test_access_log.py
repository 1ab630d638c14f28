"""Search terms never reach the request logs (issue 21, item 6).

The web process is started exactly as the Procfile ships it (real gunicorn, DEBUG off); an
officer's search (`?q=...`, and the same URL as the next request's referrer) must not be in
its access log, while the path must.
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from portal.access_log import QuerylessRequestFilter

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _procfile_web_command() -> str:
    line = next(ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.startswith("web:"))
    return line.split(":", 1)[1].strip()


def _get(port: int, target: str, **headers: str) -> int:
    """One GET, redirects not followed; the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", target, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited at start")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


def test_the_shipped_web_process_logs_paths_without_queries(tmp_path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DEBUG": "false",
        "SECRET_KEY": "access-log-test-" + "k" * 50,
        "SALT_KEY": "access-log-test-salt",
        "COMPLAINTS_LOOKUP_KEY": "access-log-test-lookup",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "THANA_VAR_DIR": str(tmp_path),
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket, apart from others'
    }
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "web.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {_procfile_web_command()}"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_listening(port, process)
            _get(port, "/complaints/?q=Secretname+Devi&all=1")
            _get(port, "/api/v1/complaints/?q=apisecret")
            _get(port, "/stations/", Referer=f"{base}/complaints/?q=Referrername")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    text = log.read_text()
    access = [line for line in text.splitlines() if '"GET ' in line]
    assert len(access) == 3, text
    assert re.search(r'"GET /complaints/ HTTP/1\.1" 302 ', text), text
    assert re.search(r'"GET /api/v1/complaints/ HTTP/1\.1" 40[13] ', text), text
    assert f'"{base}/complaints/"' in text, text  # the referrer, cut at the query
    for secret in ("Secretname", "apisecret", "Referrername", "q="):
        assert secret not in text, text


def test_runserver_request_lines_lose_their_query() -> None:
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /complaints/?q=Secretname HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    assert QuerylessRequestFilter().filter(record)
    assert record.getMessage() == '"GET /complaints/ HTTP/1.1" 200 512'


def test_runserver_logs_through_the_filter() -> None:
    logger = logging.getLogger("django.server")
    assert any(isinstance(f, QuerylessRequestFilter) for f in logger.filters)
