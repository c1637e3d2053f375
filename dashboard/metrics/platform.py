"""What the platform overview computes from query rows, without Streamlit: the pending items by type with their age
(the moderation SLA: over 24 h is late, over 72 h is very late, ``dashboard.moderation.config``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.moderation import config as moderation

PENDING_COLUMNS = ["entity", "waiting", "over_24h", "over_72h", "oldest_hours"]


def pending_by_type(summary: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """One row per entity with items waiting for a decision: how many, how many over 24 h and over 72 h, and the age
    of the oldest in hours; the most overdue types first. ``summary`` is ``pending_summary``'s rows (entity, age_band,
    items, oldest) for the bands of ``moderation.sla_bounds(now)``: aggregates, so no run loads the pending items."""
    if summary.empty:
        return pd.DataFrame(columns=PENDING_COLUMNS)
    rows = []
    for entity, bands in summary.groupby("entity", sort=False):
        items = {str(b): int(n) for b, n in zip(bands["age_band"], bands["items"], strict=True)}
        oldest = moderation.age_hours(pd.Series([bands["oldest"].min()]), now).iloc[0]
        rows.append({"entity": entity, "waiting": sum(items.values()),
                     "over_24h": items.get(moderation.FROM_24_TO_72H, 0) + items.get(moderation.OVER_72H, 0),
                     "over_72h": items.get(moderation.OVER_72H, 0),
                     "oldest_hours": float(oldest)})
    out = pd.DataFrame(rows, columns=PENDING_COLUMNS)
    return out.sort_values(["over_72h", "over_24h", "waiting"], ascending=False, kind="stable").reset_index(drop=True)

