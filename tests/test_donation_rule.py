"""One rule for a donation that counts as money received (queries/shared/completed_rub_donations.sql): status
completed and currency RUB, case-insensitive, the same on every page query and on both engines. The platform's
writers are not uniform ("Completed", "rub", a missing currency); each page must count such a donation the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from dashboard.i18n.formatting import MOSCOW
from dashboard.metrics import artist as am
from dashboard.rollups import rebuild_donations, rebuild_revenue
from dashboard.store.connect import Store, engine
from dashboard.store.queries import run_query
from tests.data import ARTIST

DAY = dt.date(2026, 10, 20)
# (id, status, currency, amount): the first three count, the last two do not
DONATIONS = [("d-lower", "completed", "RUB", 100), ("d-capital", "Completed", "rub", 40),
             ("d-upper", "COMPLETED", None, 2), ("d-failed", "Failed", "RUB", 1000),
             ("d-usd", "Completed", "USD", 5000)]
COUNTED, AMOUNT = 3, 142.0


def _add_donations(store: Store) -> None:
    at = dt.datetime.combine(DAY, dt.time(12), tzinfo=MOSCOW)
    with engine(store).begin() as conn:
        for donation_id, status, currency, amount in DONATIONS:
            conn.execute(sa.text("INSERT INTO donations (id, artist_id, donor_name, amount, currency, status, "
                                 "is_anonymous, created_at) VALUES (:id, :artist, 'Фан', :amount, :currency, "
                                 ":status, FALSE, :at)"),
                         {"id": donation_id, "artist": ARTIST, "amount": amount, "currency": currency,
                          "status": status, "at": at})
        rebuild_revenue(conn)  # the revenue rollups, as an ingest of these rows leaves them (dashboard/rollups.py)
        rebuild_donations(conn)


def _counted(frame: pd.DataFrame, count: str, amount: str) -> tuple[int, float]:
    return int(frame[count].sum()), float(frame[amount].sum())


def test_a_capitalised_completed_donation_counts_on_every_page_query(seed_store: Store) -> None:
    _add_donations(seed_store)
    day: dict[str, Any] = {"start": DAY, "end": DAY}
    periods: dict[str, Any] = {"cur_start": DAY, "cur_end": DAY, "prev_start": DAY - dt.timedelta(days=1),
                               "prev_end": DAY - dt.timedelta(days=1)}

    def q(name: str, **params: Any) -> pd.DataFrame:
        return run_query(seed_store, name, **params)

    two = q("donations_two_periods", **periods)
    totals = q("artist_period_totals", artist_id=ARTIST, **periods)
    top = q("revenue_top_artists", **day, limit=10)
    found = {
        "donations_by_day": _counted(q("donations_by_day", **day), "donations", "amount_rub"),
        "donations_two_periods": _counted(two[two["period"] == "current"], "donations", "amount_rub"),
        "artist_donations_by_day": _counted(q("artist_donations_by_day", artist_id=ARTIST, **day), "donations",
                                            "amount_rub"),
        "artist_period_totals": _counted(totals[totals["period"] == "current"], "donations", "donations_rub"),
        "artist_lifetime_totals": _counted(q("artist_lifetime_totals", artist_id=ARTIST), "donations",
                                           "donations_rub"),
        "artist_top_donors": _counted(q("artist_top_donors", artist_id=ARTIST, **day), "donations", "amount_rub"),
        "revenue_top_artists": _counted(top[top["artist_id"] == ARTIST], "donations", "donations_net"),
    }
    assert found == dict.fromkeys(found, (COUNTED, AMOUNT))
    # the artist's feed lists every donation; its state follows the same rule ("Completed" is received money)
    feed = q("artist_donation_feed", artist_id=ARTIST, **day)
    states = dict(zip(feed["donation_id"], feed["status"].map(am.donation_state), strict=True))
    assert [states[d[0]] for d in DONATIONS] == ["completed", "completed", "completed", "failed", "completed"]
