"""Fans and money (artist): donations over time, the total, top donors, the message feed (as text), and coins.

Anonymous donations are one "Anonymous" donor; donor emails are never queried. Messages are shown as plain text.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import day_text, money, moscow_time, number, rub, times_text
from dashboard.i18n.plural import plural
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric, plain, ratio
from ui import charts, tables
from ui.artist_pages import artist_page, artist_period, artist_today
from ui.data_access import query
from ui.kpi import count, kpi, signed_delta
from ui.language import current_lang, tr
from ui.sections import section

FEED_SIZE = 20


artist_id = artist_page("artist_fans", "artist.fans.title")

today = artist_today(artist_id)
period = artist_period(today)
anonymous = tr("artist.fans.anonymous")

cur, prev = am.two_periods(query("artist_period_totals", artist_id=artist_id, **period.params()))
donors = query("artist_top_donors", artist_id=artist_id, start=period.start, end=period.end)
feed = query("artist_donation_feed", artist_id=artist_id, start=period.start, end=period.end)

st.subheader(tr("artist.fans.donations"))
lang = current_lang()
life = query("artist_lifetime_totals", artist_id=artist_id).iloc[0]
if plain(life["donations"]):  # every donation ever, dated or not in the period chosen
    st.caption(tr("artist.fans.all_time", count=count("word.donations", life["donations"]),
                     amount=rub(plain(life["donations_rub"]), lang),
                     first=day_text(am.moscow_day(life["first_donation_at"]), lang),
                     last=day_text(am.moscow_day(life["last_donation_at"]), lang)))
c1, c2, c3, c4 = st.columns(4)
kpi(c1, tr("artist.kpi.donations_rub"), rub(cur["donations_rub"], lang), tr("artist.help.donations_rub"),
    cur["donations_rub"], prev["donations_rub"])
c1.caption(tr("artist.previous", value=rub(prev["donations_rub"], lang)))
kpi(c2, tr("artist.kpi.donations"), number(cur["donations"], lang), tr("artist.help.donations"),
    cur["donations"], prev["donations"])
c2.caption(tr("artist.previous", value=number(prev["donations"], lang)))
average = ratio(cur["donations_rub"], cur["donations"])
c3.metric(tr("artist.kpi.average_donation"), rub(average, lang), help=tr("artist.help.average_donation"))
c4.metric(tr("artist.kpi.donors"), number(len(donors), lang), help=tr("artist.help.donors"))
not_received = feed[feed["status"].fillna("unknown") != "completed"] if not feed.empty else feed
if not not_received.empty:  # money that is not money yet: said apart, in a fan's words, never added in
    st.caption(tr("artist.fans.not_received", count=count("word.donations", len(not_received)),
                     verb=plural(len(not_received), lang, tr("word.not_received"))))

by_day = query("artist_donations_by_day", artist_id=artist_id, start=period.start, end=period.end)
if by_day.empty:
    st.info(tr("artist.fans.no_donations"))
else:
    daily = am.daily(by_day, period.start, period.end, ["amount_rub", "donations"])
    fig = charts.day_bars(list(daily["day"]), list(daily["amount_rub"]), lang, 280, tr("artist.col.amount_rub"),
                          unit="₽")
    st.plotly_chart(fig, width="stretch", key="chart_donations")

if section("artist.fans.top_donors", "artist.fans.top_donors_help", donors, "artist.fans.no_donations"):
    top = numeric(donors, ["amount_rub"])
    top["donor"] = am.donor_labels(top, anonymous)
    top_shown = times_text(top[["donor", "donations", "amount_rub", "last_donation_at"]], ["last_donation_at"], lang)
    tables.table(top_shown, "top_donors", kinds={"amount_rub": "rub"})

st.subheader(tr("artist.fans.feed"))
st.caption(tr("artist.fans.feed_help"))
with_message = feed[feed["message"].map(lambda m: isinstance(m, str) and m.strip() != "")] if not feed.empty else feed
if with_message.empty:
    st.info(tr("artist.fans.no_messages"))
else:
    for row in with_message.head(FEED_SIZE).to_dict("records"):
        donor = anonymous if bool(plain(row["is_anonymous"])) else str(row["donor_name"])
        amount = money(plain(row["amount"]), row["currency"], lang)
        state = am.donation_state(row["status"])
        if state != "completed":  # not received: the amount is struck through in words, never shown as money in
            amount = f"{amount} ({tr(f'donation_state.{state}')})"
        st.text(f"{moscow_time(row['created_at'], lang=lang)} · {donor} · {amount}\n{row['message']}")
if not feed.empty:
    with st.expander(tr("artist.fans.all_donations", count=number(len(feed), lang))):
        table = numeric(feed, ["amount"])
        table["donor"] = am.donor_labels(table, anonymous)
        table["status"] = table["status"].map(lambda s: tr(f"donation_state.{am.donation_state(s)}"))
        tables.table(times_text(table[["created_at", "donor", "amount", "currency", "status", "message"]],
                                   ["created_at"], lang), "donations", kinds={"amount": "amount"}, wide=["message"])

st.subheader(tr("artist.fans.coins"))
balance = query("artist_coin_balance", artist_id=artist_id)
if balance.empty:
    st.info(tr("artist.fans.no_coins"))
else:
    b = balance.iloc[0]
    k1, k2, k3 = st.columns(3)
    k1.metric(tr("artist.kpi.coin_balance"), number(b["balance"], lang),
              **signed_delta(cur["coins_net"]), help=tr("artist.help.coin_balance"))
    k2.metric(tr("artist.kpi.lifetime_earned"), number(b["lifetime_earned"], lang),
              help=tr("artist.help.lifetime"))
    k3.metric(tr("artist.kpi.lifetime_spent"), number(b["lifetime_spent"], lang),
              help=tr("artist.help.lifetime"))
    st.caption(tr("artist.fans.balance_updated", when=moscow_time(b["updated_at"], lang=lang)))
coins_by_day = query("artist_coins_by_day", artist_id=artist_id, start=period.start, end=period.end)
transactions = query("artist_coin_transactions", artist_id=artist_id, start=period.start, end=period.end)
if coins_by_day.empty:
    st.info(tr("artist.fans.no_coin_moves"))
else:
    flows = numeric(coins_by_day, ["earned", "spent"])
    e1, e2 = st.columns(2)
    e1.metric(tr("artist.kpi.coins_earned"), number(flows["earned"].sum(), lang),
              help=tr("artist.help.coins_earned"))
    e2.metric(tr("artist.kpi.coins_spent"), number(flows["spent"].sum(), lang),
              help=tr("artist.help.coins_spent"))
    flow_days = [am.as_date(d) for d in flows["day"]]
    fig = go.Figure([go.Bar(x=flow_days, y=list(flows[f]), name=tr(f"artist.col.{f}"),
                            customdata=[day_text(d, lang) for d in flow_days],
                            hovertemplate="%{customdata}: %{y:,}<extra></extra>") for f in ("earned", "spent")])
    charts.compact(fig, 260, tr("artist.col.coins"), lang).update_layout(barmode="group")
    charts.day_ticks(fig, flow_days, lang)
    charts.count_axis(fig, [*flows["earned"], *flows["spent"]])
    st.plotly_chart(fig, width="stretch", key="chart_coins")
    moves = transactions.copy()
    moves["type"] = moves["type"].map(lambda s: translated("artist.coin_type", s, current_lang()))
    moves["related_entity_type"] = moves["related_entity_type"].map(
        lambda s: translated("artist.entity", s, current_lang()) if isinstance(s, str) else "—")
    tables.table(times_text(moves, ["created_at"], lang), "coin_transactions", wide=["description"])
