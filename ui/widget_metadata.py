"""Forget the metadata of widgets a session no longer shows (a workaround for Streamlit 1.67).

Streamlit keeps, per session, each widget's metadata (its callback, the callback's arguments, its value's
(de)serializer) in ``WStates.widget_metadata``. At the end of a run it drops the *state* of the widgets the run did
not draw, but never their metadata: ``WStates.remove_stale_widgets`` and ``WStates.clear`` touch ``states`` only.
A widget whose identity changes with the data (an undo button keyed by its log entry, a multiselect whose options
are the queue) leaves one entry per run for as long as the session lasts, and each entry holds its run's callback
arguments, and through them the page's whole namespace of that run (its frames, its rows). ``bench soak`` saw a
replica grow by about 1.6 MB a decision with 100 sessions (+55 % in ten minutes) for this reason.

At the start of each run (its callbacks have already run), the metadata of every widget that has neither a current
state nor a kept value is removed. A widget drawn by this run registers its metadata again as it is drawn, so only
widgets that are gone lose it. Where Streamlit's internals differ (another version), nothing is done.
"""

from __future__ import annotations

from typing import Any

from streamlit.runtime.scriptrunner import get_script_run_ctx


def _session_state() -> Any | None:
    ctx = get_script_run_ctx()
    safe = getattr(ctx, "session_state", None) if ctx is not None else None
    return getattr(safe, "_state", None)


def forget_stale_widget_metadata() -> int:
    """Remove the metadata of widgets that are gone from this session; returns how many were removed."""
    state = _session_state()
    widgets = getattr(state, "_new_widget_state", None)
    metadata = getattr(widgets, "widget_metadata", None)
    states = getattr(widgets, "states", None)
    kept = getattr(state, "_old_state", None)
    if not isinstance(metadata, dict) or not isinstance(states, dict) or not isinstance(kept, dict):
        return 0
    gone = [wid for wid in metadata if wid not in states and wid not in kept]
    for wid in gone:
        del metadata[wid]
    return len(gone)
