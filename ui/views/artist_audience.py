"""Audience (artist): where the plays come from (a world map and a table of countries) and on which platforms."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import number
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric
from ui import artist_stats, charts, tables
from ui import shell as ui
from ui.plain_text import markdown_text

artist_id = ui.artist_page("artist_audience", "artist.audience.title")

today = ui.artist_today(artist_id)
period = ui.artist_period(today)

geo = ui.query("artist_geography", artist_id=artist_id, start=period.start, end=period.end)
platforms = ui.query("artist_platforms", artist_id=artist_id, start=period.start, end=period.end)
if geo.empty and platforms.empty:
    # the deployed platform records no countries or services at all: say so, not "nothing in this period"
    recorded = artist_stats.plays_data(artist_id).kind == am.DAILY
    st.info(ui.tr("artist.audience.empty" if recorded else "artist.audience.not_recorded"))
    st.stop()

if ui.section("artist.audience.geography", "artist.audience.geography_help", geo, "artist.audience.no_geography"):
    countries = am.with_iso3(geo)
    c1, c2 = st.columns(2)
    countries["name"] = countries["country"].map(lambda c: am.country_name(c, ui.lang()))
    c1.metric(ui.tr("artist.audience.countries"), number(len(countries), ui.lang()))
    c2.metric(ui.tr("artist.audience.top_country"), markdown_text(countries["name"].iloc[0]),
              help=ui.tr("artist.audience.top_country_help",
                         share=am.percent(countries["share"].iloc[0], ui.lang())))
    on_map = countries.dropna(subset=["iso3"])
    fig = go.Figure(go.Choropleth(locations=list(on_map["iso3"]), z=list(on_map["plays"]), colorscale="Purples",
                                  colorbar={"title": {"text": ui.tr("artist.col.plays")}},
                                  text=[charts.chart_label(n) for n in on_map["name"]],
                                  hovertemplate="%{text}: %{z:,}<extra></extra>"))
    fig.update_geos(showframe=False, projection_type="natural earth")
    charts.compact(fig, 380, lang=ui.lang())
    # the countries' geometry ships with the app (static/topojson/, served by Streamlit's static file serving):
    # Plotly would otherwise fetch it from its CDN, and the map stays blank without internet access
    st.plotly_chart(fig, width="stretch", key="chart_map", config={"topojsonURL": charts.TOPOJSON_URL})
    table = countries[["name", "plays", "share", "country"]].copy()
    table["share"] = (table["share"] * 100).round(1)
    tables.table(table.rename(columns={"name": "country_name", "share": "share_pct", "country": "country_code"}),
                 "geography")

if ui.section("artist.audience.platforms", "artist.audience.platforms_help", platforms, "artist.audience.no_platforms"):
    by_platform, fig = charts.share_bars(numeric(platforms, ["plays"]), "platform", "plays", "artist.platform",
                                     ui.lang(), 280, ui.tr("artist.col.plays"))
    st.plotly_chart(fig, width="stretch", key="chart_platforms")
    tables.table(by_platform, "platforms")
