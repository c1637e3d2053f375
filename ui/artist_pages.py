"""What every artist page shares: the head (role check, the artist in scope, title, freshness), the artist a
staff member picks, and the period (presets or a custom range) kept across the artist pages and in the URL."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import period_presets as presets
from dashboard.access import identity as ident
from dashboard.i18n.formatting import moscow_today
from dashboard.i18n.translations import TEXTS
from dashboard.metrics.periods import Period, anchor_day, date_range, describe, period_between, period_for, within_data
from ui.artist_directory import artist_card, staff_artist_picker
from ui.data_access import query
from ui.date_pickers import date_picker
from ui.identity import require_page
from ui.kept_state import kept
from ui.language import current_lang, tr
from ui.plain_text import markdown_text
from ui.sync_status import data_as_of


def artist_scope(who: ident.Identity) -> str | None:
    """The artist a page shows: an artist's own id (no widget can change it); staff pick one at the top of the
    sidebar (``ui.artist_directory.staff_artist_picker``, drawn by the navigation before the page links)."""
    if who.role == "artist":
        return who.artist_id
    return staff_artist_picker()


def artist_page(name: str, title_key: str) -> str:
    """The head of every artist page: the role check, the artist in scope (from the identity only), the title, whose
    pages these are (the stage name; for staff also the city and the id, so namesakes are told apart) and
    freshness. Stops the page with a friendly note when there is no artist to show."""
    who = require_page(name)
    artist_id = artist_scope(who)
    staff_key = f"{title_key}.staff"
    st.title(tr(staff_key) if who.is_staff and staff_key in TEXTS else tr(title_key))
    if artist_id:
        stage_name, where = artist_card(artist_id)
        st.subheader("🎤 " + markdown_text(stage_name), anchor=False)
        if who.is_staff:
            st.caption(markdown_text(where))
    data_as_of()
    if not artist_id:
        st.info(tr("artist.no_artist"))
        st.stop()
    assert artist_id is not None
    return artist_id


def artist_today(artist_id: str) -> dt.date:
    """The last day the artist pages show by default: Moscow today, or the store's last analytics day if earlier."""
    dates = query("artist_data_dates", artist_id=artist_id).iloc[0]
    return anchor_day(moscow_today(), dates["store_last_day"])


def artist_period(today: dt.date, compared: bool = True) -> Period:
    """The artist pages' period: one of the presets every page offers (``dashboard.period_presets``) or a custom
    range, ending ``today``. ``compared`` False: the page compares nothing, and its caption names no previous
    period."""
    labels = {p: tr(f"period.preset.{p}") for p in presets.PRESETS}
    # one period for every artist page, kept across pages and languages, and in the URL (?period=28d)
    choice = kept(st.radio, tr("artist.period"), presets.PRESETS, key="artist_period", url="period",
                  initial=presets.DEFAULT, read_url=presets.from_url, format_func=labels.__getitem__,
                  horizontal=True, help=tr("artist.period_help"))
    if choice == presets.CUSTOM:
        picked = date_picker(st, tr("artist.period.range"), kept_range(today), "artist_range", last_day=today)
        if isinstance(picked, tuple | list) and len(picked) == 2:  # not while the second day is being picked
            st.session_state["keep_artist_range"] = picked
            st.query_params["from"], st.query_params["to"] = str(picked[0]), str(picked[1])
        span = date_range(picked)  # a half-picked range is that one day; a cleared one, the default preset
        period = within_data(period_between(*span) if span else period_for(presets.DEFAULT, today), today)
    else:
        period = period_for(choice, today)
    st.caption(describe(period, current_lang(), compared))  # a range past the data is stopped, and says so
    return period


def kept_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The custom range a person picked before (on any artist page), else the URL's ``?from=…&to=…``, else the
    default period ending ``today``."""
    kept_value = st.session_state.get("keep_artist_range")
    if isinstance(kept_value, tuple | list) and len(kept_value) == 2:
        return kept_value[0], kept_value[1]
    try:
        return dt.date.fromisoformat(st.query_params["from"]), dt.date.fromisoformat(st.query_params["to"])
    except (KeyError, ValueError):
        return today - dt.timedelta(days=presets.DEFAULT_DAYS - 1), today
