"""The identity seam: who is looking, with which role, and for artists which artist.

Pages take their data scope only from ``Identity``: an artist's pages bind ``artist_id`` from here, never from a
widget or a URL. Until sign-in exists, demo mode (``PROMO_DEMO_MODE``, on by default) lets the sidebar pick whom
to view as. With demo mode off, the identity is fixed by ``PROMO_ROLE`` and ``PROMO_ARTIST_ID`` (for a deployment
behind an authenticating proxy that sets them per instance).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

ROLES = ("artist", "moderator", "manager", "admin")
STAFF_ROLES = ("moderator", "manager", "admin")
DEMO_STAFF = {
    "moderator": "moderator-demo",
    "manager": "manager-demo",
    "admin": "admin-demo",
}


@dataclass(frozen=True)
class Identity:
    role: str
    user_id: str
    artist_id: str | None = None
    name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def demo_mode(env: Mapping[str, str] = os.environ) -> bool:
    return env.get("PROMO_DEMO_MODE", "1").strip().lower() not in ("0", "false", "no", "off")


def identity_from_env(env: Mapping[str, str] = os.environ) -> Identity | None:
    """The fixed identity of a non-demo deployment, or None when none is configured (then nothing is shown)."""
    role = env.get("PROMO_ROLE", "").strip()
    if role not in ROLES:
        return None
    artist = env.get("PROMO_ARTIST_ID", "").strip() or None
    if role == "artist" and not artist:
        return None
    return Identity(role=role, user_id=artist or f"{role}-env", artist_id=artist if role == "artist" else None)


def demo_identity(role: str, artist_id: str | None, artist_name: str = "") -> Identity:
    """The identity a demo-mode "view as" choice stands for."""
    if role == "artist":
        if not artist_id:
            raise ValueError("an artist identity needs an artist_id")
        return Identity(role="artist", user_id=artist_id, artist_id=artist_id, name=artist_name or artist_id)
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    return Identity(role=role, user_id=DEMO_STAFF[role], name=DEMO_STAFF[role])
