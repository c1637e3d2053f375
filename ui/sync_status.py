"""Where the data comes from and how fresh it is: "data as of" (the last ingest run or sync, or the last platform
change applied by an incremental sync, in Moscow time), the store's sync origin, the admins' "refresh now" for a
synced store, and the change feed's state on the overview (admins: following or not, lag, backlog; everyone: a feed
that falls behind or stops)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.access import identity as ident
from dashboard.i18n.formatting import moscow_time, number, seconds_text
from dashboard.i18n.plural import count_of
from dashboard.store.connect import Store, StoreError
from ui.data_access import computed, current_store, invalidate, query, store_version
from ui.language import current_lang, tr
from ui.plain_text import markdown_text

FEED_STATUS_TTL = 15  # seconds the overview's feed state (a look at the platform's log) is reused


def _origin(store: Store) -> dict[str, Any] | None:
    from dashboard.sync.status import sync_origin as recorded_origin

    return recorded_origin(store)


def sync_origin() -> dict[str, Any] | None:
    """The store's sync origin (None: fed by snapshot files), cached like a query."""
    origin: dict[str, Any] | None = computed(_origin)
    return origin


def _feed_row(store: Store) -> dict[str, Any] | None:
    from dashboard.sync.status import feed_row

    return feed_row(store)


def data_as_of() -> None:
    """'Data as of' the last ingest run or sync, in Moscow time; on a store brought up to date by the change feed,
    the time of the last platform change applied."""
    runs = query("last_ingest")
    when = moscow_time(runs["finished_at"].iloc[0], tr("freshness.zone"), current_lang()) if not runs.empty else "—"
    origin = sync_origin() if not runs.empty else None
    feed: dict[str, Any] | None = computed(_feed_row) if origin else None
    if origin and feed and feed.get("mode") == "incremental" and feed.get("last_change_at") is not None:
        st.caption(tr("sync.as_of_change", when=moscow_time(feed["last_change_at"], tr("freshness.zone"),
                                                            current_lang()),
                      source=markdown_text(origin.get("source", ""))))
    elif origin:
        st.caption(tr("sync.as_of", when=when, source=markdown_text(origin.get("source", ""))))
    else:
        st.caption(tr("freshness.as_of", when=when))


@st.cache_data(ttl=FEED_STATUS_TTL, show_spinner=False)
def _feed_status(store_name: str, version: str) -> Any:
    from dashboard.sync.status import feed_status

    return feed_status(Store(store_name))


def _age(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{int(seconds)} с" if lang == "ru" else f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} мин" if lang == "ru" else f"{int(seconds // 60)} min"
    return f"{int(seconds // 3600)} ч" if lang == "ru" else f"{int(seconds // 3600)} h"


def feed_panel(who: ident.Identity) -> None:
    """The overview's word on the change feed: a warning for everyone when it falls behind or stops; for admins, one
    line on whether it follows, its lag and its backlog."""
    if not sync_origin():
        return
    store = current_store()
    status = _feed_status(store.name, store_version(store))
    if status is None or status.state == "off":
        return
    lang = current_lang()
    zone = tr("freshness.zone")
    backlog = "—" if status.backlog is None else count_of(status.backlog, lang, tr("sync.changes_forms"))
    lag = number(status.lag_p95, lang, 1) if status.lag_p95 is not None else "—"
    when = moscow_time(status.last_change_at or status.row.get("applied_at"), zone, lang)
    if status.state == "behind":
        st.warning(tr("sync.feed.behind", backlog=backlog, age=_age(status.waiting_seconds(), lang), lag=lag,
                      when=when), icon="⚠️")
    elif status.state == "stopped":
        st.warning(tr("sync.feed.stopped", when=when, backlog=backlog), icon="⚠️")
    elif who.role == "admin":
        st.caption(tr(f"sync.feed.{status.state}", when=when, lag=lag, backlog=backlog))


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
                result = refresh_now(current_store())
        except (StoreError, ValueError, OSError) as exc:
            st.error(tr("sync.failed", message=markdown_text(str(exc).splitlines()[0] if str(exc)
                                                             else type(exc).__name__)))
            return
        invalidate()
        _feed_status.clear()
        lang = current_lang()
        if hasattr(result, "changes"):  # the changes since the last sync (the platform has a change log)
            st.session_state["sync_refreshed"] = tr("sync.refreshed_changes", changes=number(result.changes, lang),
                                                    seconds=seconds_text(result.seconds, lang))
        else:
            st.session_state["sync_refreshed"] = tr("sync.refreshed", keys=count_of(result.rows_loaded, lang,
                                                                                      tr("word.keys")),
                                                    seconds=seconds_text(result.seconds, lang))
        st.rerun()
