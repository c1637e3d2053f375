"""The ticket-sales section of the artist's Concerts page: confirmed sales through the artist's ticket vendors in the
period (tickets, gross, the vendor's commission, net, against the period before), by vendor, and per concert."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import day_text, is_missing, number, rub
from dashboard.metrics import artist_deals as deals
from dashboard.metrics.periods import Period
from ui import tables
from ui.data_access import query
from ui.kpi import count, kpi
from ui.language import current_lang, tr

MONEY = {"gross": "amount", "commission": "amount", "net": "amount"}
LABELS = {c: f"deals.col.{c}" for c in ("provider", "concert", "date", "place", "sales", "tickets", "gross", "net",
                                        "cancelled")} | {"commission": "deals.col.vendor_commission"}


def concert_label(row: dict[str, object]) -> str:
    title = row.get("title")
    if is_missing(title) or not str(title).strip():
        return tr("deals.tickets.unknown_concert", id=row.get("concert_id"))
    return str(title)


def place(row: dict[str, object]) -> str:
    return ", ".join(str(row[c]) for c in ("city", "venue") if isinstance(row.get(c), str) and str(row[c]).strip())


def ticket_sales_section(artist_id: str, period: Period) -> None:
    """Draw the section; the period is the page's (the Concerts page's period picker)."""
    lang = current_lang()
    by_concert = query("artist_ticket_sales_by_concert", artist_id=artist_id)
    st.subheader(tr("deals.tickets.title"))
    st.caption(tr("deals.tickets.help"))
    if by_concert.empty:
        st.info(tr("deals.tickets.empty"))
        return
    by_day = query("artist_ticket_sales_by_day", artist_id=artist_id, start=period.prev_start, end=period.end)
    cur = deals.period_sums(by_day, period.start, period.end)
    prev = deals.period_sums(by_day, period.prev_start, period.prev_end)
    c1, c2, c3, c4 = st.columns(4)
    kpi(c1, tr("deals.kpi.tickets"), number(cur["tickets"], lang), tr("deals.help.tickets"),
        cur["tickets"], prev["tickets"])
    kpi(c2, tr("deals.kpi.gross"), rub(cur["gross"], lang), tr("deals.help.gross"), cur["gross"],
        prev["gross"])
    kpi(c3, tr("deals.kpi.vendor_commission"), rub(cur["commission"], lang), tr("deals.help.vendor_commission"),
        cur["commission"], prev["commission"], inverse=True)
    kpi(c4, tr("deals.kpi.net"), rub(cur["net"], lang), tr("deals.help.net"), cur["net"], prev["net"])
    st.caption(f"{tr('deals.tickets.in_period')}: {count('deals.sales', cur['sales'])}")

    st.markdown(f"**{tr('deals.tickets.by_provider')}**")
    providers = query("artist_ticket_sales_by_provider", artist_id=artist_id, start=period.start, end=period.end)
    if providers.empty:
        st.info(tr("deals.tickets.no_period_sales"))
    else:
        shown = providers.copy()
        shown["provider"] = shown["provider"].map(lambda p: "—" if is_missing(p) else str(p))
        tables.table(shown[["provider", "sales", "tickets", "gross", "commission", "net"]], "ticket_sales_by_vendor",
                     labels=LABELS, kinds={"sales": "count", "tickets": "count", **MONEY})

    st.markdown(f"**{tr('deals.tickets.by_concert')}**")
    records = by_concert.to_dict("records")
    shown = pd.DataFrame({
        "concert": [concert_label(r) for r in records],
        "date": [day_text(r.get("date"), lang) for r in records],
        **{c: deals.amounts([r.get(c) for r in records]) for c in ("tickets", "gross", "commission", "net", "sales",
                                                                     "cancelled")},
        "place": [place(r) for r in records],
    })
    tables.table(shown, "ticket_sales_by_concert", labels=LABELS,
                 kinds={"sales": "count", "tickets": "count", "cancelled": "count", **MONEY})
