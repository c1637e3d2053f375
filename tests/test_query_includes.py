"""Shared SQL fragments: included where asked, refused when missing."""

from __future__ import annotations

import pytest

from dashboard.store.queries import QueryError, _with_includes, load_query


def test_revenue_queries_share_one_definition_of_revenue_lines() -> None:
    for name in ("revenue_payment_summary", "revenue_timeline", "revenue_top_artists"):
        sql = load_query(name).sql
        assert "-- include:" not in sql
        assert sql.count("revenue_lines AS (") == 1
        assert "metadata AS JSON) ->> 'donation_id' = d.id" in sql


def test_missing_fragment_is_an_error() -> None:
    with pytest.raises(QueryError, match="no shared SQL fragment 'nope'"):
        _with_includes("WITH\n-- include: nope\nSELECT 1")
