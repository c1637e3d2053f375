"""Choices a person keeps: across language switches, page changes and pages that do not show the widget, and in
the URL when the choice may be shared (``?period=28``, ``?artist=…``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st


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
