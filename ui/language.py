"""The language a person reads the app in: the sidebar switch, the current language, and translations in it.

Every page's text goes through ``tr`` (our words, in ``dashboard/i18n/strings``) or ``tr_value`` (a data value's
words, falling back to the value itself)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n.translations import DEFAULT_LANGUAGE, LANGUAGES, t
from dashboard.metrics import artist as am


def current_lang() -> str:
    """The language chosen in the sidebar (``ru`` until someone switches)."""
    return str(st.session_state.get("lang", DEFAULT_LANGUAGE))


def tr(key: str, **fmt: object) -> str:
    """Our text for ``key`` in the current language, with its placeholders filled."""
    return t(key, current_lang(), **fmt)


def tr_value(prefix: str, value: object) -> str:
    """A data value's translation (``prefix.value``), or the value itself when the table has none."""
    return am.translated(prefix, value, current_lang())


def language_switch() -> None:
    """The sidebar's language control; a switch reruns the page in the new language."""
    current = current_lang()
    choice = st.sidebar.segmented_control(
        tr("shell.language"), LANGUAGES, default=current, format_func=str.upper, key="lang_switch"
    )
    if choice and choice != current:
        st.session_state["lang"] = choice
        st.rerun()
