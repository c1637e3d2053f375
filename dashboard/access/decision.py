"""The access decision: from what the identity provider says about the signed-in person (the OIDC claims that
Streamlit exposes as ``st.user``) and their account, either an Identity or the reason for refusing.

Pure: no store, no Streamlit. The shell looks the account up (and, with the auto-mapping on, the platform artists
with the same email) and calls ``decide_access`` on every script run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashboard.access.accounts import Account, AccountError, normalize_email
from dashboard.access.identity import ROLES, Identity

# Refusal reasons; each has a translated text ``access.refused.<reason>``.
NOT_SIGNED_IN = "not_signed_in"
NO_EMAIL = "no_email"
EMAIL_UNVERIFIED = "email_unverified"
NO_ACCOUNT = "no_account"
DISABLED = "disabled"
BROKEN_ACCOUNT = "broken_account"


@dataclass(frozen=True)
class Refusal:
    reason: str
    email: str = ""


def verified(claims: Mapping[str, object]) -> bool:
    """True only when the provider says the email is verified (a boolean true, or the string "true")."""
    flag = claims.get("email_verified")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def claimed_email(claims: Mapping[str, object]) -> str | None:
    """The signed-in person's email, normalized as account keys are; None when missing or malformed."""
    raw = claims.get("email")
    if not isinstance(raw, str):
        return None
    try:
        return normalize_email(raw)
    except AccountError:
        return None


def display_name(claims: Mapping[str, object], account: Account | None) -> str:
    """The account's name, else the provider's ``name``, else the email."""
    if account is not None and account.name:
        return account.name
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())[:200]
    return str(claims.get("email") or "")


def decide_access(claims: Mapping[str, object], account: Account | None, auto_map: bool = False,
                  platform_artists: Sequence[str] = ()) -> Identity | Refusal:
    """Who the signed-in person is, or why they are refused.

    - Not signed in, no usable email, or an email the provider explicitly marks unverified: refused.
    - An account for the email decides: disabled is refused; otherwise its role (and for an artist its artist id).
    - No account: with ``auto_map`` on and the provider's email *verified*, the one platform artist whose
      ``users.email`` is that email (``platform_artists``); none or several: refused. Without ``auto_map``: refused.
    """
    if claims.get("is_logged_in") is not True:
        return Refusal(NOT_SIGNED_IN)
    email = claimed_email(claims)
    if email is None:
        return Refusal(NO_EMAIL)
    if claims.get("email_verified") is not None and not verified(claims):
        return Refusal(EMAIL_UNVERIFIED, email)
    if account is not None:
        if account.email != email:
            return Refusal(NO_ACCOUNT, email)
        if account.disabled:
            return Refusal(DISABLED, email)
        if account.role not in ROLES or (account.role == "artist") != bool(account.artist_id):
            return Refusal(BROKEN_ACCOUNT, email)
        return Identity(role=account.role, user_id=email, email=email, name=display_name(claims, account),
                        artist_id=account.artist_id if account.role == "artist" else None)
    if auto_map and verified(claims) and len(set(platform_artists)) == 1:
        return Identity(role="artist", user_id=email, email=email, name=display_name(claims, None),
                        artist_id=str(platform_artists[0]))
    return Refusal(NO_ACCOUNT, email)
