"""Promo.music Insights: the Streamlit entrypoint (``streamlit run app.py``).

Everything Streamlit lives in ``ui/``: the shell (``ui/shell.py``), the page registry (``ui/registry.py``) and the
pages (``ui/views/``). The folder is not named ``pages/``, so Streamlit's legacy multipage mode never starts.
"""

from __future__ import annotations

from ui.shell import run_app

run_app()
