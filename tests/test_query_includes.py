"""Shared SQL fragments: included where asked, refused when missing."""

from __future__ import annotations

import pytest

from dashboard.store.queries import QueryError, load_query, with_includes


def test_revenue_queries_share_one_definition_of_revenue_lines() -> None:
    """Revenue's queries read the rollups (issue 21), and the rollups are made from the one definition of the lines
    (artist_lines_daily from revenue_artist_daily), each donation linked to its payment by id or by the payment's
    metadata."""
    from dashboard import rollups

    for name, rollup in (("revenue_payment_summary", "revenue_daily"), ("revenue_timeline", "revenue_daily"),
                         ("revenue_data_range", "revenue_daily"), ("revenue_top_artists", "artist_lines_daily"),
                         ("revenue_artist_totals", "artist_lines_daily")):
        sql = "\n".join(line for line in load_query(name).sql.splitlines() if not line.startswith("--"))
        assert "revenue_lines" not in sql and f"FROM {rollup}" in sql, name
    # the artists' lines are summed from the finest revenue rollup, never from the lines again
    assert "FROM revenue_artist_daily AS r" in rollups.artist_lines_select() and "revenue_lines" not in \
        rollups.artist_lines_select()
    for table in rollups.REVENUE_ROLLUPS:
        sql = rollups.revenue_select(table)
        assert sql.count("revenue_lines AS (") == 1
        assert "d.id NOT IN (SELECT CAST(p.metadata AS JSON) ->> 'donation_id'" in sql


def test_missing_fragment_is_an_error() -> None:
    with pytest.raises(QueryError, match="no shared SQL fragment 'nope'"):
        with_includes("WITH\n-- include: nope\nSELECT 1")
