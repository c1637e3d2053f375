"""Audit log of moderation decisions (moderators, admins): filters by moderator, action, entity and dates; CSV."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import moscow_time, moscow_times, moscow_today
from dashboard.metrics.periods import date_range
from dashboard.moderation import config as moderation
from dashboard.moderation.queue_session import CLAIM_NOTE
from ui.data_access import query
from ui.date_pickers import date_picker
from ui.identity import require_page
from ui.language import current_lang, tr, tr_value
from ui.sync_status import data_as_of
from ui.tables import WRAPPED_ROW_PX, column_config, csv_download

EVERY_DAY_FROM = dt.date(1970, 1, 1)  # a cleared date range: the whole log

require_page("moderation_log")
st.title(tr("mod.log.title"))
data_as_of()

any_label = tr("mod.log.any")
actors = ["", *query("moderation_actors")["actor"].astype(str)]
actions = ["", *moderation.ACTIONS]
entities = ["", *moderation.entities()]
actor_names = {a: a or any_label for a in actors}
action_names = {a: tr(f"mod.action.{a}") if a else any_label for a in actions}
entity_names = {e: tr(f"mod.entity.{e}") if e else any_label for e in entities}

today = moscow_today()
c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
actor = c1.selectbox(tr("mod.log.moderator"), actors, format_func=actor_names.__getitem__, key="mlog_actor")
action = c2.selectbox(tr("mod.log.action"), actions, format_func=action_names.__getitem__, key="mlog_action")
entity = c3.selectbox(tr("mod.log.entity"), entities, format_func=entity_names.__getitem__, key="mlog_entity")
picked = date_picker(c4, tr("mod.log.range"), (today - dt.timedelta(days=30), today), "mlog_range")
# like the other filters, an empty range means any date; a half-picked one is that one day
start, end = date_range(picked) or (EVERY_DAY_FROM, today)

log = query("moderation_log_entries", start=start, end=end, actor=actor, action=action, entity=entity)
st.caption(tr("mod.log.count", n=len(log)))
if log.empty:
    st.info(tr("mod.log.empty"))
    st.stop()

def words(value: object) -> str:
    """A cell's text: empty instead of None/NaN."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def status_words(value: object) -> str:
    return tr_value("mod.status", value) if words(value) else ""


def did(action: object) -> str:
    """The action in the past tense ("approved", "undid a decision")."""
    return tr(f"mod.log.did.{action}") if action in moderation.ACTIONS else words(action)


def undone_entry(row: pd.Series) -> str:
    """For an undo: the decision it undid, by whom and when."""
    if row["action"] != "undo" or not words(row["undone_action"]):
        return ""
    return tr("mod.log.undone", action=did(row["undone_action"]), by=words(row["undone_actor"]),
                 at=moscow_time(row["undone_at"], lang=current_lang()))


def note_words(row: pd.Series) -> str:
    note = words(row["note"])
    if row["action"] == "undo" and note.startswith("undo of "):
        return ""  # the service's own marker
    # the queue's marker: another moderator had the item open when it was decided (claims never block)
    return " · ".join(tr("mod.log.claimed_by", name=part.removeprefix(CLAIM_NOTE))
                      if part.startswith(CLAIM_NOTE) else part for part in note.split(" · "))


view = pd.DataFrame({
    tr("mod.log.col.at"): moscow_times(log["at"], lang=current_lang()),
    tr("mod.log.col.actor"): log["actor"].map(words),
    tr("mod.log.col.action"): log["action"].map(did),
    tr("mod.log.col.entity"): log["entity"].map(lambda e: entity_names.get(e, words(e))),
    tr("mod.log.col.title"): [words(t) or tr("mod.log.gone") for t in log["title"]],
    tr("mod.log.col.artist"): [words(n) or words(a) for n, a in zip(log["artist_name"], log["artist_id"],
                                                                       strict=True)],
    tr("mod.log.col.from"): log["from_status"].map(status_words),
    tr("mod.log.col.to"): log["to_status"].map(status_words),
    tr("mod.log.col.reason"): log["reason"].map(words),
    tr("mod.log.col.undone"): [undone_entry(row) for _, row in log.iterrows()],
    tr("mod.log.col.note"): [note_words(row) for _, row in log.iterrows()],
    tr("mod.log.col.batch"): log["batch_id"].map(lambda b: words(b)[:8]),
    tr("mod.log.col.entity_id"): log["entity_id"].map(words),
})
# on screen, what a person reads in a 1400 px window — the new status and the reason included: rows of three lines
# so long titles and reasons wrap; one note column ("what was undone", "who had it open") only when some entry has
# one; the batch, the full id and the two notes apart in the CSV only
note, undone = tr("mod.log.col.note"), tr("mod.log.col.undone")
screen_notes = [" · ".join(part for part in (u, n) if part) for u, n in zip(view[undone], view[note], strict=True)]
hidden = [undone, *(tr(f"mod.log.col.{c}") for c in ("batch", "entity_id"))]
shown = view.assign(**{note: screen_notes})
shown = shown[[c for c in shown.columns if c not in hidden and (c != note or shown[c].astype(bool).any())]]
squeezable = [tr(f"mod.log.col.{c}") for c in ("title", "reason", "note", "artist")]
st.dataframe(shown, hide_index=True, width="stretch", key="mlog_table", row_height=WRAPPED_ROW_PX,
             column_config=column_config(shown, squeezable=[c for c in squeezable if c in shown.columns],
                                         texts=[tr("mod.log.col.actor"), tr("mod.log.col.action")], text_min=70))
csv_download(view, f"moderation_log_{start}_{end}.csv", key="mlog_csv")
