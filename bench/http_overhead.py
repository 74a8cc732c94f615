"""Measure the per-request cost of the portal over real HTTP (gunicorn, production settings).

Every request passes through portal.tenancy.middleware.TenancyMiddleware, which opens a
transaction, switches to the unprivileged PostgreSQL role and sets the transaction-local
tenant settings with one ``SELECT set_config(...)`` (plus one membership lookup for a
logged-in partner user). This script puts figures on that: it starts gunicorn with
``portal.settings.production`` on 127.0.0.1, drives a bounded load at three endpoints from
threads of its own, and prints throughput and latency percentiles:

* ``GET /healthz``     anonymous, one ``SELECT 1``: the floor (context without a lookup);
* ``GET /api/v1/me``   partner admin by ``X-Session-Token``: session + membership lookup;
* ``GET /space/``      partner admin by session cookie: the HTML dashboard.

With ``--compare-conn-max-age`` it runs everything a second time with
``DATABASE_CONN_MAX_AGE=0`` (a new PostgreSQL connection per request) to show what the
persistent connections are worth. With ``--tenancy-baseline`` it also runs ``/healthz`` with
TenancyMiddleware removed from MIDDLEWARE: the difference to the first ``/healthz`` row is
the middleware's own cost on the anonymous path (BEGIN, one set_config, COMMIT). With
``--wrk`` it also runs ``wrk`` if it is installed.

The client shares the machine with the server, so the figures are for comparing
configurations and commits on one machine, not absolute capacity. Gunicorn's sync
workers close the connection after each response, so every request includes a (loopback)
TCP connect; that is what production's sync workers do too.

Run it from the project root:

    .venv/bin/python bench/http_overhead.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench

It never touches the developer's data: only the server and credentials are taken from the
URL; the database is always ``--db-name`` (default ``portal_bench``), created if missing,
then migrated and loaded with ``seed_demo``. Static files are collected into a temporary
directory (a settings shim there sets STATIC_ROOT; the rest is portal.settings.production),
not into ``var/static``.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import django
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the load only ever goes to this machine
EMAIL, PASSWORD = "admin@northwind.example", "demo-pass-2026"  # seed_demo's account
WARMUP = 100
MAX_REQUESTS, MAX_CONCURRENCY = 100_000, 64

SETTINGS_SHIM = """\
from portal.settings.production import *  # noqa: F403
import os
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
if os.environ.get("BENCH_WITHOUT_TENANCY"):
    MIDDLEWARE = [m for m in MIDDLEWARE if m != "portal.tenancy.middleware.TenancyMiddleware"]
"""


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL server to use (default: $DATABASE_URL); its database "
        "name is replaced by --db-name",
    )
    p.add_argument(
        "--db-name",
        default="portal_bench",
        help="database to create/migrate/seed and use (default: portal_bench)",
    )
    p.add_argument(
        "--recreate-db",
        action="store_true",
        help="DROP and re-create --db-name first (only names containing 'bench')",
    )
    p.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    p.add_argument("--concurrency", type=int, default=4, help="client threads")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument(
        "--compare-conn-max-age", action="store_true", help="also run with DATABASE_CONN_MAX_AGE=0"
    )
    p.add_argument(
        "--tenancy-baseline",
        action="store_true",
        help="also run /healthz with TenancyMiddleware removed (the other endpoints need it)",
    )
    p.add_argument("--wrk", action="store_true", help="also run wrk (10 s) if installed")
    args = p.parse_args()
    if not args.database_url:
        p.error(
            "no database: pass --database-url postgres://USER@HOST:PORT/portal_bench "
            "or set DATABASE_URL"
        )
    if not 1 <= args.requests <= MAX_REQUESTS:
        p.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        p.error(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db_name):
        p.error("--db-name: lower-case letters, digits and underscores only")
    if args.recreate_db and "bench" not in args.db_name:
        p.error("--recreate-db only drops a database whose name contains 'bench'")
    return args


# --- database -------------------------------------------------------------------------


def bench_database_url(url, db_name):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"--database-url must be a postgres:// URL, not {parts.scheme}://")
    return urllib.parse.urlunsplit(parts._replace(path="/" + db_name))


def ensure_database(url, recreate):
    """CREATE DATABASE if missing (connected to the server's `postgres` database)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if recreate:
                print(f"dropping database {name}")
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                print(f"creating database {name}")
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    finally:
        conn.close()


def manage(env, *command):
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{result.stdout}{result.stderr}")


# --- server ---------------------------------------------------------------------------


class Server:
    """gunicorn in its own process group; stop() always terminates it."""

    def __init__(self, env, port, workers, log_path):
        self.port = port
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, we stop it in order
        )

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        tail = Path(self.log_path).read_text(errors="replace")[-3000:]
        sys.exit(f"gunicorn did not answer /healthz within {timeout} s:\n{tail}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: master stops its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- client ---------------------------------------------------------------------------


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def cookies(headers):
    return dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k.lower() == "set-cookie")


def login_token(port):
    body = json.dumps({"email": EMAIL, "password": PASSWORD})
    status, _, data = request(
        port, "POST", "/_allauth/app/v1/auth/login", {"Content-Type": "application/json"}, body
    )
    if status != 200:
        sys.exit(f"API login failed: {status} {data[:300]!r}")
    return json.loads(data)["meta"]["session_token"]


def login_session(port):
    """Log in through the allauth form; returns the session cookie."""
    status, headers, page = request(port, "GET", "/accounts/login/")
    jar = cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not match or "csrftoken" not in jar:
        sys.exit(f"login page: {status}, no CSRF token found")
    form = urllib.parse.urlencode(
        {"login": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
    )
    status, headers, data = request(
        port,
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Origin": f"http://{HOST}:{port}",
        },
        form,
    )
    session = cookies(headers).get("sessionid")
    if status != 302 or not session:
        sys.exit(f"form login failed: {status} {data[:300]!r}")
    return f"sessionid={session}"


def run_load(port, path, headers, total, concurrency):
    """`total` GETs from `concurrency` threads; returns (latencies in s, errors, wall s)."""
    latencies, errors, lock = [], [0], threading.Lock()
    remaining = iter(range(total))

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)  # reopens after a close
        mine, bad = [], 0
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                bad += resp.status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies), errors[0], time.perf_counter() - started


def pct(sorted_values, p):
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index] * 1000


def run_wrk(port, path, headers, concurrency):
    cmd = ["wrk", "-t", "2", "-c", str(concurrency), "-d", "10s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    url = f"http://{HOST}:{port}{path}"
    out = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [*cmd, url], capture_output=True, text=True
    ).stdout
    rps = re.search(r"Requests/sec:\s+(\S+)", out)
    p50, p90, p99 = (re.search(rf"^\s+{q}%\s+(\S+)", out, re.M) for q in (50, 90, 99))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"  wrk {path:<12} req/s {rps.group(1) if rps else '?'}  "
        f"p50 {p50.group(1) if p50 else '?'}  p90 {p90.group(1) if p90 else '?'}  "
        f"p99 {p99.group(1) if p99 else '?'}  non-2xx/3xx {non2xx.group(1) if non2xx else 0}"
    )


# --- main -----------------------------------------------------------------------------


def bench_config(args, env, label, log_path, healthz_only=False):
    print(
        f"\n== {label}: gunicorn --workers {args.workers} (sync), "
        f"client {args.concurrency} threads, {args.requests} requests per endpoint, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    server = Server(env, args.port, args.workers, log_path)
    try:
        server.wait_ready()
        endpoints = [("GET /healthz", "/healthz", {})]
        if not healthz_only:
            endpoints += [
                ("GET /api/v1/me", "/api/v1/me", {"X-Session-Token": login_token(args.port)}),
                ("GET /space/", "/space/", {"Cookie": login_session(args.port)}),
            ]
        print(
            f"{'endpoint':<16}{'requests':>9}{'errors':>8}{'req/s':>9}"
            f"{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        )
        for name, path, headers in endpoints:
            run_load(args.port, path, headers, WARMUP, args.concurrency)
            lat, errors, wall = run_load(args.port, path, headers, args.requests, args.concurrency)
            print(
                f"{name:<16}{len(lat):>9}{errors:>8}{len(lat) / wall:>9.0f}"
                f"{pct(lat, 50):>9.2f}{pct(lat, 90):>9.2f}{pct(lat, 99):>9.2f}"
            )
        if args.wrk:
            if shutil.which("wrk"):
                for _, path, headers in endpoints:
                    run_wrk(args.port, path, headers, args.concurrency)
            else:
                print("  (wrk not installed; skipped)")
    finally:
        server.stop()


def main():
    args = parse_args()
    # `kill` should stop gunicorn as Ctrl-C does: through the `finally` blocks.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    db_url = bench_database_url(args.database_url, args.db_name)
    pg_version = ensure_database(db_url, args.recreate_db)
    print(
        f"nproc {os.cpu_count()}  Python {platform.python_version()}  "
        f"Django {django.get_version()}  PostgreSQL {pg_version}  "
        f"database {args.db_name}"
    )

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        Path(tmp, "bench_settings.py").write_text(SETTINGS_SHIM)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_settings",  # production + STATIC_ROOT=tmp
            "PYTHONPATH": os.pathsep.join(filter(None, [tmp, os.environ.get("PYTHONPATH")])),
            "BENCH_STATIC_ROOT": str(Path(tmp, "static")),
            "DATABASE_URL": db_url,
            "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "REDIS_URL": "redis://127.0.0.1:6379/13",
            "DEBUG": "false",
            "DATABASE_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
        }
        print("preparing: collectstatic, migrate, seed_demo ...")
        # collectstatic first: importing the URLconf (system checks) may need the manifest.
        manage(env, "collectstatic", "--noinput")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        log_path = Path(tmp, "gunicorn.log")
        bench_config(args, env, "DATABASE_CONN_MAX_AGE=600", log_path)
        if args.compare_conn_max_age:
            bench_config(
                args, {**env, "DATABASE_CONN_MAX_AGE": "0"}, "DATABASE_CONN_MAX_AGE=0", log_path
            )
        if args.tenancy_baseline:
            bench_config(
                args,
                {**env, "BENCH_WITHOUT_TENANCY": "1"},
                "DATABASE_CONN_MAX_AGE=600, TenancyMiddleware removed",
                log_path,
                healthz_only=True,
            )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (gunicorn stopped)")
