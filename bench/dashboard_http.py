"""The IC dashboard and the review report under concurrent load, against /healthz in the same run.

    python scripts/test_services.py -- python bench/dashboard_http.py

Serves the portal with gunicorn (2 workers, `portal.wsgi`, DEBUG off, static files collected as
in production) over the seed_load database (bench/common.py: 1,500 stations, 1M complaints, 1M
citizens, 30 days, unless BENCH_LOAD_* say otherwise), mints signed-in sessions the way a real
login leaves them (password step + the django-otp verified-device key), and runs
`wrk -t2 -c16 -d30s` against:

* `/healthz` (the raw limit: the same gunicorn, middleware and database round trip, no page);
* `/` as the IC of the busiest station (the station dashboard is the landing page);
* `/reports/review/` as the district head of that station's district (when the page exists);
* `/` again on a second gunicorn with the dashboard's card cache off (DASHBOARD_CACHE_SECONDS=0,
  lines dashboard_http_dashboard_uncached_*): the cost when every card is read afresh.

wrk's timeout is 60 s (BENCH_HTTP_TIMEOUT): with 16 connections queued on 2 synchronous workers a
request waits for ~8 others, so a shorter timeout would count slow pages as socket errors
instead of measuring them; a timeout still counts as an error.
A Lua script counts every response that is not 2xx (a redirect to the login page would be a
3xx that wrk itself does not count as an error) and prints p50 / p95 / p99 from wrk's own
latency histogram. Lines: BENCH dashboard_http_<page>_p95 (ms, against /healthz's p95),
..._p50, ..._rps and ..._errors.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import ROOT, bench_line, ensure_load_data, setup_django, use_load_database

DURATION = os.environ.get("BENCH_HTTP_DURATION", "30s")
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "16"))
THREADS = 2
WORKERS = 2
TARGET_P95_MS = 300.0
SINGLE = {"threads": 1, "connections": 1, "duration": os.environ.get("BENCH_HTTP_SINGLE", "10s")}

WRK_LUA = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  non2xx = 0
  responses = 0
end
function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad, total = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    total = total + thread:get("responses")
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    "WRKJSON {\"p50\": %f, \"p95\": %f, \"p99\": %f, \"requests\": %d, \"seconds\": %f, " ..
    "\"non2xx\": %d, \"responses\": %d, \"socket_errors\": %d}\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6,
    bad, total, socket_errors))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(var_dir: Path) -> dict[str, str]:
    """Environment for gunicorn and the session minting: DEBUG off, as deployed."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 60,
            # seed_load encrypted the identity pool with the development salt; keep it readable.
            "SALT_KEY": "thana-connect-dev-salt",
            "COMPLAINTS_LOOKUP_KEY": "thana-connect-dev-lookup",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THANA_VAR_DIR": str(var_dir),
            "SECURE_COOKIES": "false",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    return env


MINT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User

keys = {}
for username in sys.argv[1:]:
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="bench authenticator", confirmed=True))
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    keys[username] = session.session_key
print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "keys": keys}))
"""


def mint_sessions(env: dict[str, str], usernames: list[str]) -> tuple[str, dict[str, str]]:
    """Signed-in, second-factor-verified sessions, made with the server's own settings."""
    result = subprocess.run(
        [sys.executable, "-c", MINT, *usernames],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["cookie"], data["keys"]


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "portal.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return process
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    sys.exit(f"gunicorn did not start; see {log}:\n{log.read_text()[-3000:]}")


def status_of(port: int, path: str, cookie: str | None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def drain(port: int) -> None:
    """Wait until requests left queued by the previous wrk run (it closes its connections, the
    workers still answer what was sent) have gone through both workers."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda _: status_of(port, "/healthz", None), range(WORKERS)))
    status_of(port, "/healthz", None)


def run_wrk(
    port: int,
    path: str,
    cookie: str | None,
    lua: Path,
    *,
    threads: int = THREADS,
    connections: int = CONNECTIONS,
    duration: str = DURATION,
) -> dict[str, float]:
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}",
        "--timeout",
        os.environ.get("BENCH_HTTP_TIMEOUT", "60s"),
        "-s",
        str(lua),
    ]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    argv.append(f"http://127.0.0.1:{port}{path}")
    drain(port)
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    result = json.loads(line.removeprefix("WRKJSON "))
    result["rps"] = result["requests"] / result["seconds"]
    if not result["requests"]:  # nothing finished in time: every connection is an error
        result["socket_errors"] = max(result["socket_errors"], connections)
    result["errors"] = result["non2xx"] + result["socket_errors"]
    print(f"  wrk {path}: {result}", flush=True)
    return result


def pick_users() -> tuple[str, str, int]:
    """The IC of the station with most complaints, and the head of that station's district."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.code, d.code, count(*) AS n
            FROM complaints_complaint c JOIN stations_station s ON s.id = c.station_id
            JOIN stations_district d ON d.id = s.district_id
            WHERE s.code LIKE 'LOAD-%%'
            GROUP BY s.id, s.code, d.code ORDER BY n DESC LIMIT 1
            """
        )
        _, station_code, district_code, complaints = cursor.fetchone()
    return f"load_ic_{station_code[5:]}", f"load_dh_{district_code[4:]}", int(complaints)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (scripts/install-system-deps.sh test installs it).")
    use_load_database()
    setup_django()
    sizes = ensure_load_data()
    ic, head, complaints = pick_users()
    print(f"  IC {ic} ({complaints} complaints at the station), district head {head}", flush=True)

    with tempfile.TemporaryDirectory(prefix="thana-bench-http-") as tmp:
        var_dir = Path(tmp)
        env = production_env(var_dir)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        cookie_name, keys = mint_sessions(env, [ic, head])
        lua = var_dir / "count.lua"
        lua.write_text(WRK_LUA)
        port = free_port()
        log = ROOT / "var" / "bench-gunicorn.log"
        log.parent.mkdir(exist_ok=True)
        server = start_gunicorn(env, port, log)
        try:
            pages = [("dashboard", "/", f"{cookie_name}={keys[ic]}")]
            review_cookie = f"{cookie_name}={keys[head]}"
            review_status = status_of(port, "/reports/review/", review_cookie)
            if review_status == 200:
                pages.append(("review", "/reports/review/", review_cookie))
            else:
                print(
                    f"  /reports/review/ answers {review_status}: review report not benchmarked",
                    flush=True,
                )
            for _, path, cookie in pages:
                status = status_of(port, path, cookie)
                if status != 200:
                    sys.exit(f"{path} answered {status} to a signed-in session; see {log}")
            # Warm up each worker (imports, connections, template loading), then measure.
            for _, path, cookie in [("healthz", "/healthz", None), *pages]:
                for _ in range(2 * WORKERS):
                    status_of(port, path, cookie)
            raw = run_wrk(port, "/healthz", None, lua)
            for name, path, cookie in pages:
                result = run_wrk(port, path, cookie, lua)
                scale = f"{sizes['complaints']} complaints, {sizes['stations']} stations"
                target = f"<{TARGET_P95_MS:.0f}ms" if name == "dashboard" else "information"
                report_load(f"dashboard_http_{name}", result, raw, p95_target=target)
                print(f"  ({name}: {scale}, wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION})")
            # One connection at a time: the service time of one request, without queueing
            # behind the 15 others (what the p50 above is mostly made of on 2 workers).
            single = {"raw": run_wrk(port, "/healthz", None, lua, **SINGLE)}
            for name, path, cookie in pages:
                result = run_wrk(port, path, cookie, lua, **SINGLE)
                bench_line(
                    f"dashboard_http_{name}_single_p50",
                    value=result["p50"],
                    unit="ms",
                    raw=single["raw"]["p50"],
                    ratio=result["p50"] / max(single["raw"]["p50"], 1e-9),
                    ratio_kind="value/raw",
                    target="information: one connection",
                )
        finally:
            stop_gunicorn(server)
        # The dashboard with its card cache off (DASHBOARD_CACHE_SECONDS=0): every card read
        # on every request, as for a user whose cards nobody has read since the last write.
        uncached_env = {**env, "DASHBOARD_CACHE_SECONDS": "0"}
        server = start_gunicorn(uncached_env, port, log)
        try:
            cookie = f"{cookie_name}={keys[ic]}"
            for _ in range(2 * WORKERS):
                status_of(port, "/", cookie)
            result = run_wrk(port, "/", cookie, lua)
            report_load(
                "dashboard_http_dashboard_uncached",
                result,
                raw,
                p95_target="information: card cache off",
                other_target="information: card cache off",
            )
        finally:
            stop_gunicorn(server)


def report_load(
    prefix: str,
    result: dict[str, float],
    raw: dict[str, float],
    *,
    p95_target: str,
    other_target: str = "information",
) -> None:
    """The p95, p50, req/s and error lines of one wrk run, each against /healthz's."""
    for figure, unit, target in (
        ("p95", "ms", p95_target),
        ("p50", "ms", other_target),
        ("rps", "req/s", other_target),
    ):
        bench_line(
            f"{prefix}_{figure}",
            value=result[figure],
            unit=unit,
            raw=raw[figure],
            ratio=result[figure] / max(raw[figure], 1e-9),
            ratio_kind="value/raw",
            target=target,
        )
    bench_line(
        f"{prefix}_errors",
        value=result["errors"],
        unit="responses",
        raw=raw["errors"],
        ratio=result["errors"] / max(result["requests"], 1),
        ratio_kind="errors/requests",
        target="0",
    )


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
