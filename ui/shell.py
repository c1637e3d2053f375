"""The app shell's shared Streamlit helpers: identity, language, cached queries, freshness, CSV downloads.

Pages import this module; nothing under ``dashboard/`` imports Streamlit.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from dashboard.access import accounts, decision
from dashboard.access import identity as ident
from dashboard.i18n.formatting import moscow_time, moscow_today, number
from dashboard.i18n.translations import DEFAULT_LANGUAGE, LANGUAGES, t
from dashboard.metrics import artist as am
from dashboard.metrics.periods import Period, anchor_day, date_range, describe, period_between, period_for, within_data
from dashboard.moderation import config as moderation
from dashboard.store.connect import Store, StoreError, resolve_store
from dashboard.store.queries import run_query, shared_connection
from ui import registry
from ui.csv_export import safe_csv
from ui.plain_text import markdown_text

CACHE_TTL_SECONDS = 300
# the store version of this script run (PostgreSQL: read once per run, see store_version)
_run_version: contextvars.ContextVar[str | None] = contextvars.ContextVar("promo_run_version", default=None)


def run_app() -> None:
    """One script run of the app: page config, who is looking (checked on the server on every run), the sidebar,
    and navigation over every registered page.

    Every page is registered, so a link to any page resolves; the sidebar menu lists only the pages the role may
    open, and a page the role may not open says so in the app's own words (``require_page``)."""
    st.set_page_config(page_title="Promo.music Insights", page_icon="🎵", layout="wide")
    with shared_connection():
        _run_version.set(None)
        who = shell_sidebar()
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
        if who.demo:
            st.warning(tr("access.demo_banner"), icon="🧪")
        try:
            current.run()
        except StoreError as exc:  # e.g. the store file is locked by an ingest or a CLI decision: one line
            st.error(tr("error.store", message=markdown_text(exc)) if who.is_staff else tr("access.unavailable"))


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
        st.error(tr("error.store", message=markdown_text(exc)))
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


def sign_in_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` (or the secrets Streamlit was given) has an ``[auth]`` section. A
    secrets file that exists but cannot be read counts as configured: demo mode is then refused, never guessed."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return any(Path(p).is_file() for p in st.get_option("secrets.files"))


def served_address() -> tuple[str | None, bool]:
    """(Streamlit's ``server.address``, whether a web server runs this app). The server mode is None only where
    no server listens (AppTest); a server mode other than ``streamlit run``'s own (an external ASGI server, whose
    address Streamlit does not know) counts as listening everywhere."""
    from streamlit import config

    mode = getattr(config, "_server_mode", "unknown")  # private in Streamlit 1.67: a change fails closed
    address = st.get_option("server.address")
    if mode not in (None, "starlette-managed", "starlette-app"):
        address = None
    return (str(address) if address else None), mode is not None


def shell_sidebar() -> ident.Identity:
    """The shell's sidebar: language, then who is looking. Checked on the server on every run: in demo mode the
    "view as" choice; with sign-in the signed-in person's account (``dashboard.access.decision``). Anyone else gets
    a page that explains (sign in, no access, how to configure sign-in) and the run stops there."""
    st.session_state.pop("identity", None)  # decided afresh on every run, never carried over
    demo, auth = ident.demo_mode(), sign_in_configured()
    if demo and auth:
        print("error: PROMO_DEMO_MODE=1 with [auth] configured; demo mode is refused", file=sys.stderr)
        st.error(tr("access.demo_with_auth"))
        st.stop()
    if demo and ident.demo_refused(*served_address()):
        print("error: PROMO_DEMO_MODE=1 on a server that listens beyond this computer (server.address "
              f"{st.get_option('server.address') or 'unset: every interface'}); demo mode is refused: pass "
              "--server.address 127.0.0.1, or set PROMO_DEMO_PUBLIC=1 to serve it to others", file=sys.stderr)
        st.error(tr("access.demo_public"))
        st.stop()
    language_switch()
    if demo:
        who = view_as_picker()
        if who is None:
            st.stop()
        assert who is not None
        st.sidebar.caption(tr("shell.demo_mode"))
        st.sidebar.caption(tr("shell.store", store=markdown_text(store().label())))
    elif auth:
        who = signed_in_identity()
    else:
        st.title("Promo.music Insights")
        st.info(tr("access.not_configured"))
        st.stop()
    st.session_state["identity"] = who
    return who


def signed_in_identity() -> ident.Identity:
    """The signed-in person's identity from their account; a sign-in page, or a polite "no access" page with
    nothing else on it (not even the store's name), stops the run otherwise."""
    claims = dict(st.user.to_dict())
    if claims.get("is_logged_in") is not True:
        st.title("Promo.music Insights")
        st.info(tr("access.sign_in_prompt"))
        if st.button(tr("access.sign_in"), type="primary", key="sign_in"):
            st.login()
        st.stop()
    email = decision.claimed_email(claims)
    try:
        account, artists = lookup_account(claims, email)
    except (StoreError, sa.exc.DBAPIError):  # unreachable store, or one made before accounts existed
        st.error(tr("access.unavailable"))
        sign_out_button()
        st.stop()
    outcome = decision.decide_access(claims, account, accounts.auto_map_artists(), artists)
    if isinstance(outcome, decision.Refusal):
        st.title(tr("access.refused.title"))
        st.info(tr(f"access.refused.{outcome.reason}"))
        if outcome.email:
            st.text(tr("access.signed_in_email", email=outcome.email))  # provider data: plain text, never Markdown
        sign_out_button()
        st.stop()
    assert isinstance(outcome, ident.Identity)
    st.sidebar.text(tr("access.signed_in_as", name=outcome.name, email=outcome.email,
                       role=tr(f"role.{outcome.role}")))  # provider data: plain text, never Markdown
    sign_out_button()
    if outcome.is_staff:
        st.sidebar.caption(tr("shell.store", store=markdown_text(store().label())))
    return outcome


def lookup_account(claims: dict[str, Any], email: str | None,
                   fresh: bool = False) -> tuple[accounts.Account | None, list[str]]:
    """The account for ``email`` and, when the auto-mapping is on and there is no account, the platform artists
    with that (verified) email. Cached per store version (an account change shows on the next run); ``fresh``
    reads the store directly."""
    if email is None:
        return None, []
    def read(name: str, **params: Any) -> pd.DataFrame:
        return run_query(store(), name, **params) if fresh else query(name, **params)

    rows = read("account_for_email", email=email).to_dict("records")
    account = accounts.account_from_row(rows[0]) if rows else None
    artists: list[str] = []
    if account is None and accounts.auto_map_artists() and decision.verified(claims):
        artists = [str(a) for a in read("verified_email_artists", email=email)["artist_id"]]
    return account, artists


def acting_identity(page: str) -> ident.Identity | None:
    """Who is acting, for a widget callback that writes (a decision): callbacks run before the shell's check of
    the run, so access is decided afresh here — from the provider's claims and the account as it is now, not as
    it was on the last run — and only a role that may open ``page`` acts. None: refuse the action."""
    demo, auth = ident.demo_mode(), sign_in_configured()
    who: ident.Identity | None = None
    if demo and not auth:
        who = current_identity()
    elif auth and not demo:
        claims = dict(st.user.to_dict())
        try:
            account, artists = lookup_account(claims, decision.claimed_email(claims), fresh=True)
        except (StoreError, sa.exc.DBAPIError):
            return None
        outcome = decision.decide_access(claims, account, accounts.auto_map_artists(), artists)
        who = outcome if isinstance(outcome, ident.Identity) else None
    return who if who is not None and registry.may_open(who.role, page) else None


def sign_out_button() -> None:
    if st.sidebar.button(tr("access.sign_out"), key="sign_out"):
        st.logout()


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


def store_version(s: Store) -> str:
    """Changes whenever the store's content does, so cached results are never reused across a change.

    DuckDB: the file's and its WAL's modification times (an ingest replaces the file; a decision or an account
    change by another process commits to the WAL first). PostgreSQL, where several app replicas share one database:
    one cheap query (``store_version``: the latest ingest run, the audit log's size and latest action, the accounts'
    count and latest change), read once per script run, so a write through one replica shows on the others at
    their next run."""
    if s.is_postgres:
        known = _run_version.get()
        if known is not None:
            return known
        try:
            row = run_query(s, "store_version").iloc[0]
            version = "|".join(str(v) for v in row.tolist())
        except (StoreError, sa.exc.DBAPIError):  # e.g. an old store without the accounts table: no reuse at all
            version = f"uncached-{time.time_ns()}"
        _run_version.set(version)
        return version
    try:
        mtime = s.path.stat().st_mtime_ns
    except FileNotFoundError:
        return "missing"
    wal = s.path.with_name(s.path.name + ".wal")  # a decision by another process commits to the WAL first
    return f"{mtime}|{wal.stat().st_mtime_ns if wal.exists() else 0}"


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_query(store_name: str, version: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return run_query(Store(store_name), name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound parameters, cached for a few minutes and per store version."""
    s = store()
    return _cached_query(s.name, store_version(s), name, tuple(sorted(params.items())))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=32)
def _cached_compute(store_name: str, version: str, name: str, args: tuple[Any, ...],
                    _compute: Callable[..., Any]) -> Any:
    return _compute(Store(store_name), *args)


def computed(compute: Callable[..., Any], *args: Any) -> Any:
    """``compute(store, *args)``, cached like ``query`` (per store version, for a few minutes), for a page whose work
    after its queries (formatting thousands of findings, building a CSV) would otherwise run on every rerun.
    ``compute`` is named by its module and name in the cache key; ``args`` must be hashable."""
    s = store()
    return _cached_compute(s.name, store_version(s), f"{compute.__module__}.{compute.__qualname__}", args, compute)


def pending_params() -> dict[str, str]:
    """The pending statuses of the store's layout (its latest ingest run), bound by every query that includes
    ``queries/shared/pending.sql``: the moderation queue, the artist's pending items and current state."""
    runs = query("last_ingest")
    return moderation.pending_params(moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0])))


def invalidate() -> None:
    """Drop every cached query result: call after any write so every page shows the new state."""
    _cached_query.clear()
    _run_version.set(None)
    _cached_origin.clear()


def current_identity() -> ident.Identity | None:
    """Who is looking, as the shell decided at the start of this run (``shell_sidebar``, on the server, every
    run). Pages take their data scope only from here."""
    chosen = st.session_state.get("identity")
    return chosen if isinstance(chosen, ident.Identity) else None


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


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_origin(store_name: str, version: str) -> dict[str, Any] | None:
    from dashboard.sync.status import sync_origin

    return sync_origin(Store(store_name))


def sync_origin() -> dict[str, Any] | None:
    """The store's sync origin (None: fed by snapshot files), cached like a query."""
    s = store()
    return _cached_origin(s.name, store_version(s))


def data_as_of() -> None:
    """'Data as of' the last ingest run or sync, in Moscow time."""
    runs = query("last_ingest")
    when = moscow_time(runs["finished_at"].iloc[0], tr("freshness.zone")) if not runs.empty else "—"
    origin = sync_origin() if not runs.empty else None
    if origin:
        st.caption(tr("sync.as_of", when=when, source=markdown_text(origin.get("source", ""))))
    else:
        st.caption(tr("freshness.as_of", when=when))


def refresh_button(who: ident.Identity) -> None:
    """Admins of a synced store: "refresh now" runs one sync from the recorded source. The page is then drawn
    again, so "data as of" (already on the page above the button) names the new sync; the toast follows."""
    if who.role != "admin" or not sync_origin():
        return
    done = st.session_state.pop("sync_refreshed", None)
    if done:
        st.toast(markdown_text(done), icon="✅")
    if st.button(tr("sync.refresh"), help=tr("sync.refresh_help"), key="sync_refresh_now"):
        from dashboard.sync.status import refresh_now

        try:
            with st.spinner(tr("sync.refreshing")):
                result = refresh_now(store())
        except (StoreError, ValueError, OSError) as exc:
            st.error(tr("sync.failed", message=markdown_text(str(exc).splitlines()[0] if str(exc)
                                                             else type(exc).__name__)))
            return
        invalidate()
        st.session_state["sync_refreshed"] = tr("sync.refreshed", keys=f"{result.rows_loaded:,}",
                                                seconds=f"{result.seconds:.1f}")
        st.rerun()


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
    """A CSV download of ``frame``, disabled when empty. The bytes are made on each run: Streamlit's deferred
    (callable) ``data`` missed a click in the browser suite once in three runs, so it is not used."""
    st.download_button(tr("action.download_csv"), data=safe_csv(frame), file_name=filename, mime="text/csv", key=key,
                       disabled=frame.empty)


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
    labels: dict[int | str, str] = {d: tr("artist.period.days", days=number(d, lang())) for d in am.PRESET_DAYS}
    labels[am.CUSTOM] = tr("artist.period.custom")
    # one period for every artist page, kept across pages and languages, and in the URL (?period=28)
    choice = kept(st.radio, tr("artist.period"), list(labels), key="artist_period", url="period",
                  initial=am.DEFAULT_DAYS, format_func=labels.__getitem__, horizontal=True,
                  help=tr("artist.period_help"))
    if choice == am.CUSTOM:
        picked = st.date_input(tr("artist.period.range"), key="artist_range", format=tr("date.picker_format"),
                               value=kept_range(today))
        if isinstance(picked, tuple | list) and len(picked) == 2:  # not while the second day is being picked
            st.session_state["keep_artist_range"] = picked
            st.query_params["from"], st.query_params["to"] = str(picked[0]), str(picked[1])
        span = date_range(picked)  # a half-picked range is that one day; a cleared one, the default preset
        period = within_data(period_between(*span) if span else period_for(am.DEFAULT_DAYS, today), today)
    else:
        period = period_for(int(choice), today)
    st.caption(describe(period, lang()))  # a range past the last day with data is stopped there, and says so
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
