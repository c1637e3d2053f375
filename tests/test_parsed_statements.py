"""``parsed_execute``: a statement is parsed once per process and run on any connection, with its parameters; the
kept statements are bounded; several statements in one text run as DuckDB runs them; a bad statement fails as it
would have."""

from __future__ import annotations

import threading

import duckdb
import pytest

from dashboard.ingest import parsed
from dashboard.ingest.parsed import parsed_execute


def test_one_parse_serves_every_connection_and_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed, "_parsed", parsed.OrderedDict())
    sql = "SELECT sum(i) FILTER (WHERE i % 2 = 0) AS even, count(*) AS n FROM range(?) AS t(i)"
    cons = [duckdb.connect() for _ in range(2)]
    got: list[tuple[int, int]] = []

    def run(con: duckdb.DuckDBPyConnection, n: int) -> None:
        q = parsed_execute(con.cursor())
        for _ in range(200):
            row = q(sql, [n]).fetchone()
            assert row is not None
            got.append((int(row[0]), int(row[1])))

    threads = [threading.Thread(target=run, args=(con, n)) for con, n in zip(cons, (10, 100), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(got)) == [(20, 10), (2450, 100)] and len(got) == 400
    assert list(parsed._parsed) == [sql]  # parsed once for both connections


def test_the_kept_statements_are_bounded_and_the_least_recent_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed, "_parsed", parsed.OrderedDict())
    monkeypatch.setattr(parsed, "KEPT", 3)
    q = parsed_execute(duckdb.connect())
    for n in (1, 2, 3, 1, 4):
        assert q(f"SELECT {n}").fetchone() == (n,)
    assert list(parsed._parsed) == ["SELECT 3", "SELECT 1", "SELECT 4"]


def test_several_statements_and_errors_behave_as_duckdb_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed, "_parsed", parsed.OrderedDict())
    con = duckdb.connect()
    q = parsed_execute(con)
    q("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2)")
    assert q("SELECT count(*) FROM t").fetchone() == (2,)
    assert "CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2)" not in parsed._parsed
    with pytest.raises(duckdb.ParserException):
        q("SELEC 1")
    with pytest.raises(duckdb.CatalogException):
        q("SELECT * FROM no_such_table")
    q("DROP TABLE t")
    with pytest.raises(duckdb.CatalogException):  # the kept parse of a statement binds again each time
        q("SELECT count(*) FROM t")
