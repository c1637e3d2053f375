"""Where the data comes from and how fresh it is: "data as of" (the last ingest run or sync, in Moscow time), the
store's sync origin, and the admins' "refresh now" for a synced store."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.access import identity as ident
from dashboard.i18n.formatting import moscow_time, seconds_text
from dashboard.i18n.plural import count_of
from dashboard.store.connect import Store, StoreError
from ui.data_access import computed, current_store, invalidate, query
from ui.language import current_lang, tr
from ui.plain_text import markdown_text


def _origin(store: Store) -> dict[str, Any] | None:
    from dashboard.sync.status import sync_origin as recorded_origin

    return recorded_origin(store)


def sync_origin() -> dict[str, Any] | None:
    """The store's sync origin (None: fed by snapshot files), cached like a query."""
    origin: dict[str, Any] | None = computed(_origin)
    return origin


def data_as_of() -> None:
    """'Data as of' the last ingest run or sync, in Moscow time."""
    runs = query("last_ingest")
    when = moscow_time(runs["finished_at"].iloc[0], tr("freshness.zone"), current_lang()) if not runs.empty else "—"
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
                result = refresh_now(current_store())
        except (StoreError, ValueError, OSError) as exc:
            st.error(tr("sync.failed", message=markdown_text(str(exc).splitlines()[0] if str(exc)
                                                             else type(exc).__name__)))
            return
        invalidate()
        lang = current_lang()
        st.session_state["sync_refreshed"] = tr("sync.refreshed", keys=count_of(result.rows_loaded, lang,
                                                                                  tr("word.keys")),
                                                seconds=seconds_text(result.seconds, lang))
        st.rerun()
