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


def test_checks_and_flags_open_the_store_once(seed_duckdb: Store) -> None:
    with connections_opened() as opened:
        results = run_checks(seed_duckdb)
    assert len(results) == len(CHECKS) > 5 and len(opened) == 1
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
