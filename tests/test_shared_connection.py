"""Work that runs many queries in a row shares one connection (``dashboard.store.queries.shared_connection``):
opening a DuckDB file costs ~30 ms a time. The data health checks and the anomaly flags each open the store once;
a block inside another shares the outer one's connection; the connection is closed when the outer block ends, so
another process can take the file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from dashboard.anomalies.flags import compute_flags
from dashboard.health.checks import CHECKS, run_checks
from dashboard.store.connect import Store
from dashboard.store.queries import run_query, shared_connection


@contextmanager
def connections_opened() -> Iterator[list[int]]:
    opened: list[int] = []

    def count(*_args: object) -> None:
        opened.append(1)

    sa.event.listen(sa.pool.Pool, "connect", count)
    try:
        yield opened
    finally:
        sa.event.remove(sa.pool.Pool, "connect", count)


@contextmanager
def open_at_each_connect() -> Iterator[list[int]]:
    """For each connection made: how many were open just before it (DuckDB opens a file once per process while a
    connection to it is open; later connections share that database)."""
    open_now = [0]
    seen: list[int] = []

    def connected(*_args: object) -> None:
        seen.append(open_now[0])
        open_now[0] += 1

    def closed(*_args: object) -> None:
        open_now[0] -= 1

    sa.event.listen(sa.pool.Pool, "connect", connected)
    sa.event.listen(sa.pool.Pool, "close", closed)
    try:
        yield seen
    finally:
        sa.event.remove(sa.pool.Pool, "connect", connected)
        sa.event.remove(sa.pool.Pool, "close", closed)


def test_checks_open_the_store_once_and_read_it_two_at_a_time(seed_duckdb: Store) -> None:
    """The checks run DUCKDB_READS_AT_ONCE at a time (``at_once``), each read on a connection of its own, made while
    the run's first connection holds the file open: the file is opened once."""
    with shared_connection():
        one_by_one = {c.name: run_query(seed_duckdb, c.query) for c in CHECKS}
    with open_at_each_connect() as seen:
        results = run_checks(seed_duckdb, values=False)
    assert len(results) == len(CHECKS) > 5
    assert seen[0] == 0 and len(seen) > 1 and all(n >= 1 for n in seen[1:])
    for name, frame in results.items():
        assert frame.equals(one_by_one[name]), name


def test_flags_open_the_store_once(seed_duckdb: Store) -> None:
    with connections_opened() as opened:
        compute_flags(seed_duckdb)
    assert len(opened) == 1


def test_a_block_inside_another_shares_its_connection_and_it_ends_with_the_outer(seed_duckdb: Store) -> None:
    with connections_opened() as opened:
        with shared_connection():
            first = run_query(seed_duckdb, "last_ingest")
            with shared_connection():
                again = run_query(seed_duckdb, "last_ingest")
            run_query(seed_duckdb, "last_ingest")
        assert len(opened) == 1 and first.equals(again)
        # closed with the outer block: another process opens the file for writing at once
        taken = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
                                str(seed_duckdb.path)], capture_output=True, text=True, timeout=60)
        assert taken.returncode == 0, taken.stderr
        run_query(seed_duckdb, "last_ingest")  # outside any block: a connection of its own
        assert len(opened) == 2



def test_on_postgresql_a_query_in_a_block_gives_its_connection_back(seed_postgresql: Store) -> None:
    """On PostgreSQL each query takes a connection from the pool and gives it back, inside a block too: a connection
    held for a whole page run was held while the run waited for the CPU, and at 50 sessions a replica's pool (5 + 10
    overflow) ran out (bench soak: SQLAlchemy's TimeoutError after 30 s)."""
    from dashboard.store.queries import read_engine

    pool = read_engine(seed_postgresql).pool
    with shared_connection():
        first = run_query(seed_postgresql, "last_ingest")
        assert pool.checkedout() == 0
        assert run_query(seed_postgresql, "last_ingest").equals(first)
        assert pool.checkedout() == 0
