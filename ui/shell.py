"""The app shell's shared Streamlit helpers: identity, language, cached queries, freshness, CSV downloads.

Pages import this module; nothing under ``dashboard/`` imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.access import identity as ident
from dashboard.i18n.formatting import moscow_time, moscow_today
from dashboard.i18n.translations import DEFAULT_LANGUAGE, LANGUAGES, t
from dashboard.metrics import artist as am
from dashboard.metrics.periods import Period, anchor_day, date_range, period_between, period_for
from dashboard.moderation import config as moderation
from dashboard.store.connect import Store, StoreError, resolve_store
from dashboard.store.queries import run_query, shared_connection
from ui import registry
from ui.csv_export import safe_csv

CACHE_TTL_SECONDS = 300


def run_app() -> None:
    """One script run of the app: page config, the sidebar, and navigation over every registered page.

    Every page is registered, so a link to any page resolves; the sidebar menu lists only the pages the role may
    open, and a page the role may not open says so in the app's own words (``require_page``)."""
    st.set_page_config(page_title="Promo.music Insights", page_icon="🎵", layout="wide")
    with shared_connection():
        who = shell_sidebar()
        if who is None:
            st.warning(tr("shell.no_identity"))
            st.stop()
        allowed = registry.allowed(who.role)
        default = allowed[0].name if allowed else registry.PAGES[0].name
        pages = {spec.name: st.Page(spec.path, title=tr(spec.title_key), icon=spec.icon, default=spec.name == default)
                 for spec in registry.PAGES}
        current = st.navigation(list(pages.values()), position="hidden")
        section = None
        for spec in allowed:
            if spec.section_key != section:
                section = spec.section_key
                st.sidebar.caption(tr(section))
            st.sidebar.page_link(pages[spec.name], label=tr(spec.title_key), icon=spec.icon)
        try:
            current.run()
        except StoreError as exc:  # e.g. the store file is locked by an ingest or a CLI decision: one line
            st.error(tr("error.store", message=str(exc)))


def language_switch() -> None:
    current = lang()
    choice = st.sidebar.segmented_control(
        tr("shell.language"), LANGUAGES, default=current, format_func=str.upper, key="lang_switch"
    )
    if choice and choice != current:
        st.session_state["lang"] = choice
        st.rerun()


PICKER_MATCHES = 50  # an artist picker lists at most this many matches of what was typed


def artist_label(artist_id: str, name: object, city: object) -> str:
    """An artist as a picker shows them: the whole name, the city and the id (equal names told apart)."""
    parts = [str(name) if isinstance(name, str) and name else artist_id]
    if isinstance(city, str) and city:
        parts.append(city)
    if parts[0] != artist_id:
        parts.append(artist_id)
    return " · ".join(parts)


def artist_matches(search: str, keep: str | None) -> dict[str, tuple[str, str]]:
    """artist_id → (name, label) for the artists matching ``search`` (a server query with a LIMIT), plus ``keep``
    (the artist chosen before, if the store has them), so that a choice survives a new search."""
    found = query("artists_matching", search=search.strip(), limit=PICKER_MATCHES)
    matches = {str(a): (str(n), artist_label(str(a), n, c))
               for a, n, c in zip(found["artist_id"], found["name"], found["city"], strict=True)}
    if keep and keep not in matches:  # only an artist the store has (a link may name anyone)
        exact = query("artists_matching", search=keep, limit=PICKER_MATCHES)
        exact = exact[exact["artist_id"] == keep]
        if not exact.empty:
            name, city = exact["name"].iloc[0], exact["city"].iloc[0]
            matches = {keep: (str(name), artist_label(keep, name, city))} | matches
    return matches


def view_as_picker() -> ident.Identity | None:
    """Demo mode: choose whom to view as. Staff roles first, then the artists matching the search box."""
    current = st.session_state.get("keep_view_as") or st.session_state.get("view_as")
    keep = current[1] if isinstance(current, tuple) and len(current) == 2 and current[0] == "artist" else None
    try:
        search = st.sidebar.text_input(tr("shell.find_artist"), key="view_as_search",
                                       placeholder=tr("shell.find_artist_hint"))
        artists = artist_matches(search, keep)
    except StoreError as exc:
        st.error(tr("error.store", message=str(exc)))
        return None
    options: list[tuple[str, str | None]] = [(role, None) for role in ("admin", "moderator", "manager")]
    options += [("artist", a) for a in artists]
    labels = {
        option: tr("shell.view_as_artist", name=artists[option[1]][1]) if option[0] == "artist" and option[1]
        else tr(f"role.{option[0]}")
        for option in options
    }
    # format_func must not read session state: AppTest calls it outside a script run. Kept across language switches
    # and pages (the label changes with the language, which makes Streamlit draw the widget anew); never from a URL.
    chosen = kept(st.sidebar.selectbox, tr("shell.view_as"), options, key="view_as", format_func=labels.__getitem__)
    role, artist = chosen
    return ident.demo_identity(role, artist, artists[artist][0] if artist else "")


def shell_sidebar() -> ident.Identity | None:
    """The shell's sidebar: language, "view as" (demo mode), store. Returns who is looking."""
    language_switch()
    if ident.demo_mode():
        who = view_as_picker()
        st.session_state["identity"] = who
        st.sidebar.caption(tr("shell.demo_mode"))
    else:
        who = current_identity()
    st.sidebar.caption(tr("shell.store", store=store().label()))
    return who


def lang() -> str:
    return str(st.session_state.get("lang", DEFAULT_LANGUAGE))


def tr(key: str, **fmt: object) -> str:
    return t(key, lang(), **fmt)


def _remember(key: str) -> None:
    st.session_state[f"keep_{key}"] = st.session_state.get(key)


def _from_url(param: str, options: Sequence[Any]) -> Any:
    """The option a shared URL names (``?param=value``), or None."""
    raw = st.query_params.get(param)
    return next((o for o in options if str(o) == raw), None) if raw is not None else None


def kept(widget: Callable[..., Any], label: str, options: Sequence[Any], *, key: str, url: str | None = None,
         initial: Any = None, **kwargs: Any) -> Any:
    """A choice widget (selectbox, radio, segmented control) whose value a person keeps: across language switches,
    page changes and pages that do not show it. The value lives in ``keep_<key>`` (plain session state, which
    Streamlit never drops); the first time, it comes from the URL's ``?url=…`` (a shared link), else from
    ``initial``. With ``url``, the current value is written back to the URL, so the address can be shared."""
    options = list(options)
    keep = f"keep_{key}"
    if st.session_state.get(keep) not in options:
        first = _from_url(url, options) if url else None
        if first is None and st.session_state.get(key) in options:  # set before the first run (AppTest)
            first = st.session_state[key]
        st.session_state[keep] = first if first is not None else (initial if initial in options else options[0])
    st.session_state[key] = st.session_state[keep]
    value = widget(label, options, key=key, on_change=_remember, args=(key,), **kwargs)
    st.session_state[keep] = value
    if url:
        st.query_params[url] = str(value)
    return value


def tr_value(prefix: str, value: object) -> str:
    """A data value's translation (``prefix.value``), or the value itself when the table has none."""
    return am.translated(prefix, value, lang())


def store() -> Store:
    return resolve_store()


def store_version(s: Store) -> float:
    """Changes whenever a DuckDB store is replaced by an ingest, so cached results are not reused across it."""
    if s.is_postgres:
        return 0.0
    try:
        version = s.path.stat().st_mtime
    except FileNotFoundError:
        return -1.0
    wal = s.path.with_name(s.path.name + ".wal")  # a decision by another process commits to the WAL first
    return version + (wal.stat().st_mtime if wal.exists() else 0.0)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_query(store_name: str, version: float, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return run_query(Store(store_name), name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound parameters, cached for a few minutes and per store version."""
    s = store()
    return _cached_query(s.name, store_version(s), name, tuple(sorted(params.items())))


def pending_params() -> dict[str, str]:
    """The pending statuses of the store's layout (its latest ingest run), bound by every query that includes
    ``queries/shared/pending.sql``: the moderation queue, the artist's pending items and current state."""
    runs = query("last_ingest")
    return moderation.pending_params(moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0])))


def invalidate() -> None:
    """Drop every cached query result: call after any write so every page shows the new state."""
    _cached_query.clear()


def current_identity() -> ident.Identity | None:
    """The identity seam: who is looking. Pages take their data scope only from here."""
    if ident.demo_mode():
        chosen = st.session_state.get("identity")
        return chosen if isinstance(chosen, ident.Identity) else None
    return ident.identity_from_env()


def require_page(name: str) -> ident.Identity:
    """Stop the page unless the current identity's role may open it (``ui/registry.py``); every page calls this
    first."""
    who = current_identity()
    if who is None or not registry.may_open(who.role, name):
        st.error(tr("error.forbidden"))
        st.stop()
    assert who is not None
    return who


def artist_scope(who: ident.Identity) -> str | None:
    """The artist a page shows: an artist's own id (no widget can change it); staff pick one in the sidebar."""
    if who.role == "artist":
        return who.artist_id
    chosen = [st.session_state.get("keep_staff_artist"), st.session_state.get("staff_artist"),
              st.query_params.get("artist")]  # chosen before, set before the first run, a shared link
    keep = next((c for c in chosen if isinstance(c, str) and c), None)
    search = st.sidebar.text_input(tr("scope.find_artist"), key="staff_artist_search",
                                   placeholder=tr("shell.find_artist_hint"))
    artists = artist_matches(search, keep)
    if not artists:
        st.sidebar.caption(tr("scope.no_match"))
        return None
    labels = {a: label for a, (_name, label) in artists.items()}
    return kept(st.sidebar.selectbox, tr("scope.artist_picker"), list(labels), key="staff_artist", url="artist",
                format_func=labels.__getitem__)


def data_as_of() -> None:
    """'Data as of' the last ingest run, in Moscow time."""
    runs = query("last_ingest")
    when = moscow_time(runs["finished_at"].iloc[0], tr("freshness.zone")) if not runs.empty else "—"
    st.caption(tr("freshness.as_of", when=when))


def section(title_key: str, help_key: str, frame: pd.DataFrame, empty_key: str) -> bool:
    """A section heading with its definition; a friendly note instead of the content when there is no data.
    Returns whether there is data to show."""
    st.subheader(tr(title_key))
    st.caption(tr(help_key))
    if frame.empty:
        st.info(tr(empty_key))
        return False
    return True


def csv_download(frame: pd.DataFrame, filename: str, key: str) -> None:
    st.download_button(
        tr("action.download_csv"), data=safe_csv(frame), file_name=filename, mime="text/csv", key=key,
        disabled=frame.empty,
    )


def artist_page(name: str, title_key: str) -> str:
    """The head of every artist page: the role check, the artist in scope (from the identity only), the title and
    freshness. Stops the page with a friendly note when there is no artist to show."""
    who = require_page(name)
    artist_id = artist_scope(who)
    st.title(tr(title_key))
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


def artist_period(today: dt.date) -> Period:
    """The artist pages' period: presets of 7/28/90/365 days or a custom range, ending ``today``."""
    labels: dict[int | str, str] = {d: tr("artist.period.days", days=d) for d in am.PRESET_DAYS}
    labels[am.CUSTOM] = tr("artist.period.custom")
    # one period for every artist page, kept across pages and languages, and in the URL (?period=28)
    choice = kept(st.radio, tr("artist.period"), list(labels), key="artist_period", url="period",
                  initial=am.DEFAULT_DAYS, format_func=labels.__getitem__, horizontal=True,
                  help=tr("artist.period_help"))
    if choice == am.CUSTOM:
        picked = st.date_input(tr("artist.period.range"), key="artist_range", format="YYYY-MM-DD",
                               value=kept_range(today))
        if isinstance(picked, tuple | list) and len(picked) == 2:  # not while the second day is being picked
            st.session_state["keep_artist_range"] = picked
            st.query_params["from"], st.query_params["to"] = str(picked[0]), str(picked[1])
        span = date_range(picked)  # a half-picked range is that one day; a cleared one, the default preset
        period = period_between(*span) if span else period_for(am.DEFAULT_DAYS, today)
    else:
        period = period_for(int(choice), today)
    st.caption(tr("artist.period.caption", start=period.start, end=period.end, prev_start=period.prev_start,
                  prev_end=period.prev_end))
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
        return today - dt.timedelta(days=am.DEFAULT_DAYS - 1), today


def artist_table(frame: pd.DataFrame, name: str) -> None:
    """A table with the artist pages' translated headers, and its CSV download."""
    st.dataframe(frame.rename(columns=lambda c: tr(f"artist.col.{c}")), hide_index=True, width="stretch")
    csv_download(frame, f"{name}.csv", key=f"dl_{name}")
