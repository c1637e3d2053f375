"""Moderation queue (moderators, admins): one queue for all pending content, oldest first, decisions written back
through dashboard.moderation.service. User content is shown as text; a link is clickable only if it is http(s)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import moscow_now, moscow_time, moscow_times, moscow_today, number
from dashboard.moderation import config as moderation
from dashboard.moderation import service as repository
from dashboard.store.connect import StoreError
from ui import shell as ui
from ui.moderation_display import sla_badges

who = ui.require_page("moderation_queue")
actor = who.name or who.user_id or who.role
store = ui.store()
lang = ui.lang()

st.title(ui.tr("mod.queue.title"))
ui.data_as_of()

# results of the previous run's decision (a toast does not survive st.rerun, so it is shown here)
flash = st.session_state.pop("mod_flash", None)
if flash:
    st.toast(flash)

entity_names = {e: ui.tr(f"mod.entity.{e}") for e in moderation.entities()}
band_names = {b: ui.tr(f"mod.band.{b}") for b in moderation.AGE_BANDS}


def hours_text(hours: float) -> str:
    days, rest = divmod(int(hours), 24)
    d, h = ("д", "ч") if lang == "ru" else ("d", "h")
    return f"{days} {d} {rest} {h}" if days else f"{rest} {h}"


now = moscow_now()
queue = moderation.with_age(ui.query("pending_items", **ui.pending_params()), now)
kpis = ui.query("moderation_kpis", today=moscow_today()).iloc[0]

# ---------------------------------------------------------------- KPIs
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric(ui.tr("mod.kpi.pending"), number(len(queue)), help=ui.tr("mod.kpi.pending_help"))
k2.metric(ui.tr("mod.kpi.oldest"), hours_text(float(queue["age_hours"].max())) if not queue.empty else "—",
          help=ui.tr("mod.kpi.oldest_help"))
k3.metric(ui.tr("mod.kpi.today"), number(kpis["decisions_today"]), help=ui.tr("mod.kpi.today_help"))
median = kpis["median_hours_7d"]
k4.metric(ui.tr("mod.kpi.median"), "—" if pd.isna(median) else hours_text(float(median)),
          help=ui.tr("mod.kpi.median_help"))
decided = int(kpis["approvals_7d"]) + int(kpis["rejections_7d"])
k5.metric(ui.tr("mod.kpi.approval_rate"), f"{100 * int(kpis['approvals_7d']) / decided:.0f}%" if decided else "—",
          help=ui.tr("mod.kpi.approval_rate_help"))

by_type = pd.DataFrame({
    ui.tr("mod.col.type"): [entity_names[e] for e in moderation.entities()],
    ui.tr("mod.col.count"): [int((queue["entity"] == e).sum()) for e in moderation.entities()],
})
with st.expander(ui.tr("mod.pending_by_type"), expanded=False):
    st.dataframe(by_type, hide_index=True)

if queue.empty:
    st.success(ui.tr("mod.queue.empty"))
    st.stop()

# ---------------------------------------------------------------- filters
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
types = f1.multiselect(ui.tr("mod.filter.type"), list(entity_names), format_func=entity_names.__getitem__,
                       placeholder=ui.tr("widget.choose"),
                       key="mod_f_type")
bands = f2.multiselect(ui.tr("mod.filter.age"), list(band_names), format_func=band_names.__getitem__,
                       placeholder=ui.tr("widget.choose"),
                       key="mod_f_age")
artists = queue.dropna(subset=["artist_id"]).drop_duplicates("artist_id")
artist_labels = {"": ui.tr("mod.filter.all_artists")}
artist_labels |= {a: f"{n if isinstance(n, str) and n else '—'} ({a})"
                  for a, n in zip(artists["artist_id"], artists["artist_name"], strict=True)}
artist = f3.selectbox(ui.tr("mod.filter.artist"), list(artist_labels), format_func=artist_labels.__getitem__,
                      key="mod_f_artist")
text = f4.text_input(ui.tr("mod.filter.text"), key="mod_f_text")
shown = moderation.filter_queue(queue, types, bands, artist or None, text)
st.caption(ui.tr("mod.queue.shown", shown=len(shown), total=len(queue)))
if shown.empty:
    st.info(ui.tr("mod.queue.none_match"))
    st.stop()

view = pd.DataFrame({
    ui.tr("mod.col.sla"): sla_badges(shown["age_band"]),
    ui.tr("mod.col.type"): shown["entity"].map(entity_names),
    ui.tr("mod.col.title"): shown["title"].fillna("—").astype(str),
    ui.tr("mod.col.artist"): shown["artist_name"].fillna("—").astype(str),
    ui.tr("mod.col.waiting"): shown["age_hours"].map(hours_text),
    ui.tr("mod.col.created"): moscow_times(shown["created_at"]),
    ui.tr("mod.col.status"): shown["status"].astype(str),
    ui.tr("mod.col.id"): shown["entity_id"].astype(str),
})
event: Any = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                          key="mod_queue_table")
picked_rows: list[int] = list(getattr(getattr(event, "selection", None), "rows", []) or [])

refs = moderation.item_refs(shown)
labels = dict(zip(refs, moderation.item_labels(shown, entity_names), strict=True))
# the same choice through a widget (keyboard users, and tests: AppTest cannot tick dataframe rows)
picked_refs: list[str] = st.multiselect(ui.tr("mod.pick"), refs, format_func=labels.__getitem__, key="mod_pick",
                                        placeholder=ui.tr("widget.choose"),
                                        help=ui.tr("mod.pick_help"))
selected_refs = list(dict.fromkeys([refs[i] for i in picked_rows if 0 <= i < len(refs)] + picked_refs))
position = {ref: i for i, ref in enumerate(refs)}
selected = [shown.iloc[position[ref]].to_dict() for ref in selected_refs if ref in position]


def as_item(row: dict[str, Any]) -> repository.Item:
    return repository.Item(str(row["entity"]), str(row["entity_id"]), str(row["source_key"]), str(row["status"]))


def conflict_line(o: repository.Outcome) -> str:
    name = entity_names.get(o.item.entity, o.item.entity)
    if o.kind == "not_found":
        return ui.tr("mod.conflict.missing", entity=name, id=o.item.entity_id)
    if o.decided_by:
        return ui.tr("mod.conflict.decided", entity=name, id=o.item.entity_id, status=o.current_status,
                     by=o.decided_by, at=moscow_time(o.decided_at))
    expected = " / ".join(ui.tr_value("status", s) for s in o.expected) or "—"
    return ui.tr("mod.conflict.other", entity=name, id=o.item.entity_id,
                 status=ui.tr_value("status", o.current_status or "unknown"), expected=expected)


def run_decision(rows: list[dict[str, Any]], action: str, reason: str | None, note: str | None) -> None:
    """Apply, remember the outcome for the next run (toast, conflicts, undo), refresh every cached query."""
    try:
        outcomes = repository.decide(store, [as_item(r) for r in rows], action, actor, reason=reason, note=note)
    except repository.ReasonRequired:
        st.session_state["mod_flash"] = ui.tr("mod.reason_required")
        return
    except (repository.ModerationError, StoreError) as exc:
        st.session_state["mod_flash"] = ui.tr("mod.error", message=str(exc))
        return
    applied = [o for o in outcomes if o.applied]
    st.session_state["mod_flash"] = ui.tr("mod.result", applied=len(applied), conflicts=len(outcomes) - len(applied))
    st.session_state["mod_conflicts"] = [conflict_line(o) for o in outcomes if not o.applied]
    st.session_state["mod_last"] = [(o.item.entity, o.item.entity_id, o.item.source_key) for o in applied]
    st.session_state.pop("mod_pick", None)
    ui.invalidate()


def chosen_reason() -> str | None:
    options = ["", *[r.code for r in moderation.reasons()], "other"]
    names = {"": ui.tr("mod.reason.none"), "other": ui.tr("mod.reason.other")}
    names |= {r.code: r.text(lang) for r in moderation.reasons()}
    code = st.selectbox(ui.tr("mod.reason"), options, format_func=names.__getitem__, key="mod_reason")
    free = st.text_input(ui.tr("mod.reason.text"), key="mod_reason_text")
    if free.strip():
        return free.strip()
    if code and code != "other":
        return names[code]
    return None


def clear_bulk() -> None:
    st.session_state.pop("mod_bulk_pending", None)


@st.dialog(ui.tr("mod.bulk.title"), on_dismiss=clear_bulk)
def confirm_bulk(action: str, rows: list[dict[str, Any]], reason: str | None, note: str | None) -> None:
    if action == "approve":
        st.text(ui.tr("mod.bulk.confirm_approve", n=len(rows)))
    else:
        st.text(ui.tr("mod.bulk.confirm_reject", n=len(rows), reason=reason or ""))
    yes, no = st.columns(2)
    if yes.button(ui.tr("mod.bulk.yes"), type="primary", key="mod_bulk_yes"):
        clear_bulk()
        run_decision(rows, action, reason, note)
        st.rerun()
    if no.button(ui.tr("mod.bulk.cancel"), key="mod_bulk_no"):
        clear_bulk()
        st.rerun()


def preview(row: dict[str, Any]) -> None:
    st.text(f"{entity_names[row['entity']]} · {row['entity_id']}")
    st.text(str(row.get("title") or "—"))
    st.text(ui.tr("mod.preview.artist", name=str(row.get("artist_name") or row.get("artist_id") or "—")))
    if isinstance(row.get("description"), str) and row["description"]:
        st.text(row["description"][:2000])
    image = row.get("image_url")
    if moderation.is_web_link(image):
        st.image(str(image), width=320)
    audio = row.get("audio_url")
    if moderation.is_web_link(audio):
        st.audio(str(audio))
    links = ((row.get("video_url"), "mod.preview.open_video"), (row.get("link_url"), "mod.preview.open_link"))
    for url, label in links:
        if not isinstance(url, str) or not url:
            continue
        if moderation.is_web_link(url):
            st.link_button(ui.tr(label), url)
            st.text(url)
        else:
            st.text(ui.tr("mod.preview.not_a_link"))
            st.text(url)


# ---------------------------------------------------------------- conflicts, undo, preview and actions
conflicts = st.session_state.get("mod_conflicts") or []
if conflicts:
    st.warning(ui.tr("mod.conflicts"))
    st.dataframe(pd.DataFrame({ui.tr("mod.col.message"): conflicts}), hide_index=True, key="mod_conflict_table")

# a bulk decision waits for its confirmation (kept in session state, so the dialog survives reruns)
bulk = st.session_state.get("mod_bulk_pending")
if bulk:
    in_queue = {ref: i for i, ref in enumerate(moderation.item_refs(queue))}
    bulk_rows = [queue.iloc[in_queue[ref]].to_dict() for ref in bulk["refs"] if ref in in_queue]
    if bulk_rows:
        confirm_bulk(bulk["action"], bulk_rows, bulk["reason"], bulk["note"])
    else:
        clear_bulk()

last = st.session_state.get("mod_last") or []
if last and st.button(ui.tr("mod.undo_last", n=len(last)), key="mod_undo"):
    undone, failed = 0, []
    for entity, entity_id, source_key in last:
        try:
            out = repository.undo(store, repository.Item(entity, entity_id, source_key), actor)
        except (repository.ModerationError, StoreError) as exc:
            failed.append(str(exc))
            continue
        undone += int(out.applied)
        if not out.applied:
            failed.append(conflict_line(out))
    st.session_state["mod_flash"] = ui.tr("mod.result", applied=undone, conflicts=len(failed))
    st.session_state["mod_conflicts"] = failed
    st.session_state["mod_last"] = []
    ui.invalidate()
    st.rerun()

if not selected:
    st.info(ui.tr("mod.select_first"))
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader(ui.tr("mod.preview"))
    preview(selected[0])
    if len(selected) > 1:
        st.caption(ui.tr("mod.preview.more", n=len(selected) - 1))
with right:
    reason = chosen_reason()
    note = st.text_input(ui.tr("mod.note"), key="mod_note").strip() or None
    if len(selected) == 1:
        a, r = st.columns(2)
        if a.button(ui.tr("mod.action.approve"), type="primary", key="mod_approve"):
            run_decision(selected, "approve", None, note)
            st.rerun()
        if r.button(ui.tr("mod.action.reject"), key="mod_reject"):
            if not reason:
                st.error(ui.tr("mod.reason_required"))
            else:
                run_decision(selected, "reject", reason, note)
                st.rerun()
    else:
        a, r = st.columns(2)
        refs_now = [moderation.item_ref(r) for r in selected]
        if a.button(ui.tr("mod.bulk.approve", n=len(selected)), type="primary", key="mod_bulk_approve"):
            st.session_state["mod_bulk_pending"] = {"action": "approve", "refs": refs_now, "reason": None, "note": note}
            st.rerun()
        if r.button(ui.tr("mod.bulk.reject", n=len(selected)), key="mod_bulk_reject"):
            if not reason:
                st.error(ui.tr("mod.reason_required"))
            else:
                st.session_state["mod_bulk_pending"] = {"action": "reject", "refs": refs_now, "reason": reason,
                                                        "note": note}
                st.rerun()
