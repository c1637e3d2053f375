"""A throwaway PostgreSQL server for the test suite: initdb + pg_ctl in a temp dir, on a free loopback port.

Runs the server as the ``postgres`` system user when the suite runs as root (initdb refuses root).
Set PROMO_TEST_PG_URL to use an existing server instead.

The server's files go to memory (``/dev/shm``) when it is there with room to spare: the suite creates a few hundred
databases, and on this machine's ext4 (mounted with ``discard``) each ``CREATE DATABASE`` cost about 200 ms of
kernel CPU, against about 35 ms on tmpfs; removing the folder at the end took seconds more. PROMO_TEST_PG_DIR sets
the parent folder instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dashboard.allocator import without_jemalloc


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    raise RuntimeError(f"{name} not found: install PostgreSQL (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


# free room a memory folder must have to hold the server (the full suite's databases take about 2 GB per server)
MEMORY_ROOM = 8 * 1024**3


def server_parent() -> str | None:
    """Where the server's folder goes: PROMO_TEST_PG_DIR, else /dev/shm when it has MEMORY_ROOM free, else the
    system's temp folder (None)."""
    if os.environ.get("PROMO_TEST_PG_DIR"):
        return os.environ["PROMO_TEST_PG_DIR"]
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= MEMORY_ROOM:
            return str(shm)
    except OSError:
        pass
    return None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a postgresql+psycopg:// URL of a fresh, empty database; stops and removes the server after."""
    if os.environ.get("PROMO_TEST_PG_URL"):
        yield os.environ["PROMO_TEST_PG_URL"]
        return
    root = Path(tempfile.mkdtemp(prefix="promo-pg-", dir=server_parent()))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        subprocess.run(
            _as_server_user([_pg_bin("initdb"), "-D", str(data), "-U", "promo", "-A", "trust", "-E", "UTF8",
                             "--locale=C.UTF-8", "--no-sync"]),
            check=True, capture_output=True, env=without_jemalloc(os.environ),
        )
        # max_connections: many tests hold a few pools at once (the default 100 ran out in one CI run)
        opts = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                " -c max_connections=400")
        subprocess.run(
            _as_server_user([_pg_bin("pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", opts, "-w", "start"]),
            check=True, capture_output=True, env=without_jemalloc(os.environ),  # the server as it is: not ours
        )
        url = f"postgresql+psycopg://promo@127.0.0.1:{port}/postgres"
        _wait_ready(port)
        yield url
    finally:
        subprocess.run(
            _as_server_user([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start on port {port}")


def create_database(admin_url: str, name: str) -> str:
    """A new empty database on the test server; returns its URL."""
    import psycopg

    base = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def copy_database(admin_url: str, template: str, name: str) -> str:
    """A new database holding a copy of ``template`` (``CREATE DATABASE ... TEMPLATE``: a file copy, far cheaper
    than ingesting again); returns its URL. Connections still open to the template (a pool's idle ones) are ended
    first, as PostgreSQL copies only a database nobody is connected to."""
    import psycopg

    base = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", [template])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name
