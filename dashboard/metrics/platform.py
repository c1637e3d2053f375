"""What the platform overview computes from query rows, without Streamlit: the pending items by type with their age
(the moderation SLA: over 24 h is late, over 72 h is very late, ``dashboard.moderation.config``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.moderation import config as moderation

PENDING_COLUMNS = ["entity", "waiting", "over_24h", "over_72h", "oldest_hours"]


def pending_by_type(queue: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """One row per entity with items waiting for a decision: how many, how many over 24 h and over 72 h, and the age
    of the oldest in hours (None when no item has a creation time); the most overdue types first."""
    if queue.empty:
        return pd.DataFrame(columns=PENDING_COLUMNS)
    aged = moderation.with_age(queue, now)
    rows = []
    for entity, items in aged.groupby("entity", sort=False):
        hours = items["age_hours"].dropna()
        rows.append({"entity": entity, "waiting": len(items),
                     "over_24h": int((hours > moderation.SLA_AMBER_HOURS).sum()),
                     "over_72h": int((hours > moderation.SLA_RED_HOURS).sum()),
                     "oldest_hours": float(hours.max()) if not hours.empty else None})
    out = pd.DataFrame(rows, columns=PENDING_COLUMNS)
    return out.sort_values(["over_72h", "over_24h", "waiting"], ascending=False).reset_index(drop=True)


def age_text(hours: float | None, lang: str) -> str:
    """An age as people say it: "5 ч" under two days, else "3 дн." ("5 h", "3 d")."""
    if hours is None or pd.isna(hours):
        return "—"
    if hours < 48:
        return f"{int(hours)} ч" if lang == "ru" else f"{int(hours)} h"
    return f"{int(hours // 24)} дн." if lang == "ru" else f"{int(hours // 24)} d"
