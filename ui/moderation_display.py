"""How the moderation queue draws what the core computes: the SLA badge of an age band, and the media host of a
cover or audio URL (the only URLs the app ever loads, and only when the moderator asks)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import pandas as pd

from dashboard.moderation.config import AGE_BANDS, is_web_link

# a badge per SLA age band (dashboard.moderation.config.AGE_BANDS, youngest first): under 24 h, 24–72 h, over 72 h
SLA_BADGES = dict(zip(AGE_BANDS, ("🟢", "🟠", "🔴"), strict=True))
# a host name or IPv4 address as a browser would request it: letters, digits, dots and hyphens
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")


def sla_badges(bands: pd.Series) -> pd.Series:
    """🔴 over 72 h, 🟠 over 24 h, 🟢 otherwise, for a column of age bands."""
    return bands.map(SLA_BADGES)


def media_host(url: object) -> str | None:
    """The host (with its port, if any) a media URL would be loaded from, or None when the URL is not one the app
    loads: not http(s), or a host that is not a plain host name (``urlsplit`` raises ValueError on some, e.g. an
    unbalanced ``[``; those are shown as text, never loaded)."""
    if not is_web_link(url):
        return None
    try:
        parts = urlsplit(str(url).strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or not _HOST.fullmatch(host) or "\\" in parts.netloc:
        return None
    return f"{host}:{port}" if port is not None else host


def media_hosts(urls: Iterable[object]) -> list[str]:
    """The hosts the URLs would be loaded from, sorted; URLs that cannot be loaded are left out."""
    return sorted({h for h in (media_host(u) for u in urls) if h is not None})
