"""A page section: its heading and definition, or a friendly note instead of the content when there is no data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.language import tr


def section(title_key: str, help_key: str, frame: pd.DataFrame, empty_key: str) -> bool:
    """A section heading with its definition; a friendly note instead of the content when there is no data.
    Returns whether there is data to show."""
    st.subheader(tr(title_key))
    st.caption(tr(help_key))
    if frame.empty:
        st.info(tr(empty_key))
        return False
    return True
