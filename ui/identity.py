"""Who is looking, decided on the server on every run: the demo's "view as" choice or the signed-in person's
account (``dashboard.access.decision``), each page's role check, and who acts in a callback that writes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from dashboard.access import accounts, decision
from dashboard.access import identity as ident
from dashboard.store.connect import StoreError
from dashboard.store.queries import run_query
from ui import registry
from ui.artist_directory import artist_matches
from ui.data_access import current_store, query
from ui.kept_state import kept
from ui.language import tr
from ui.plain_text import markdown_text


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


def refuse_unsafe_demo(demo: bool, auth: bool) -> None:
    """Stop the run when demo mode is on together with sign-in, or on a server that listens beyond this computer
    (unless ``PROMO_DEMO_PUBLIC=1``); says why on the page and on stderr."""
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


def search_box() -> None:
    """The search that fills the "view as" choices (under the choice; its text is read on the next run)."""
    st.sidebar.text_input(tr("shell.find_artist"), key="view_as_search", placeholder=tr("shell.find_artist_hint"))


def view_as_picker() -> ident.Identity | None:
    """Demo mode: choose whom to view as. Staff roles first, then the artists matching the search box."""
    current = st.session_state.get("keep_view_as") or st.session_state.get("view_as")
    keep = current[1] if isinstance(current, tuple) and len(current) == 2 and current[0] == "artist" else None
    try:  # the select first, the search that fills it under it (its value from the previous run)
        artists = artist_matches(str(st.session_state.get("view_as_search") or ""), keep)
    except StoreError as exc:
        search_box()
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
    search_box()
    role, artist = chosen
    return ident.demo_identity(role, artist, artists[artist][0] if artist else "")


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
    named = outcome.name and outcome.name.strip().casefold() != (outcome.email or "").strip().casefold()
    st.sidebar.text(tr("access.signed_in_as", name=outcome.name, email=outcome.email, role=tr(f"role.{outcome.role}"))
                    if named else tr("access.signed_in_as_email", email=outcome.email, role=tr(f"role.{outcome.role}"))
                    )  # provider data: plain text, never Markdown; a provider with no name gives the email once
    sign_out_button()
    if outcome.is_staff:
        st.sidebar.caption(tr("shell.store", store=markdown_text(current_store().label())))
    return outcome


def lookup_account(claims: dict[str, Any], email: str | None,
                   fresh: bool = False) -> tuple[accounts.Account | None, list[str]]:
    """The account for ``email`` and, when the auto-mapping is on and there is no account, the platform artists
    with that (verified) email. Cached per store version (an account change shows on the next run); ``fresh``
    reads the store directly."""
    if email is None:
        return None, []
    def read(name: str, **params: Any) -> pd.DataFrame:
        return run_query(current_store(), name, **params) if fresh else query(name, **params)

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


def current_identity() -> ident.Identity | None:
    """Who is looking, as the shell decided at the start of this run (``ui.navigation.sidebar``, on the server, every
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
