"""Who is looking: a role, for artists which artist, and for signed-in people their email and display name.

Pages take their data scope only from ``Identity``: an artist's pages bind ``artist_id`` from here, never from a
widget or a URL. A signed-in person's identity comes from ``dashboard.access.decision.decide_access`` (their
account); demo mode (``PROMO_DEMO_MODE=1``, a local demo without sign-in) picks one in the sidebar instead.
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
_ON = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Identity:
    role: str
    user_id: str
    artist_id: str | None = None
    name: str = ""
    email: str = ""
    demo: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def actor(self) -> str:
        """How the audit log names this person: "Name <email>" when signed in, else the demo name."""
        if self.email:
            return f"{self.name} <{self.email}>" if self.name and self.name != self.email else self.email
        return self.name or self.user_id or self.role


def demo_mode(env: Mapping[str, str] = os.environ) -> bool:
    """Demo mode (no sign-in, "view as" in the sidebar) only when asked for: ``PROMO_DEMO_MODE=1``."""
    return env.get("PROMO_DEMO_MODE", "").strip().lower() in _ON


def demo_identity(role: str, artist_id: str | None, artist_name: str = "") -> Identity:
    """The identity a demo-mode "view as" choice stands for."""
    if role == "artist":
        if not artist_id:
            raise ValueError("an artist identity needs an artist_id")
        return Identity(role="artist", user_id=artist_id, artist_id=artist_id, name=artist_name or artist_id,
                        demo=True)
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}")
    return Identity(role=role, user_id=DEMO_STAFF[role], name=DEMO_STAFF[role], demo=True)
