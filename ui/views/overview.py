"""Platform overview (staff): artists, tracks by status, donations 30 days vs the 30 before, coins in circulation,
what waits for moderation (by type, with its age), and donations per day."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.i18n.formatting import age_text, moscow_now, moscow_today, number, rub, span_text
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics import platform as pm
from dashboard.metrics.periods import anchor_day, period_for
from dashboard.moderation.config import sla_bounds
from ui import charts, tables
from ui.data_access import pending_params, query
from ui.identity import require_page
from ui.kpi import kpi
from ui.language import current_lang, tr
from ui.sync_status import data_as_of, feed_panel, refresh_button

who = require_page("overview")
st.title(tr("overview.title"))
data_as_of()
refresh_button(who)
feed_panel(who)
lang = current_lang()

# the last day with payments or donations, at most Moscow today: an older snapshot still shows its last 30 days
today = anchor_day(moscow_today(), query("revenue_data_range")["last_day"].iloc[0])
period = period_for(30, today)
kpis = query("platform_kpis").iloc[0]
periods = query("donations_two_periods", **period.params()).set_index("period")
current, previous = periods.loc["current", "amount_rub"], periods.loc["previous", "amount_rub"]

c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("overview.artists"), number(kpis["artists"], lang), help=tr("overview.artists_help"))
c2.metric(tr("overview.tracks"), number(kpis["tracks"], lang), help=tr("overview.tracks_help"))
kpi(c3, tr("overview.donations_30d"), rub(current, lang), tr("overview.donations_help"), current, previous)
c3.caption(tr("overview.previous", amount=rub(previous, lang)) + " · "  # the dates of the 30 days before
           + span_text(period.prev_start, period.prev_end, lang))
c4.metric(tr("overview.coins"), number(kpis["coins_in_circulation"], lang), help=tr("overview.coins_help"))

st.subheader(tr("overview.pending"))
st.caption(tr("overview.pending_help"))
now = moscow_now()
waiting = pm.pending_by_type(query("pending_summary", **pending_params(), **sla_bounds(now)), now)
if waiting.empty:
    st.info(tr("overview.no_pending"))
else:
    rows = waiting.to_dict("records")  # a card for every type that waits, four to a row, the most overdue first
    with st.container(key="overview_pending_cards"):
        for first in range(0, len(rows), 4):
            for col, row in zip(st.columns(4), rows[first:first + 4], strict=False):
                badge = "🔴 " if row["over_72h"] else "🟠 " if row["over_24h"] else ""
                col.metric(badge + tr(f"mod.entity.{row['entity']}"), number(row["waiting"], lang),
                           help=tr("overview.pending_card_help"))
                col.caption(tr("overview.oldest", age=age_text(row["oldest_hours"], lang)))
    shown = waiting.assign(entity=[tr(f"mod.entity.{e}") for e in waiting["entity"]],
                           oldest=[age_text(h, lang) for h in waiting["oldest_hours"]])
    with st.container(key="overview_pending"):
        tables.table(shown[["entity", "waiting", "over_24h", "over_72h", "oldest"]], "pending_by_type",
                     labels="overview.col")

left, right = st.columns([1, 2])
with left:
    st.subheader(tr("overview.tracks_by_status"))
    by_status = query("tracks_by_status")
    shown_status = by_status.assign(status=by_status["status"].map(lambda s: translated("status", s, lang)))
    tables.table(shown_status, "tracks_by_status", labels={"status": "column.status", "tracks": "column.tracks"})
with right:
    st.subheader(tr("overview.donations_chart"))
    start = today - dt.timedelta(days=89)
    daily = am.daily(query("donations_by_day", start=start, end=today), start, today, ["amount_rub"])
    if not daily["amount_rub"].any():
        st.info(tr("overview.no_donations"))
    else:
        fig = charts.day_bars(list(daily["day"]), list(daily["amount_rub"]), lang, 320,
                              tr("column.amount_rub"), unit="₽")
        st.plotly_chart(fig, width="stretch")
