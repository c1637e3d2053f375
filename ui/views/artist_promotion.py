"""Promotion (artist): campaigns (reach, engagement, conversions, spent vs budget), banners (impressions, clicks,
CTR, spent vs budget) and pitching submissions with their outcomes. All time: these run on their own dates."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import dates_text, number, rub, share_percent, times_text
from dashboard.i18n.translations import translated
from dashboard.metrics.measures import numeric, ratio
from ui import charts, tables
from ui.artist_pages import artist_page
from ui.data_access import query
from ui.language import current_lang, tr
from ui.sections import section


def rate_pct(part: pd.Series, whole: pd.Series) -> list[float | None]:
    return [None if r is None else round(r * 100, 1) for r in map(ratio, part, whole)]


def status_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(status=frame["status"].map(lambda s: translated("artist.status", s, current_lang())))


artist_id = artist_page("artist_promotion", "artist.promotion.title")
lang = current_lang()
st.caption(tr("artist.promotion.all_time"))

campaigns = numeric(query("artist_campaigns", artist_id=artist_id),
                       ["budget", "spent", "reach", "engagement", "conversions"])
banners = numeric(query("artist_banners", artist_id=artist_id), ["budget", "spent", "impressions", "clicks"])
pitching = query("artist_pitching", artist_id=artist_id)
if campaigns.empty and banners.empty and pitching.empty:
    st.info(tr("artist.promotion.empty"))
    st.stop()

if section("artist.promotion.campaigns", "artist.promotion.campaigns_help", campaigns,
              "artist.promotion.no_campaigns"):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("artist.kpi.campaign_spent"), rub(campaigns["spent"].sum(), lang), help=tr("artist.help.spent"))
    c1.caption(tr("artist.of_budget", budget=rub(campaigns["budget"].sum(), lang),
                     share=share_percent(ratio(campaigns["spent"].sum(), campaigns["budget"].sum()), lang)))
    c2.metric(tr("artist.kpi.reach"), number(campaigns["reach"].sum(), lang), help=tr("artist.help.reach"))
    c3.metric(tr("artist.kpi.engagement"), number(campaigns["engagement"].sum(), lang),
              help=tr("artist.help.engagement"))
    c3.caption(tr("artist.rate", rate=share_percent(ratio(campaigns["engagement"].sum(),
                                                                campaigns["reach"].sum()), lang)))
    c4.metric(tr("artist.kpi.conversions"), number(campaigns["conversions"].sum(), lang),
              help=tr("artist.help.conversions"))
    c4.caption(tr("artist.rate", rate=share_percent(ratio(campaigns["conversions"].sum(),
                                                                campaigns["reach"].sum()), lang)))
    table = status_text(campaigns)
    table["type"] = table["type"].map(lambda s: translated("artist.campaign_type", s, current_lang()))
    table["budget_used_pct"] = rate_pct(table["spent"], table["budget"])
    table["engagement_rate_pct"] = rate_pct(table["engagement"], table["reach"])
    table["conversion_rate_pct"] = rate_pct(table["conversions"], table["reach"])
    table = dates_text(table, ["start_date", "end_date"], lang)
    # the columns that matter first and few enough to fit a 1400 px window; the end date is in the CSV
    columns = ["name", "type", "status", "spent", "budget_used_pct", "reach", "engagement_rate_pct",
               "conversion_rate_pct", "start_date", "end_date"]
    tables.table(table[columns], "campaigns", wide=["name", "type"], kinds={"spent": "rub"}, screen=columns[:-1])

if section("artist.promotion.banners", "artist.promotion.banners_help", banners, "artist.promotion.no_banners"):
    b1, b2, b3, b4 = st.columns(4)
    b1.metric(tr("artist.kpi.banner_spent"), rub(banners["spent"].sum(), lang), help=tr("artist.help.spent"))
    b1.caption(tr("artist.of_budget", budget=rub(banners["budget"].sum(), lang),
                     share=share_percent(ratio(banners["spent"].sum(), banners["budget"].sum()), lang)))
    b2.metric(tr("artist.kpi.impressions"), number(banners["impressions"].sum(), lang),
              help=tr("artist.help.impressions"))
    b3.metric(tr("artist.kpi.banner_clicks"), number(banners["clicks"].sum(), lang),
              help=tr("artist.help.clicks"))
    b4.metric(tr("artist.kpi.ctr"), share_percent(ratio(banners["clicks"].sum(), banners["impressions"].sum()), lang),
              help=tr("artist.help.banner_ctr"))
    table = status_text(banners)
    table["placement"] = table["placement"].map(lambda s: translated("artist.placement", s, current_lang()))
    table["budget_used_pct"] = rate_pct(table["spent"], table["budget"])
    table["ctr_pct"] = rate_pct(table["clicks"], table["impressions"])
    table = dates_text(table, ["start_date", "end_date"], lang)
    tables.table(table[["title", "placement", "status", "spent", "budget_used_pct", "impressions", "clicks", "ctr_pct",
                        "start_date", "end_date"]], "banners", wide=["title"], kinds={"spent": "rub"})

if section("artist.promotion.pitching", "artist.promotion.pitching_help", pitching, "artist.promotion.no_pitching"):
    outcomes = pitching["status"].fillna("unknown").value_counts().rename_axis("status").reset_index(name="submissions")
    decided = outcomes[outcomes["status"].isin(["accepted", "rejected"])]["submissions"].sum()
    accepted = outcomes[outcomes["status"] == "accepted"]["submissions"].sum()
    p1, p2, p3 = st.columns(3)
    p1.metric(tr("artist.kpi.submissions"), number(len(pitching), lang))
    p2.metric(tr("artist.kpi.accepted"), number(accepted, lang))
    p3.metric(tr("artist.kpi.acceptance_rate"), share_percent(ratio(accepted, decided), lang),
              help=tr("artist.help.acceptance_rate"))
    outcomes["status"] = outcomes["status"].map(lambda s: translated("artist.status", s, current_lang()))
    fig = go.Figure(go.Bar(x=[charts.chart_label(s) for s in outcomes["status"]], y=list(outcomes["submissions"]),
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    charts.compact(fig, 240, tr("artist.col.submissions"), lang)
    charts.count_axis(fig, list(outcomes["submissions"]))
    st.plotly_chart(fig, width="stretch", key="chart_pitching")
    table = status_text(pitching)
    table["content_type"] = table["content_type"].map(lambda s: translated("artist.kind", s, current_lang()))
    table["target_type"] = table["target_type"].map(lambda s: translated("artist.target", s, current_lang()))
    table = times_text(table, ["created_at", "responded_at"], lang)
    tables.table(table[["content_title", "content_type", "target_name", "target_type", "status", "response",
                        "created_at", "responded_at"]], "pitching", wide=["content_title", "response"])
