"""Promo.music Insights: the Streamlit entrypoint (``streamlit run app.py``).

Everything Streamlit lives in ``ui/``: the navigation (``ui/navigation.py``), the modules the pages share (language,
identity, kept state, data access, sync status, artist pages), the page registry (``ui/registry.py``) and the pages
(``ui/views/``). The folder is not named ``pages/``, so Streamlit's legacy multipage mode never starts.
"""

from __future__ import annotations

from ui.navigation import run_app

run_app()
