"""Fans and money (artist): donations over time, the total, top donors, the message feed (as text), and coins.

Anonymous donations are one "Anonymous" donor; donor emails are never queried. Messages are shown as plain text.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import money, moscow_time, number, rub
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric, plain, ratio
from ui import charts
from ui import shell as ui

FEED_SIZE = 20


artist_id = ui.artist_page("artist_fans", "artist.fans.title")

today = ui.artist_today(artist_id)
period = ui.artist_period(today)
anonymous = ui.tr("artist.fans.anonymous")

cur, prev = am.two_periods(ui.query("artist_period_totals", artist_id=artist_id, **period.params()))
donors = ui.query("artist_top_donors", artist_id=artist_id, start=period.start, end=period.end)
feed = ui.query("artist_donation_feed", artist_id=artist_id, start=period.start, end=period.end)

st.subheader(ui.tr("artist.fans.donations"))
c1, c2, c3, c4 = st.columns(4)
c1.metric(ui.tr("artist.kpi.donations_rub"), rub(cur["donations_rub"]),
          delta=am.delta_text(cur["donations_rub"], prev["donations_rub"]), help=ui.tr("artist.help.donations_rub"))
c1.caption(ui.tr("artist.previous", value=rub(prev["donations_rub"])))
c2.metric(ui.tr("artist.kpi.donations"), number(cur["donations"]),
          delta=am.delta_text(cur["donations"], prev["donations"]), help=ui.tr("artist.help.donations"))
c2.caption(ui.tr("artist.previous", value=number(prev["donations"])))
average = ratio(cur["donations_rub"], cur["donations"])
c3.metric(ui.tr("artist.kpi.average_donation"), rub(average), help=ui.tr("artist.help.average_donation"))
c4.metric(ui.tr("artist.kpi.donors"), number(len(donors)), help=ui.tr("artist.help.donors"))

by_day = ui.query("artist_donations_by_day", artist_id=artist_id, start=period.start, end=period.end)
if by_day.empty:
    st.info(ui.tr("artist.fans.no_donations"))
else:
    daily = am.daily(by_day, period.start, period.end, ["amount_rub", "donations"])
    fig = go.Figure(go.Bar(x=list(daily["day"]), y=list(daily["amount_rub"]),
                           hovertemplate="%{x}: %{y} ₽<extra></extra>"))
    charts.compact(fig, 280, ui.tr("artist.col.amount_rub"))
    st.plotly_chart(fig, width="stretch", key="chart_donations")

if ui.section("artist.fans.top_donors", "artist.fans.top_donors_help", donors, "artist.fans.no_donations"):
    top = numeric(donors, ["amount_rub"])
    top["donor"] = am.donor_labels(top, anonymous)
    top_shown = am.times_text(top[["donor", "donations", "amount_rub", "last_donation_at"]], ["last_donation_at"])
    ui.artist_table(top_shown, "top_donors")

st.subheader(ui.tr("artist.fans.feed"))
st.caption(ui.tr("artist.fans.feed_help"))
with_message = feed[feed["message"].map(lambda m: isinstance(m, str) and m.strip() != "")] if not feed.empty else feed
if with_message.empty:
    st.info(ui.tr("artist.fans.no_messages"))
else:
    for row in with_message.head(FEED_SIZE).to_dict("records"):
        donor = anonymous if bool(plain(row["is_anonymous"])) else str(row["donor_name"])
        st.text(f"{moscow_time(row['created_at'])} · {donor} · {money(plain(row['amount']), row['currency'])}"
                f"\n{row['message']}")
if not feed.empty:
    with st.expander(ui.tr("artist.fans.all_donations", count=number(len(feed)))):
        table = numeric(feed, ["amount"])
        table["donor"] = am.donor_labels(table, anonymous)
        table["status"] = table["status"].map(lambda s: am.translated("artist.status", s, ui.lang()))
        ui.artist_table(am.times_text(table[["created_at", "donor", "amount", "currency", "status", "message"]],
                                   ["created_at"]), "donations")

st.subheader(ui.tr("artist.fans.coins"))
balance = ui.query("artist_coin_balance", artist_id=artist_id)
if balance.empty:
    st.info(ui.tr("artist.fans.no_coins"))
else:
    b = balance.iloc[0]
    k1, k2, k3 = st.columns(3)
    k1.metric(ui.tr("artist.kpi.coin_balance"), number(b["balance"]), delta=am.signed(cur["coins_net"]),
              help=ui.tr("artist.help.coin_balance"))
    k2.metric(ui.tr("artist.kpi.lifetime_earned"), number(b["lifetime_earned"]), help=ui.tr("artist.help.lifetime"))
    k3.metric(ui.tr("artist.kpi.lifetime_spent"), number(b["lifetime_spent"]), help=ui.tr("artist.help.lifetime"))
    st.caption(ui.tr("artist.fans.balance_updated", when=moscow_time(b["updated_at"])))
coins_by_day = ui.query("artist_coins_by_day", artist_id=artist_id, start=period.start, end=period.end)
transactions = ui.query("artist_coin_transactions", artist_id=artist_id, start=period.start, end=period.end)
if coins_by_day.empty:
    st.info(ui.tr("artist.fans.no_coin_moves"))
else:
    flows = numeric(coins_by_day, ["earned", "spent"])
    e1, e2 = st.columns(2)
    e1.metric(ui.tr("artist.kpi.coins_earned"), number(flows["earned"].sum()), help=ui.tr("artist.help.coins_earned"))
    e2.metric(ui.tr("artist.kpi.coins_spent"), number(flows["spent"].sum()), help=ui.tr("artist.help.coins_spent"))
    fig = go.Figure([go.Bar(x=list(flows["day"]), y=list(flows[f]), name=ui.tr(f"artist.col.{f}"))
                     for f in ("earned", "spent")])
    charts.compact(fig, 260, ui.tr("artist.col.coins")).update_layout(barmode="group")
    st.plotly_chart(fig, width="stretch", key="chart_coins")
    moves = transactions.copy()
    moves["type"] = moves["type"].map(lambda s: am.translated("artist.coin_type", s, ui.lang()))
    moves["related_entity_type"] = moves["related_entity_type"].map(
        lambda s: am.translated("artist.entity", s, ui.lang()) if isinstance(s, str) else "")
    ui.artist_table(am.times_text(moves, ["created_at"]), "coin_transactions")
