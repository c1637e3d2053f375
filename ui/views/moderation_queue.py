"""Moderation queue (moderators, admins): one queue for all pending content, oldest first, decisions written back
through dashboard.moderation.service. User content is shown as text; a link is clickable only if it is http(s).

The page is a workbench: one item is open (previewed, claimed for this session, decided by the keys and the
buttons beside it, with the artist's other submissions and the item's own history next to it); after a decision the
next item in the queue's order that nobody else has open opens by itself. Keys: J/K next/previous, A approve, R
reject (the reason field; 1–9 canned reasons, Enter free text), U undo, X select, ? help (``ui.queue_keys``).

Selection (for bulk decisions) is by item, never by row position (``dashboard.moderation.selection``): the session
keeps the items a moderator picked with the status they saw. The table's ticks and the "selected items" box both
edit it through callbacks that translate a tick with the rows *that table showed*; the table is drawn anew (with the
selection ticked) whenever its rows change. Decisions run in callbacks on what was on screen, each item only if it
is still in the status seen, so a decision can never land on another item: an item someone else decided comes back
as a conflict ("already approved by X at T") and nothing changes. The callbacks and the typed session state are in
``dashboard.moderation.queue_session`` (no Streamlit there); this file draws.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import moscow_now, moscow_time, moscow_times, moscow_today, number, percent
from dashboard.i18n.plural import count_of
from dashboard.moderation import claims, rules
from dashboard.moderation import config as moderation
from dashboard.moderation import queue_session as qs
from dashboard.moderation import selection as sel
from dashboard.moderation.unit_of_work import store_units
from dashboard.store.connect import StoreError
from ui import tables
from ui.data_access import computed, current_store, invalidate, query
from ui.identity import acting_identity, require_page
from ui.language import current_lang, tr
from ui.moderation_display import media_host, media_hosts, sla_badges
from ui.plain_text import markdown_text
from ui.queue_keys import HELP_POPOVER, key_listener
from ui.sync_status import data_as_of, sync_origin

who = require_page("moderation_queue")
store = current_store()
lang = current_lang()

title_col, help_col = st.columns([6, 1], vertical_alignment="bottom")
title_col.title(tr("mod.queue.title"))
with help_col.popover(tr("mod.keys.button"), icon=":material/keyboard:", key=HELP_POPOVER):
    st.markdown(tr("mod.keys.help"))
data_as_of()
# a store synced with a read-only platform role: decisions cannot be written back, so none are offered
origin = sync_origin()
read_only = origin is not None and not origin.get("writable")
if origin is not None and read_only:
    st.info(tr("sync.read_only", source=markdown_text(origin.get("source", ""))))

entity_names = {e: tr(f"mod.entity.{e}") for e in moderation.entities()}
band_names = {b: tr(f"mod.band.{b}") for b in moderation.AGE_BANDS}
ITEMS = tr("mod.items")
ZONE = tr("freshness.zone")


def hours_text(hours: float) -> str:
    days, rest = divmod(int(hours), 24)
    d, h = ("д", "ч") if lang == "ru" else ("d", "h")
    return f"{days} {d} {rest} {h}" if days else f"{rest} {h}"


def status_text(status: object) -> str:
    return qs.status_text(status, lang)


def text_or_dash(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return "—"
    return str(value).replace("\n", " ")


def claim_name() -> str:
    """The name others see on the items this session has open."""
    return who.name or who.actor


state = qs.QueueState(st.session_state)
deps = qs.Deps(units=store_units(store), lang=lang, invalidate=invalidate,
               acting_actor=lambda: getattr(acting_identity("moderation_queue"), "actor", None),
               taken_now=lambda: {ref: c.actor
                                  for ref, c in claims.others(claims_now(fresh=True), state.holder).items()})
PAGE_SIZES = qs.PAGE_SIZES
claims_note: str | None = None  # a store made before claims: one line, and the queue works without them

runs = query("last_ingest")
layout = moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0]))
pending = moderation.pending_params(layout)
now = moscow_now()
bounds = moderation.sla_bounds(now)
messages = st.container()  # what happened since the last run: filled further down, shown above the workbench


@dataclass
class Fetched:
    """The queue as fetched this run: the page (``shown``), plus the selected and the open item when elsewhere."""

    shown: pd.DataFrame
    queue: pd.DataFrame
    shown_refs: list[str]
    statuses: dict[str, str]
    matching: int
    page_no: int


def fetch_queue(extra: list[str]) -> Fetched:
    """The page of the queue the filters choose (paged in SQL), and the ``extra`` items (selected or open) not on
    it, read by id; remembered for the callbacks and the workbench of the next run."""
    filters = state.filters  # the filters' widgets are drawn further down; their values choose the page
    size = state.page_size
    page_no = state.page_for(filters, size)  # new filters: back to the first page
    shown = query("pending_page", **pending, **bounds, **filters.params(), limit=size, offset=page_no * size)
    if shown.empty and page_no > 0:  # decisions emptied the last page: show the first
        page_no = state.page = 0
        shown = query("pending_page", **pending, **bounds, **filters.params(), limit=size, offset=0)
    matching = int(shown["matching"].iloc[0]) if not shown.empty else 0
    shown = shown.assign(age_hours=moderation.age_hours(shown["created_at"], now) if not shown.empty else 0.0)
    shown_refs = moderation.item_refs(shown) if not shown.empty else []
    off_page = [ref for ref in extra if ref not in set(shown_refs)]
    queue = shown
    if off_page:
        ids = "\n" + "\n".join(sorted({sel.split_ref(ref)[2] for ref in off_page})) + "\n"
        found = query("pending_items_by_id", **pending, ids=ids)
        found = found[[ref in set(off_page) for ref in moderation.item_refs(found)]] if not found.empty else found
        if not found.empty:
            found = found.assign(age_hours=moderation.age_hours(found["created_at"], now))
            queue = pd.concat([shown, found], ignore_index=True)
    statuses = sel.queue_statuses(queue)
    refs_all = moderation.item_refs(queue) if not queue.empty else []
    info: dict[str, qs.ItemInfo] = {
        ref: {"entity": e, "title": text_or_dash(title)[:80], "artist": text_or_dash(name if name else a),
              "image": str(image) if isinstance(image, str) else ""}
        for ref, e, title, name, a, image in zip(refs_all, queue["entity"], queue["title"], queue["artist_name"],
                                                 queue["artist_id"], queue["image_url"], strict=True)}
    state.remember_shown(info, statuses, dict(zip(refs_all, queue.to_dict("records"), strict=True)))
    state.order = shown_refs
    return Fetched(shown, queue, shown_refs, statuses, matching, page_no)


def claims_now(fresh: bool = False) -> dict[str, claims.Claim]:
    """The claims in force. On a DuckDB store a claim's write changes the store version, so the page reads them
    once per version (opening the file costs more than the rest of the queue's run) and drops the expired ones at
    each run; on PostgreSQL, and for a decision (``fresh``), they are read afresh."""
    global claims_note
    try:
        if fresh or store.is_postgres:
            return claims.active(store)
        return claims.by_item(computed(claims.in_force_at))
    except StoreError as exc:
        claims_note = str(exc)
        return {}


# ---------------------------------------------------------------- the open item and its claim
# The workbench is drawn first, from the items the last run fetched: after a key press the next item shows before
# the queue is fetched again. A first visit fetches first. If the fresh queue then says the open item is no longer
# waiting (someone else decided it a moment ago), the page runs again and says so.
opened = state.current
if not state.rows or (opened is not None and state.advance is None and state.statuses.get(opened[0]) != opened[1]):
    # a first visit, or an item opened that the last run did not fetch (an undone one) or saw otherwise
    fetched = fetch_queue([*state.selection_refs(), *([opened[0]] if opened else [])])
else:
    fetched = None
in_force = claims_now()
taken = {ref: c.actor for ref, c in claims.others(in_force, state.holder).items()}
settled = qs.settle(state, state.order, state.statuses, taken)
current = settled.current
if current is None:
    if state.claimed_ref is not None:
        state.claimed_ref = None
        if claims_note is None:
            with contextlib.suppress(StoreError):  # the claim then ends at its expiry
                claims.release(store, state.holder)
elif state.claimed_ref != f"{current[0]}\n{claim_name()}" and claims_note is None:
    # a new item open, or the same under another name (demo mode's "view as"): claimed for this session
    try:
        held = claims.claim(store, current[0], state.holder, claim_name())
        in_force[current[0]] = held
        if held.holder == state.holder:
            state.claimed_ref = f"{current[0]}\n{claim_name()}"
        else:  # someone else has it open (shown as such); the next run tries again
            taken[current[0]] = held.actor
            state.taken = taken
    except StoreError as exc:
        claims_note = str(exc)


def item_text(ref: str) -> str:
    """An item in words: «title» (type, artist)."""
    return qs.item_text(ref, state.info, lang)


def item_markdown(ref: str) -> str:
    """``item_text`` for Markdown (toasts, warnings, labels): the title, type and artist as plain text."""
    known = state.info.get(ref)
    entity, _key, entity_id = sel.split_ref(ref)
    kind = markdown_text(entity_names.get(entity, entity))
    if not known:
        return tr("mod.item", title=markdown_text(entity_id), entity=kind, artist="—")
    return tr("mod.item", title=markdown_text(known.get("title", entity_id)), entity=kind,
                 artist=markdown_text(known.get("artist", "—")))


def what_markdown(refs: list[str]) -> str:
    """``what_text`` for Markdown."""
    return item_markdown(refs[0]) if len(refs) == 1 else count_of(len(refs), lang, ITEMS)


def flash_text(flash: qs.Flash) -> str:
    """The toast after a decision: what changed (items named as plain text), and how many were refused."""
    parts = ([tr(f"mod.done.{flash.action}", what=what_markdown(list(flash.applied)))] if flash.applied
             else [tr("mod.done.nothing")])
    if flash.refused:
        parts.append(tr("mod.done.conflicts", what=count_of(flash.refused, lang, ITEMS)))
    if flash.changed:
        parts.append(tr("sync.done.changed", what=count_of(flash.changed, lang, ITEMS)))
    return "; ".join(parts)


def clear_bulk() -> None:
    qs.cancel_bulk(state)


@st.dialog(tr("mod.bulk.title"), on_dismiss=clear_bulk, width="large")
def confirm_bulk(action: str, chosen: sel.Selection) -> None:
    """The bulk decision's confirmation: every item that will change (type, title, artist, and the cover on
    request: it lives on the platform's media host)."""
    refs = list(chosen)
    what = count_of(len(refs), lang, ITEMS)
    if action == "approve":
        st.text(tr("mod.bulk.confirm_approve", what=what))
    else:
        st.text(tr("mod.bulk.confirm_reject", what=what, reason=qs.chosen_reason(state, lang) or ""))
    known = state.info
    covers = [known.get(r, {}).get("image", "") for r in refs]
    listing = pd.DataFrame({
        tr("mod.col.type"): [entity_names.get(sel.split_ref(r)[0], sel.split_ref(r)[0]) for r in refs],
        tr("mod.col.title"): [known.get(r, {}).get("title", sel.split_ref(r)[2]) for r in refs],
        tr("mod.col.artist"): [known.get(r, {}).get("artist", "—") for r in refs],
    })
    hosts = media_hosts(covers)
    config: dict[str, Any] = {}
    if hosts and st.toggle(tr("mod.bulk.media", hosts=markdown_text(", ".join(hosts))), key="mod_bulk_media"):
        listing.insert(0, tr("mod.col.cover"), [c if media_host(c) else "" for c in covers])
        config[tr("mod.col.cover")] = st.column_config.ImageColumn(width="small")
    row_height = 64 if config else 35
    st.dataframe(listing, hide_index=True, width="stretch", key="mod_bulk_items", column_config=config,
                 row_height=row_height, height=min(38 + row_height * len(refs), 440))
    yes, no = st.columns(2)
    if yes.button(tr("mod.bulk.yes"), type="primary", key="mod_bulk_yes"):
        qs.confirm_bulk(state, deps, action, chosen)
        st.rerun()
    if no.button(tr("mod.bulk.cancel"), key="mod_bulk_no"):
        clear_bulk()
        st.rerun()


# ---------------------------------------------------------------- what happened since the last run


def last_decision(ref: str) -> dict[str, Any] | None:
    entity, source_key, entity_id = sel.split_ref(ref)
    found = query("moderation_item_decision", entity=entity, source_key=source_key, entity_id=entity_id)
    return None if found.empty else dict(found.iloc[0])


def left_note(ref: str, decided: dict[str, Any] | None, key: str = "mod.left_selection") -> str:
    """An item that left the selection (or the workbench): who decided it, when and how (names as plain text)."""
    if decided is None:
        return tr(f"{key}.unknown", item=item_markdown(ref))
    return tr(key, item=item_markdown(ref), by=markdown_text(decided["actor"]),
                 at=moscow_time(decided["at"], ZONE, lang), status=markdown_text(status_text(decided["to_status"])))


REFUSED_ROW_HEIGHT = 72  # px: three lines; Streamlit wraps cell text only in rows taller than 4rem (64 px)


def refused_table(lines: list[str], key: str) -> None:
    """The refused items, one sentence each; rows tall enough that a sentence wraps instead of being cut off."""
    st.dataframe(pd.DataFrame({tr("mod.col.message"): lines}), hide_index=True, width="stretch", key=key,
                 row_height=REFUSED_ROW_HEIGHT)


def what_happened(statuses: dict[str, str]) -> None:
    """The toast of the last action, the items that left the selection or the workbench, the refused items and any
    error, above the workbench."""
    flash = state.take_flash()
    if flash:
        st.toast(flash_text(flash), icon="✅" if flash.applied else "⚠️")
    error = state.take_error()
    # items someone else decided meanwhile leave the selection, each with a note saying who decided and when
    qs.reconcile(state, statuses, last_decision)
    if settled.gone is not None:
        st.warning(left_note(settled.gone, last_decision(settled.gone), "mod.open_gone"), icon="ℹ️")
    for left_ref, left_decision in state.left_notes:
        st.warning(left_note(left_ref, left_decision), icon="ℹ️")
    if state.platform_conflicts:
        st.warning(tr("sync.conflicts"))
        refused_table(state.platform_conflicts, "mod_platform_conflict_table")
    if state.conflicts:
        st.warning(tr("mod.conflicts"))
        refused_table(state.conflicts, "mod_conflict_table")
    if error:
        st.error(markdown_text(error))
    if claims_note:
        st.caption(markdown_text(claims_note))


# what U undoes: this session's last decision, else my newest decision that can still be undone (as the last run
# listed them at the bottom of the page)
undo_refs = [ref for ref, _ in state.last or state.undoable[:1]]

# ---------------------------------------------------------------- the workbench: preview, actions, context


def preview(row: dict[str, Any]) -> None:
    """The item as text; its cover and audio only when the moderator asks for them: they live on the platform's
    media host, and the app itself requests nothing from another host."""
    st.text(f"{entity_names[row['entity']]} · {row['entity_id']}")
    st.text(str(row.get("title") or "—"))
    owner = next((v for v in (row.get("artist_name"), row.get("artist_id")) if isinstance(v, str) and v), "—")
    st.text(tr("mod.preview.artist", name=owner))  # AI news and guests' track tests have no artist
    if isinstance(row.get("description"), str) and row["description"]:
        with st.container(height=150 if len(row["description"]) > 400 else "content", border=False):
            st.text(row["description"][:2000])
    image, audio = row.get("image_url"), row.get("audio_url")
    hosts = media_hosts((image, audio))
    if hosts and st.toggle(tr("mod.preview.load_media", hosts=markdown_text(", ".join(hosts))), key="mod_media"):
        if media_host(image):
            st.image(str(image), width=240)
        if media_host(audio):
            st.audio(str(audio))
    for url in (image, audio):  # a media URL the app does not load (not http(s), no plain host): as text
        if isinstance(url, str) and url and not media_host(url):
            st.text(tr("mod.preview.not_media"))
            st.text(url)
    links = ((row.get("video_url"), "mod.preview.open_video"), (row.get("link_url"), "mod.preview.open_link"))
    for url, label in links:
        if not isinstance(url, str) or not url:
            continue
        if moderation.is_web_link(url):
            st.link_button(tr(label), url)
            st.text(url)
        else:
            st.text(tr("mod.preview.not_a_link"))
            st.text(url)


def claim_line(ref: str) -> None:
    """Whose the open item is: this session's (until when), or someone else's (a decision is still allowed)."""
    held = in_force.get(ref)
    if held is None:
        return
    until = moscow_time(held.expires_at, ZONE, lang)
    if held.holder == state.holder:
        st.caption(tr("mod.claim.mine", until=until))
    else:
        st.warning(tr("mod.claim.taken", name=markdown_text(held.actor), until=until), icon="👀")


def actions(ref: str) -> None:
    """Beside the preview: move, decide, reason, note, select, undo (each with its key)."""
    prev_col, next_col = st.columns(2)
    prev_col.button(tr("mod.nav.prev"), key="mod_prev", shortcut="K",
                    on_click=qs.on_move, args=(state, -1, deps), width="stretch")
    next_col.button(tr("mod.nav.next"), key="mod_next", shortcut="J",
                    on_click=qs.on_move, args=(state, 1, deps), width="stretch")
    a, r = st.columns(2)
    a.button(tr("mod.action.approve"), type="primary", key="mod_approve", shortcut="A", width="stretch",
             on_click=qs.decide_current, args=(state, deps, "approve"), disabled=read_only)
    r.button(tr("mod.action.reject"), key="mod_reject", width="stretch", help=tr("mod.reject_help"),
             on_click=qs.decide_current, args=(state, deps, "reject"), disabled=read_only)
    reasons = moderation.reasons()
    reason_options = ["", *[x.code for x in reasons], "other"]
    reason_names = {"": tr("mod.reason.none"), "other": tr("mod.reason.other")}
    reason_names |= {x.code: f"{n} · {x.text(lang)}" for n, x in enumerate(reasons, start=1)}
    st.selectbox(tr("mod.reason"), reason_options, format_func=reason_names.__getitem__, key=state.REASON)
    st.text_input(tr("mod.reason.text"), key=state.REASON_TEXT, placeholder=tr("mod.reason.text_hint"))
    st.text_input(tr("mod.note"), key=state.NOTE)
    marked = ref in state.selection
    st.button(tr("mod.mark.remove" if marked else "mod.mark.add"), key="mod_mark", shortcut="X",
              on_click=qs.on_toggle_mark, args=(state,))
    if undo_refs:
        st.button(tr("mod.undo_last", what=what_markdown(undo_refs)), key="mod_undo", shortcut="U",
                  width="stretch", wrap=True, on_click=qs.on_undo, args=(state, deps), disabled=read_only)


def context(row: dict[str, Any]) -> None:
    """Beside the preview: the artist's other submissions (counts, the last five) and the item's own history."""
    artist_tab, history_tab = st.tabs([tr("mod.ctx.artist"), tr("mod.ctx.history")])
    item = {"entity": row["entity"], "source_key": row["source_key"], "entity_id": row["entity_id"]}
    with artist_tab:
        artist = row.get("artist_id")
        if not isinstance(artist, str) or not artist:
            st.caption(tr("mod.ctx.no_artist"))
        else:
            counts = qs.artist_counts(query("moderation_artist_counts", artist_id=artist, **item)
                                      .to_dict("records"), layout)
            if not counts["total"]:
                st.caption(tr("mod.ctx.none"))
            else:
                st.caption(tr("mod.ctx.counts", total=number(counts["total"], lang),
                                 approved=number(counts["approved"], lang), rejected=number(counts["rejected"], lang),
                                 pending=number(counts["pending"], lang), other=number(counts["other"], lang)))
                recent = query("moderation_artist_submissions", artist_id=artist, limit=5, **item)
                st.dataframe(pd.DataFrame({
                    tr("mod.col.status"): recent["status"].map(status_text),
                    tr("mod.ctx.col.item"): [f"{entity_names.get(e, e)} · {text_or_dash(t)}"
                                               for e, t in zip(recent["entity"], recent["title"], strict=True)],
                    tr("mod.log.col.reason"): recent["reason"].map(lambda v: "" if text_or_dash(v) == "—"
                                                                        else text_or_dash(v)),
                    tr("mod.ctx.col.when"): moscow_times(recent["moderated_at"].fillna(recent["created_at"]),
                                                         lang=lang),
                }), hide_index=True, width="stretch", key="mod_ctx_recent")
    with history_tab:
        history = query("moderation_item_history", **item)
        if history.empty:
            st.caption(tr("mod.ctx.history_none"))
        else:
            st.dataframe(pd.DataFrame({
                tr("mod.ctx.col.when"): moscow_times(history["at"], lang=lang),
                tr("mod.ctx.col.who"): history["actor"].map(text_or_dash),
                tr("mod.ctx.col.action"): history["action"].map(lambda a: tr(f"mod.log.did.{a}")),
                tr("mod.log.col.reason"): history["reason"].map(lambda v: "" if text_or_dash(v) == "—"
                                                                  else text_or_dash(v)),
            }), hide_index=True, width="stretch", key="mod_ctx_history", height=min(38 + 35 * len(history), 250))


open_row = state.rows.get(current[0]) if current is not None else None
if current is not None and open_row is not None:
    row = open_row
    left_col, mid_col, right_col = st.columns([8, 8, 9], gap="small")
    with left_col, st.container(key="mod_preview"):
        claim_line(current[0])
        preview(row)
    with mid_col:
        actions(current[0])
    with right_col:
        context(row)
elif state.order:
    st.info(tr("mod.claim.all_taken"))
    if undo_refs:
        st.button(tr("mod.undo_last", what=what_markdown(undo_refs)), key="mod_undo", shortcut="U",
                  on_click=qs.on_undo, args=(state, deps), disabled=read_only)

# ---------------------------------------------------------------- the queue, fetched afresh
if fetched is None:
    fetched = fetch_queue([*state.selection_refs(), *([current[0]] if current else [])])
    if current is not None and fetched.statuses.get(current[0]) != current[1]:
        st.rerun()  # the open item was decided elsewhere a moment ago: the next run says so and opens the next
shown, shown_refs, matching, page_no, size = (fetched.shown, fetched.shown_refs, fetched.matching, fetched.page_no,
                                              state.page_size)
with messages:
    what_happened(fetched.statuses)

# ---------------------------------------------------------------- the selection, for a bulk decision
chosen = state.selection
if len(chosen) > 1 or (chosen and (current is None or current[0] not in chosen)):
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(tr("mod.selected", what=count_of(len(chosen), lang, ITEMS)))
        st.button(tr("mod.bulk.approve", n=len(chosen)), type="primary", key="mod_bulk_approve",
                  on_click=qs.on_bulk, args=(state, deps, "approve"), disabled=read_only)
        st.button(tr("mod.bulk.reject", n=len(chosen)), key="mod_bulk_reject", on_click=qs.on_bulk,
                  args=(state, deps, "reject"), disabled=read_only)
        st.button(tr("mod.bulk.clear"), key="mod_bulk_clear", type="tertiary",
                  on_click=functools.partial(state.set_selection, {}, True))

# ---------------------------------------------------------------- KPIs
kpis = query("moderation_kpis", today=moscow_today()).iloc[0]
summary = query("pending_summary", **pending, **bounds)
total = int(summary["items"].sum()) if not summary.empty else 0
oldest = moderation.age_hours(pd.Series([summary["oldest"].min()]), now).iloc[0] if total else None
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric(tr("mod.kpi.pending"), number(total), help=tr("mod.kpi.pending_help"))
k2.metric(tr("mod.kpi.oldest"), hours_text(float(oldest)) if oldest is not None else "—",
          help=tr("mod.kpi.oldest_help"))
k3.metric(tr("mod.kpi.today"), number(kpis["decisions_today"]), help=tr("mod.kpi.today_help"))
median = kpis["median_hours_7d"]
k4.metric(tr("mod.kpi.median"), "—" if pd.isna(median) else hours_text(float(median)),
          help=tr("mod.kpi.median_help"))
decided = int(kpis["approvals_7d"]) + int(kpis["rejections_7d"])
k5.metric(tr("mod.kpi.approval_rate"), percent(100 * int(kpis['approvals_7d']) / decided, lang, 0) if decided else "—",
          help=tr("mod.kpi.approval_rate_help"))

if total == 0:
    st.success(tr("mod.queue.empty"))
    key_listener(functools.partial(qs.on_key, state, deps))
    st.stop()

# ---------------------------------------------------------------- filters (applied in SQL) and the page
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
f1.multiselect(tr("mod.filter.type"), list(entity_names), format_func=entity_names.__getitem__,
               placeholder=tr("widget.choose"), key=state.F_TYPE, select_all=False)  # no English "Select all"
f2.multiselect(tr("mod.filter.age"), list(band_names), format_func=band_names.__getitem__,
               placeholder=tr("widget.choose"), key=state.F_AGE, select_all=False)
f3.text_input(tr("mod.filter.artist"), key=state.F_ARTIST, placeholder=tr("mod.filter.artist_hint"))
f4.text_input(tr("mod.filter.text"), key=state.F_TEXT)
pages = max(1, -(-matching // size))
first_no = page_no * size + 1 if matching else 0
st.caption(tr("mod.queue.page" if matching else "mod.queue.page_none", first=number(first_no, lang),
              last=number(page_no * size + len(shown), lang), shown=number(matching, lang), total=number(total, lang)))
p1, p2, p3, p4 = st.columns([1, 2, 1, 1])
size_labels = {n: tr("mod.page.size_n", n=n) for n in PAGE_SIZES}  # format_func must not read session state
p4.selectbox(tr("mod.page.size"), PAGE_SIZES, index=PAGE_SIZES.index(size), key=state.PAGE_SIZE,
             label_visibility="collapsed", format_func=size_labels.__getitem__)
if pages > 1:
    p1.button(tr("mod.page.prev"), key="mod_page_prev", disabled=page_no == 0,
              on_click=qs.go_to_page, args=(state, page_no - 1))
    p2.caption(tr("mod.page.of", page=number(page_no + 1, lang), pages=number(pages, lang)))
    p3.button(tr("mod.page.next"), key="mod_page_next", disabled=page_no + 1 >= pages,
              on_click=qs.go_to_page, args=(state, page_no + 1))

if shown.empty:
    st.info(tr("mod.queue.none_match"))
else:
    open_ref = current[0] if current else None
    view = pd.DataFrame({
        tr("mod.col.current"): ["▶" if ref == open_ref else "" for ref in shown_refs],
        tr("mod.col.sla"): sla_badges(shown["age_band"]),
        tr("mod.col.type"): shown["entity"].map(entity_names),
        tr("mod.col.title"): shown["title"].map(text_or_dash),
        tr("mod.col.claim"): [tr("mod.claim.cell", name=taken[ref]) if ref in taken else "" for ref in shown_refs],
        tr("mod.col.artist"): shown["artist_name"].map(text_or_dash),
        # the status before the times: with the dates in words, the columns at the right end start off screen
        tr("mod.col.status"): shown["status"].map(status_text),
        tr("mod.col.waiting"): shown["age_hours"].map(hours_text),
        tr("mod.col.created"): moscow_times(shown["created_at"], lang=lang),
        tr("mod.col.id"): shown["entity_id"].map(tables.short_id),  # "1a2b3c4d…"; in full in the preview
    })
    # a new table (no stale ticks) whenever its rows or the selection (from elsewhere) change
    digest = hashlib.sha1("\n".join(shown_refs).encode("utf-8")).hexdigest()[:12]
    table_key = f"mod_queue_table_{digest}_{state.sel_version}"
    state.table_refs = {table_key: shown_refs}
    st.space("small")  # room for the table's toolbar, which otherwise covers the page-size box above it
    st.dataframe(view, hide_index=True, width="stretch",
                 on_select=functools.partial(qs.on_table_select, state, table_key),
                 selection_mode="multi-row", key=table_key,
                 selection_default={"selection": {"rows": sel.rows_of(chosen, shown_refs)}},
                 column_config={tr("mod.col.current"): st.column_config.TextColumn(width=30),
                                tr("mod.col.claim"): st.column_config.TextColumn(width="medium"),
                                tr("mod.col.id"): st.column_config.TextColumn(width="small",
                                                                                 help=tr("mod.col.id_help"))})

# the same selection through a widget (keyboard users; AppTest cannot tick dataframe rows)
options = list(dict.fromkeys([*shown_refs, *chosen]))
state.picked = [ref for ref in chosen if ref in options]
option_labels = {ref: item_text(ref) for ref in options}  # format_func must not read session state (AppTest)
st.multiselect(tr("mod.pick"), options, format_func=option_labels.__getitem__, key=state.PICK, on_change=qs.on_pick,
               args=(state,), placeholder=tr("widget.choose"), help=tr("mod.pick_help"), select_all=False)

by_type = pd.DataFrame({
    tr("mod.col.type"): [entity_names[e] for e in moderation.entities()],
    tr("mod.col.count"): [int(summary.loc[summary["entity"] == e, "items"].sum()) for e in moderation.entities()],
})
with st.expander(tr("mod.pending_by_type"), expanded=False):
    st.dataframe(by_type, hide_index=True)

# my decisions of the last hour (the bottom of the page: the workbench above does not wait for them)
mine_rows = query("moderation_my_decisions", actor=who.actor,
                     since=now.replace(second=0, microsecond=0) - rules.UNDO_WINDOW)
mine = qs.my_decisions(mine_rows.to_dict("records"), who.actor, now)
state.undoable = [(d.ref, d.log_id) for d in mine if d.undoable]
with st.expander(tr("mod.mine.title", n=len(mine)), expanded=False):
    if not mine:
        st.caption(tr("mod.mine.none"))
    for decision in mine[:30]:
        line, button = st.columns([5, 1], vertical_alignment="center")
        when = moscow_time(decision.at, ZONE, lang)
        line.text(tr("mod.mine.line", at=when, action=tr(f"mod.log.did.{decision.action}"),
                        item=item_text(decision.ref) if decision.ref in state.info else
                        text_or_dash(decision.title)))
        if decision.undoable:
            button.button(tr("mod.mine.undo"), key=f"mod_undo_{decision.log_id}", disabled=read_only,
                          on_click=qs.on_undo_decision, args=(state, deps, decision.ref, decision.log_id))
        elif decision.since_by:
            button.caption(tr("mod.mine.since", by=markdown_text(decision.since_by),
                                 at=moscow_time(decision.since_at, ZONE, lang)))
        else:
            button.caption(tr("mod.mine.old"))

bulk = state.bulk_pending
if bulk:
    confirm_bulk(bulk["action"], bulk["items"])

key_listener(functools.partial(qs.on_key, state, deps))
