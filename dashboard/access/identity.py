"""Who is looking: a role, for artists which artist, and for signed-in people their email and display name.

Pages take their data scope only from ``Identity``: an artist's pages bind ``artist_id`` from here, never from a
widget or a URL. A signed-in person's identity comes from ``dashboard.access.decision.decide_access`` (their
account); demo mode (``PROMO_DEMO_MODE=1``, a local demo without sign-in) picks one in the sidebar instead.
"""

from __future__ import annotations

import ipaddress
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


def demo_public_allowed(env: Mapping[str, str] = os.environ) -> bool:
    """``PROMO_DEMO_PUBLIC=1``: the second, explicit setting that lets demo mode serve beyond this computer."""
    return env.get("PROMO_DEMO_PUBLIC", "").strip().lower() in _ON


def loopback_address(address: str | None) -> bool:
    """Is ``address`` (Streamlit's ``server.address``) reachable from this computer only? Empty (unset), ``0.0.0.0``
    and ``::`` mean every interface; a host name other than ``localhost`` may be any interface; a Unix socket
    (``unix://…``) is local."""
    text = (address or "").strip().lower()
    if text.startswith("unix://"):
        return True
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return False


def demo_refused(address: str | None, served: bool, env: Mapping[str, str] = os.environ) -> bool:
    """Demo mode (every visitor is an admin, no sign-in) refuses to serve a server that listens beyond this
    computer (``address`` not loopback, see ``loopback_address``) unless ``PROMO_DEMO_PUBLIC=1``. ``served``: the
    app runs under a web server at all (not under AppTest, which listens nowhere)."""
    return demo_mode(env) and served and not loopback_address(address) and not demo_public_allowed(env)


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
