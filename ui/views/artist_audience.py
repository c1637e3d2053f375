"""Audience (artist): where the plays come from (a world map and a table of countries) and on which platforms."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import number, share_percent
from dashboard.i18n.translations import country_name
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric
from ui import artist_stats, charts, tables
from ui.artist_pages import artist_page, artist_period, artist_today
from ui.data_access import query
from ui.language import current_lang, tr
from ui.plain_text import markdown_text
from ui.sections import section

artist_id = artist_page("artist_audience", "artist.audience.title")

today = artist_today(artist_id)
period = artist_period(today, compared=False)  # nothing here is compared with the period before

geo = query("artist_geography", artist_id=artist_id, start=period.start, end=period.end)
platforms = query("artist_platforms", artist_id=artist_id, start=period.start, end=period.end)
if geo.empty and platforms.empty:
    # the deployed platform records no countries or services at all: say so, not "nothing in this period"
    recorded = artist_stats.plays_data(artist_id).kind == am.DAILY
    st.info(tr("artist.audience.empty" if recorded else "artist.audience.not_recorded"))
    st.stop()

if section("artist.audience.geography", "artist.audience.geography_help", geo, "artist.audience.no_geography"):
    countries = am.with_iso3(geo)
    c1, c2 = st.columns(2)
    countries["name"] = countries["country"].map(lambda c: country_name(c, current_lang()))
    c1.metric(tr("artist.audience.countries"), number(len(countries), current_lang()))
    c2.metric(tr("artist.audience.top_country"), markdown_text(countries["name"].iloc[0]),
              help=tr("artist.audience.top_country_help",
                         share=share_percent(countries["share"].iloc[0], current_lang())))
    on_map = countries.dropna(subset=["iso3"])
    fig = go.Figure(go.Choropleth(locations=list(on_map["iso3"]), z=list(on_map["plays"]), colorscale="Purples",
                                  colorbar={"title": {"text": tr("artist.col.plays")}},
                                  text=[charts.chart_label(n) for n in on_map["name"]],
                                  hovertemplate="%{text}: %{z:,}<extra></extra>"))
    fig.update_geos(showframe=False, projection_type="natural earth")
    charts.compact(fig, 380, lang=current_lang())
    # the countries' geometry ships with the app (static/topojson/, served by Streamlit's static file serving):
    # Plotly would otherwise fetch it from its CDN, and the map stays blank without internet access
    st.plotly_chart(fig, width="stretch", key="chart_map", config={"topojsonURL": charts.TOPOJSON_URL})
    table = countries[["name", "plays", "share", "country"]].copy()
    table["share"] = (table["share"] * 100).round(1)
    tables.table(table.rename(columns={"name": "country_name", "share": "share_pct", "country": "country_code"}),
                 "geography")

if section("artist.audience.platforms", "artist.audience.platforms_help", platforms, "artist.audience.no_platforms"):
    by_platform, fig = charts.share_bars(numeric(platforms, ["plays"]), "platform", "plays", "artist.platform",
                                     current_lang(), 280, tr("artist.col.plays"))
    st.plotly_chart(fig, width="stretch", key="chart_platforms")
    tables.table(by_platform, "platforms")
