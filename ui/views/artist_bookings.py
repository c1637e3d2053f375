"""Bookings (artist): offers to perform from venues and organisers (and DJ bookings when the artist is a DJ), the
artist's fees by stage, the upcoming dates and the bookings by status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import day_text, moscow_today, number, rub
from dashboard.metrics import artist as am
from dashboard.metrics import artist_deals as deals
from ui import tables
from ui.artist_pages import artist_page
from ui.data_access import query
from ui.kpi import kpi
from ui.language import current_lang, tr

MONEY = {"offered": "amount", "fee": "amount", "deposit": "amount", "commission": "amount"}


def booking_table(frame: pd.DataFrame, name: str) -> None:
    lang = current_lang()
    records = frame.to_dict("records")
    shown = pd.DataFrame({
        "date": [day_text(r.get("event_date"), lang) for r in records],
        "title": [r.get("title") if isinstance(r.get("title"), str) and str(r.get("title")).strip()
                  else tr(f"deals.kind.{r.get('kind')}") for r in records],
        "status": [am.translated("deals.booking_status", r.get("status"), lang) for r in records],
        "fee": deals.amounts([r.get("fee") for r in records]),
        "offered": deals.amounts([r.get("offered_price") for r in records]),
        "deposit": deals.amounts([r.get("deposit_amount") for r in records]),
        "client": [r.get("client") for r in records],
        "place": [", ".join(str(r[c]) for c in ("venue", "city") if isinstance(r.get(c), str) and str(r[c]).strip())
                  for r in records],
        "event_type": [am.translated("deals.event_type", r.get("event_type"), lang) for r in records],
    })
    tables.table(shown, name, labels="deals.col", kinds=MONEY)


artist_id = artist_page("artist_bookings", "deals.bookings.title")
today = moscow_today()
bookings = query("artist_bookings", artist_id=artist_id)
if bookings.empty:
    st.info(tr("deals.bookings.empty"))
    st.stop()

lang = current_lang()
st.caption(tr("deals.bookings.help", today=day_text(today, lang)))
summary = deals.booking_summary(bookings, today)
c1, c2, c3, c4 = st.columns(4)
kpi(c1, tr("deals.kpi.confirmed_fees"), rub(summary["confirmed_fees"], lang), tr("deals.help.confirmed_fees"))
kpi(c2, tr("deals.kpi.agreed_fees"), rub(summary["agreed_fees"], lang), tr("deals.help.agreed_fees"))
kpi(c3, tr("deals.kpi.offers"), number(summary["offers"], lang),
    tr("deals.help.offers") + " " + tr("deals.offers_sum", value=rub(summary["offer_fees"], lang)))
kpi(c4, tr("deals.kpi.upcoming"), number(summary["upcoming"], lang), tr("deals.help.upcoming"))
if (bookings["kind"] == "dj_booking").any():
    st.caption(tr("deals.bookings.dj_note"))

upcoming, rest = deals.split_bookings(bookings, today)
st.subheader(tr("deals.bookings.upcoming"))
if upcoming.empty:
    st.info(tr("deals.bookings.no_upcoming"))
else:
    booking_table(upcoming, "bookings_upcoming")

st.subheader(tr("deals.bookings.by_status"))
by_status = deals.bookings_by_status(bookings)
by_status["status"] = by_status["status"].map(lambda s: am.translated("deals.booking_status", s, lang))
tables.table(by_status, "bookings_by_status", labels="deals.col",
             kinds={"bookings": "count", **MONEY})

st.subheader(tr("deals.bookings.rest"))
if rest.empty:
    st.info(tr("deals.bookings.no_rest"))
else:
    booking_table(rest, "bookings_rest")
