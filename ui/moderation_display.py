"""How the moderation queue draws what the core computes: the SLA badge of an age band."""

from __future__ import annotations

import pandas as pd

# the core's age bands (dashboard.moderation.config.age_band): over 72 h, 24–72 h, under 24 h
SLA_BADGES = {"gt72": "🔴", "24to72": "🟠", "lt24": "🟢"}


def sla_badges(bands: pd.Series) -> pd.Series:
    """🔴 over 72 h, 🟠 over 24 h, 🟢 otherwise, for a column of age bands."""
    return bands.map(SLA_BADGES)
