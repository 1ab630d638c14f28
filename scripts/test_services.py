#!/usr/bin/env python3
"""Run a command with throwaway PostgreSQL and Redis servers on free loopback ports.

    python scripts/test_services.py -- pytest -n 2

Starts both servers in a temporary directory, exports DATABASE_URL, CACHE_URL,
CELERY_BROKER_URL, CELERY_RESULT_BACKEND and the THANA_TEST_* variables that fault tests use
to restart a server, runs the command, then stops the servers and removes the directory
whatever happened. PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` system user (created by Debian's package) or, failing that, a user made for it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_USER_FALLBACK = "thana-test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bindir() -> Path:
    """The newest installed PostgreSQL server's bin directory."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    sys.exit("PostgreSQL server binaries not found: install the 'postgresql' package.")


def server_user() -> str | None:
    """Who runs PostgreSQL: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", PG_USER_FALLBACK):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            PG_USER_FALLBACK,
        ],
        check=True,
    )
    return PG_USER_FALLBACK


def as_user(user: str | None, argv: list[str]) -> list[str]:
    """argv run as `user` (via runuser) when one is given."""
    return ["runuser", "-u", user, "--", *argv] if user else argv


def wait_for_port(port: int, what: str, timeout: float = 30.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start on port {port} within {timeout:.0f}s")


def start_postgres(workdir: Path) -> dict[str, str]:
    """initdb + start a PostgreSQL cluster with fsync off (speed; the data is thrown away)."""
    bindir, user, port = pg_bindir(), server_user(), free_port()
    pgdata, sockdir = workdir / "pgdata", workdir / "pgsock"
    sockdir.mkdir()
    if user:
        shutil.chown(workdir, user=user)
        shutil.chown(sockdir, user=user)
        workdir.chmod(0o755)
    subprocess.run(
        as_user(
            user,
            [
                str(bindir / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                "thana",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockdir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
        "-c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements"
    )
    env = {
        "THANA_TEST_PG_BIN": str(bindir),
        "THANA_TEST_PGDATA": str(pgdata),
        "THANA_TEST_PG_OPTIONS": options,
        "THANA_TEST_PG_USER": user or "",
        "THANA_TEST_PG_LOG": str(workdir / "postgres.log"),
    }
    pg_ctl_start(env)
    wait_for_port(port, "PostgreSQL")
    env["DATABASE_URL"] = f"postgres://thana@127.0.0.1:{port}/thana"
    env["THANA_TEST_PG_PORT"] = str(port)
    subprocess.run(
        [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "thana", "thana"],
        check=True,
    )
    return env


def pg_ctl_start(env: dict[str, str]) -> None:
    """Start (or restart after a fault test stopped it) the throwaway cluster."""
    user = env["THANA_TEST_PG_USER"] or None
    subprocess.run(
        as_user(
            user,
            [
                f"{env['THANA_TEST_PG_BIN']}/pg_ctl",
                "-D",
                env["THANA_TEST_PGDATA"],
                "-w",
                "-l",
                env["THANA_TEST_PG_LOG"],
                "-o",
                env["THANA_TEST_PG_OPTIONS"],
                "start",
            ],
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def stop_postgres(env: dict[str, str]) -> None:
    user = env.get("THANA_TEST_PG_USER") or None
    subprocess.run(
        as_user(
            user,
            [
                f"{env['THANA_TEST_PG_BIN']}/pg_ctl",
                "-D",
                env["THANA_TEST_PGDATA"],
                "-m",
                "immediate",
                "stop",
            ],
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """A Redis server with no persistence on a free port."""
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("redis-server not found: install the 'redis-server' package.")
    port = free_port()
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--databases",
        "64",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, "Redis")
    env = {
        "THANA_TEST_REDIS_PORT": str(port),
        "THANA_TEST_REDIS_ARGV": "\x1f".join(argv),
        "CACHE_URL": f"redis://127.0.0.1:{port}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/1",
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{port}/2",
    }
    return proc, env


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print(__doc__)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="thana-test-"))
    redis_proc: subprocess.Popen[bytes] | None = None
    pg_env: dict[str, str] = {}
    redis_env: dict[str, str] = {}
    try:
        pg_env = start_postgres(workdir)
        redis_proc, redis_env = start_redis(workdir)
        env = {**os.environ, **pg_env, **redis_env, "THANA_TEST_SERVICES": "1"}
        print(
            f"test services: PostgreSQL on {pg_env['THANA_TEST_PG_PORT']}, "
            f"Redis on {redis_env['THANA_TEST_REDIS_PORT']}",
            flush=True,
        )
        child = subprocess.Popen(argv, env=env)
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            return child.wait()
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
            # A fault test may have restarted Redis on the same port: stop that one too.
            subprocess.run(
                ["redis-cli", "-p", redis_env["THANA_TEST_REDIS_PORT"], "shutdown", "nosave"],
                capture_output=True,
                timeout=10,
                check=False,
            )
        if pg_env:
            stop_postgres(pg_env)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
