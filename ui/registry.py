"""The one registry of pages: each page's file, title, icon, navigation section and the roles that may open it.

Navigation (``app.py``) and each page's own role check (``shell.require_page``) both read it, so a page's audience
is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF = ("moderator", "manager", "admin")
EVERYONE = ("artist", *STAFF)  # artist pages: an artist sees their own; staff pick the artist


@dataclass(frozen=True)
class PageSpec:
    name: str
    title_key: str
    icon: str
    section_key: str
    roles: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"ui/views/{self.name}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "nav.overview", "📊", "nav.section.platform", STAFF),
    PageSpec("data_health", "nav.health", "🩺", "nav.section.platform", STAFF),
    PageSpec("suspicious_activity", "nav.suspicious_activity", "🚨", "nav.section.platform", STAFF),
    PageSpec("moderation_queue", "nav.moderation_queue", "🛡️", "nav.section.moderation", ("moderator", "admin")),
    PageSpec("moderation_log", "nav.moderation_log", "📜", "nav.section.moderation", ("moderator", "admin")),
    PageSpec("artist_overview", "nav.artist_overview", "🎤", "nav.section.artist", EVERYONE),
    PageSpec("artist_tracks", "nav.artist_tracks", "🎵", "nav.section.artist", EVERYONE),
    PageSpec("artist_audience", "nav.artist_audience", "🌍", "nav.section.artist", EVERYONE),
    PageSpec("artist_concerts", "nav.artist_concerts", "🎟️", "nav.section.artist", EVERYONE),
    PageSpec("artist_bookings", "nav.artist_bookings", "🗓️", "nav.section.artist", EVERYONE),
    PageSpec("artist_fans", "nav.artist_fans", "💝", "nav.section.artist", EVERYONE),
    PageSpec("artist_promotion", "nav.artist_promotion", "📣", "nav.section.artist", EVERYONE),
    PageSpec("artist_marketplace", "nav.artist_marketplace", "🎛️", "nav.section.artist", EVERYONE),
    PageSpec("artist_track_tests", "nav.artist_track_tests", "🧪", "nav.section.artist", EVERYONE),
    PageSpec("revenue", "nav.revenue", "💰", "nav.section.revenue", ("manager", "admin")),
)
BY_NAME = {page.name: page for page in PAGES}


def page(name: str) -> PageSpec:
    return BY_NAME[name]


def allowed(role: str) -> tuple[PageSpec, ...]:
    """The pages ``role`` may open, in navigation order."""
    return tuple(p for p in PAGES if role in p.roles)


def may_open(role: str, name: str) -> bool:
    return role in BY_NAME[name].roles
