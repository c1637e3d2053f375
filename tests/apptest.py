"""Open one page of the real app with Streamlit's AppTest, as a given identity, on a given store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

import functools

from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

from dashboard.store.connect import Store

APP = Path(__file__).resolve().parent.parent / "app.py"


# Given any secrets, AppTest reads only those: the tests never see a developer's .streamlit/secrets.toml.
ISOLATED_SECRETS = {"tests": {"isolated": True}}


@functools.cache
def _components() -> BidiComponentManager:
    """The installed packages' custom components, found once per test process: each new AppTest otherwise reads
    the metadata of every installed distribution again (a tenth of the page tests' time)."""
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def new_app(timeout: float = 60) -> AppTest:
    """app.py under AppTest (not run yet), sharing the process's component registry."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at._bidi_component_manager = _components()  # AppTest's own cache of it, kept per instance
    return at


def open_page(store: Store, page: str, role: str = "admin", artist_id: str | None = None, lang: str = "ru",
              timeout: float = 60, url: dict[str, str] | None = None) -> AppTest:
    """Run app.py as ``role`` (demo "view as"), switch to ``page`` (e.g. "ui/views/overview.py") and run it.

    The identity goes into session state before the first run, as the sidebar picker would set it; ``url`` is the
    query string of a shared link (``{"period": "28"}``), there from the first run."""
    os.environ["PROMO_DB"] = store.name
    os.environ["PROMO_DEMO_MODE"] = "1"
    at = new_app(timeout)
    at.secrets.update(ISOLATED_SECRETS)  # a developer's own .streamlit/secrets.toml ([auth]) would refuse demo mode
    at.session_state["view_as"] = (role, artist_id)
    at.session_state["lang"] = lang
    for name, value in (url or {}).items():
        at.query_params[name] = value
    at.switch_page(page).run()  # straight to the page: st.Page's address is its file name, known before a run
    return at


# An [auth] section as .streamlit/secrets.toml would hold it; AppTest never contacts the provider.
AUTH_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "apptest-cookie-secret-0123456789abcdef0123456789",
    "client_id": "promo-insights",
    "client_secret": "apptest-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def signed_in_app(store: Store, email: str | None, name: str = "", verified: bool = True, lang: str = "ru",
                  timeout: float = 60) -> AppTest:
    """app.py with sign-in configured, as ``email`` signed in at the provider (None: not signed in); not run yet.
    Who may see what is then decided by the store's accounts, as in production."""
    os.environ["PROMO_DB"] = store.name
    os.environ["PROMO_DEMO_MODE"] = "0"
    at = new_app(timeout)
    at.secrets["auth"] = dict(AUTH_SECRETS)
    at.user = ({"is_logged_in": True, "email": email, "email_verified": verified, "name": name}
               if email is not None else {"is_logged_in": False})
    at.session_state["lang"] = lang
    return at


def open_signed_in(store: Store, page: str, email: str, name: str = "", lang: str = "ru") -> AppTest:
    """Run app.py as the signed-in ``email`` and switch to ``page`` (e.g. "ui/views/overview.py")."""
    at = signed_in_app(store, email, name=name, lang=lang)
    at.run()
    at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, metrics, tables), for leak checks."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "error",
                 "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_csv(index=False))
    for tbl in at.table:
        parts.append(tbl.value.to_csv(index=False))
    return "\n".join(parts)


def parsed(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as shown (numbers as text in the UI language: "1 234,5", "—") with its number columns read back as
    numbers, so tests can compare them with SQL."""
    import pandas as pd

    def number(text: object) -> float | None:
        if not isinstance(text, str):
            return text  # type: ignore[return-value]
        cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
        if cleaned in ("—", ""):
            return None
        return float(cleaned.replace(",", "."))

    out = frame.copy()
    for col in out.columns:
        try:
            values = out[col].map(number)
        except ValueError:
            continue
        if values.notna().any():
            out[col] = pd.to_numeric(values)
    return out
