"""Moderation queue (moderators, admins): one queue for all pending content, oldest first, decisions written back
through dashboard.moderation.service. User content is shown as text; a link is clickable only if it is http(s).

Selection is by item, never by row position (``dashboard.moderation.selection``): the session keeps the items a
moderator picked with the status they saw. The table's ticks and the "selected items" box both edit that
selection through callbacks that translate a tick with the rows *that table showed*; the table is drawn anew (with
the selection ticked) whenever its rows change. Decisions run in button callbacks on the selection as it was on
screen, each item only if it is still in the status seen, so a decision can never land on another item: an item
someone else decided comes back as a conflict ("already approved by X at T") and nothing changes.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import moscow_now, moscow_time, moscow_times, moscow_today, number
from dashboard.i18n.plural import count_of
from dashboard.moderation import config as moderation
from dashboard.moderation import queue_session as qs
from dashboard.moderation import selection as sel
from dashboard.moderation.unit_of_work import store_units
from ui import shell as ui
from ui import tables
from ui.moderation_display import media_host, media_hosts, sla_badges
from ui.plain_text import markdown_text

who = ui.require_page("moderation_queue")
store = ui.store()
lang = ui.lang()

st.title(ui.tr("mod.queue.title"))
ui.data_as_of()
# a store synced with a read-only platform role: decisions cannot be written back, so none are offered
origin = ui.sync_origin()
read_only = origin is not None and not origin.get("writable")
if origin is not None and read_only:
    st.info(ui.tr("sync.read_only", source=markdown_text(origin.get("source", ""))))

entity_names = {e: ui.tr(f"mod.entity.{e}") for e in moderation.entities()}
band_names = {b: ui.tr(f"mod.band.{b}") for b in moderation.AGE_BANDS}
ITEMS = ui.tr("mod.items")


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


state = qs.QueueState(st.session_state)
deps = qs.Deps(units=store_units(store), lang=lang, invalidate=ui.invalidate,
               acting_actor=lambda: getattr(ui.acting_identity("moderation_queue"), "actor", None))
PAGE_SIZES = qs.PAGE_SIZES

runs = ui.query("last_ingest")
layout = moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0]))
pending = moderation.pending_params(layout)
now = moscow_now()
bounds = moderation.sla_bounds(now)
# the filters' widgets are drawn further down; their values (session state) choose the page fetched here
filters = state.filters
size = state.page_size
page_no = state.page_for(filters, size)  # new filters: back to the first page
shown = ui.query("pending_page", **pending, **bounds, **filters.params(), limit=size, offset=page_no * size)
if shown.empty and page_no > 0:  # decisions emptied the last page: show the first
    page_no = state.page = 0
    shown = ui.query("pending_page", **pending, **bounds, **filters.params(), limit=size, offset=0)
matching = int(shown["matching"].iloc[0]) if not shown.empty else 0
shown = shown.assign(age_hours=moderation.age_hours(shown["created_at"], now) if not shown.empty else 0.0)
shown_refs = moderation.item_refs(shown) if not shown.empty else []
# the selected items on other pages (or filtered out): their current state, for the preview and the decisions
off_page = [ref for ref in state.selection if ref not in set(shown_refs)]
if off_page:
    ids = "\n" + "\n".join(sorted({sel.split_ref(ref)[2] for ref in off_page})) + "\n"
    found = ui.query("pending_items_by_id", **pending, ids=ids)
    found = found[[ref in set(off_page) for ref in moderation.item_refs(found)]] if not found.empty else found
    queue = pd.concat([shown, found], ignore_index=True) if not found.empty else shown
else:
    queue = shown
statuses = sel.queue_statuses(queue)
refs_all = moderation.item_refs(queue) if not queue.empty else []
info: dict[str, qs.ItemInfo] = {
    ref: {"entity": e, "title": text_or_dash(title)[:80], "artist": text_or_dash(name if name else a)}
    for ref, e, title, name, a in zip(refs_all, queue["entity"], queue["title"], queue["artist_name"],
                                      queue["artist_id"], strict=True)}
# what the page showed, for the callbacks of the next run (they run before this script)
state.remember_shown(info, statuses)


def item_text(ref: str) -> str:
    """An item in words: «title» (type, artist)."""
    return qs.item_text(ref, state.info, lang)


def item_markdown(ref: str) -> str:
    """``item_text`` for Markdown (toasts, warnings, labels): the title, type and artist as plain text."""
    known = state.info.get(ref)
    entity, _key, entity_id = sel.split_ref(ref)
    kind = markdown_text(entity_names.get(entity, entity))
    if not known:
        return ui.tr("mod.item", title=markdown_text(entity_id), entity=kind, artist="—")
    return ui.tr("mod.item", title=markdown_text(known["title"]), entity=kind, artist=markdown_text(known["artist"]))


def what_markdown(refs: list[str]) -> str:
    """``what_text`` for Markdown."""
    return item_markdown(refs[0]) if len(refs) == 1 else count_of(len(refs), lang, ITEMS)


# ---------------------------------------------------------------- the callbacks (dashboard.moderation.queue_session)


def flash_text(flash: qs.Flash) -> str:
    """The toast after a decision: what changed (items named as plain text), and how many were refused."""
    parts = ([ui.tr(f"mod.done.{flash.action}", what=what_markdown(list(flash.applied)))] if flash.applied
             else [ui.tr("mod.done.nothing")])
    if flash.refused:
        parts.append(ui.tr("mod.done.conflicts", what=count_of(flash.refused, lang, ITEMS)))
    if flash.changed:
        parts.append(ui.tr("sync.done.changed", what=count_of(flash.changed, lang, ITEMS)))
    return "; ".join(parts)


def clear_bulk() -> None:
    qs.cancel_bulk(state)


@st.dialog(ui.tr("mod.bulk.title"), on_dismiss=clear_bulk, width="large")
def confirm_bulk(action: str, chosen: sel.Selection) -> None:
    """The bulk decision's confirmation: what will change, item by item (type, title, artist)."""
    refs = list(chosen)
    what = count_of(len(refs), lang, ITEMS)
    if action == "approve":
        st.text(ui.tr("mod.bulk.confirm_approve", what=what))
    else:
        st.text(ui.tr("mod.bulk.confirm_reject", what=what, reason=qs.chosen_reason(state, lang) or ""))
    known = state.info
    st.dataframe(pd.DataFrame({
        ui.tr("mod.col.type"): [entity_names.get(sel.split_ref(r)[0], sel.split_ref(r)[0]) for r in refs],
        ui.tr("mod.col.title"): [known.get(r, {}).get("title", sel.split_ref(r)[2]) for r in refs],
        ui.tr("mod.col.artist"): [known.get(r, {}).get("artist", "—") for r in refs],
    }), hide_index=True, width="stretch", key="mod_bulk_items")
    yes, no = st.columns(2)
    if yes.button(ui.tr("mod.bulk.yes"), type="primary", key="mod_bulk_yes"):
        qs.confirm_bulk(state, deps, action, chosen)
        st.rerun()
    if no.button(ui.tr("mod.bulk.cancel"), key="mod_bulk_no"):
        clear_bulk()
        st.rerun()


# ---------------------------------------------------------------- what happened since the last run

flash = state.take_flash()
if flash:
    st.toast(flash_text(flash), icon="✅" if flash.applied else "⚠️")
error = state.take_error()


def last_decision(ref: str) -> dict[str, Any] | None:
    entity, source_key, entity_id = sel.split_ref(ref)
    found = ui.query("moderation_item_decision", entity=entity, source_key=source_key, entity_id=entity_id)
    return None if found.empty else dict(found.iloc[0])


# items someone else decided meanwhile leave the selection, each with a note saying who decided and when
qs.reconcile(state, statuses, last_decision)


def left_note(ref: str, decided: dict[str, Any] | None) -> str:
    """An item that left the selection: who decided it, when and how (the names as plain text)."""
    if decided is None:
        return ui.tr("mod.left_selection.unknown", item=item_markdown(ref))
    return ui.tr("mod.left_selection", item=item_markdown(ref), by=markdown_text(decided["actor"]),
                 at=moscow_time(decided["at"], ui.tr("freshness.zone")),
                 status=markdown_text(status_text(decided["to_status"])))


for left_ref, left_decision in state.left_notes:
    st.warning(left_note(left_ref, left_decision), icon="ℹ️")


REFUSED_ROW_HEIGHT = 72  # px: three lines; Streamlit wraps cell text only in rows taller than 4rem (64 px)


def refused_table(lines: list[str], key: str) -> None:
    """The refused items, one sentence each; rows tall enough that a sentence wraps instead of being cut off."""
    st.dataframe(pd.DataFrame({ui.tr("mod.col.message"): lines}), hide_index=True, width="stretch", key=key,
                 row_height=REFUSED_ROW_HEIGHT)


changed_lines = state.platform_conflicts
if changed_lines:
    st.warning(ui.tr("sync.conflicts"))
    refused_table(changed_lines, "mod_platform_conflict_table")
conflicts = state.conflicts
if conflicts:
    st.warning(ui.tr("mod.conflicts"))
    refused_table(conflicts, "mod_conflict_table")

last = state.last
if last:
    st.button(ui.tr("mod.undo_last", what=what_markdown(last)), key="mod_undo", on_click=qs.on_undo,
              args=(state, deps), disabled=read_only)

# ---------------------------------------------------------------- KPIs
kpis = ui.query("moderation_kpis", today=moscow_today()).iloc[0]
summary = ui.query("pending_summary", **pending, **bounds)
total = int(summary["items"].sum()) if not summary.empty else 0
oldest = moderation.age_hours(pd.Series([summary["oldest"].min()]), now).iloc[0] if total else None
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric(ui.tr("mod.kpi.pending"), number(total), help=ui.tr("mod.kpi.pending_help"))
k2.metric(ui.tr("mod.kpi.oldest"), hours_text(float(oldest)) if oldest is not None else "—",
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
    ui.tr("mod.col.count"): [int(summary.loc[summary["entity"] == e, "items"].sum()) for e in moderation.entities()],
})
with st.expander(ui.tr("mod.pending_by_type"), expanded=False):
    st.dataframe(by_type, hide_index=True)

if total == 0:
    st.success(ui.tr("mod.queue.empty"))
    st.stop()

# ---------------------------------------------------------------- filters (applied in SQL) and the page
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
f1.multiselect(ui.tr("mod.filter.type"), list(entity_names), format_func=entity_names.__getitem__,
               placeholder=ui.tr("widget.choose"), key=state.F_TYPE)
f2.multiselect(ui.tr("mod.filter.age"), list(band_names), format_func=band_names.__getitem__,
               placeholder=ui.tr("widget.choose"), key=state.F_AGE)
f3.text_input(ui.tr("mod.filter.artist"), key=state.F_ARTIST, placeholder=ui.tr("mod.filter.artist_hint"))
f4.text_input(ui.tr("mod.filter.text"), key=state.F_TEXT)
pages = max(1, -(-matching // size))
first_no = page_no * size + 1 if matching else 0
st.caption(ui.tr("mod.queue.page", first=number(first_no, lang), last=number(page_no * size + len(shown), lang),
                 shown=number(matching, lang), total=number(total, lang)))
p1, p2, p3, p4 = st.columns([1, 2, 1, 1])
size_labels = {n: ui.tr("mod.page.size_n", n=n) for n in PAGE_SIZES}  # format_func must not read session state
p4.selectbox(ui.tr("mod.page.size"), PAGE_SIZES, index=PAGE_SIZES.index(size), key=state.PAGE_SIZE,
             label_visibility="collapsed", format_func=size_labels.__getitem__)
if pages > 1:
    p1.button(ui.tr("mod.page.prev"), key="mod_page_prev", disabled=page_no == 0,
              on_click=qs.go_to_page, args=(state, page_no - 1))
    p2.caption(ui.tr("mod.page.of", page=number(page_no + 1, lang), pages=number(pages, lang)))
    p3.button(ui.tr("mod.page.next"), key="mod_page_next", disabled=page_no + 1 >= pages,
              on_click=qs.go_to_page, args=(state, page_no + 1))

chosen = state.selection
if shown.empty:
    st.info(ui.tr("mod.queue.none_match"))
else:
    view = pd.DataFrame({
        ui.tr("mod.col.sla"): sla_badges(shown["age_band"]),
        ui.tr("mod.col.type"): shown["entity"].map(entity_names),
        ui.tr("mod.col.title"): shown["title"].map(text_or_dash),
        ui.tr("mod.col.artist"): shown["artist_name"].map(text_or_dash),
        ui.tr("mod.col.waiting"): shown["age_hours"].map(hours_text),
        ui.tr("mod.col.created"): moscow_times(shown["created_at"]),
        ui.tr("mod.col.status"): shown["status"].map(status_text),
        ui.tr("mod.col.id"): shown["entity_id"].map(tables.short_id),  # "1a2b3c4d…"; in full in the preview
    })
    # a new table (no stale ticks) whenever its rows or the selection (from elsewhere) change
    digest = hashlib.sha1("\n".join(shown_refs).encode("utf-8")).hexdigest()[:12]
    table_key = f"mod_queue_table_{digest}_{state.sel_version}"
    state.table_refs = {table_key: shown_refs}
    st.dataframe(view, hide_index=True, width="stretch",
                 on_select=functools.partial(qs.on_table_select, state, table_key),
                 selection_mode="multi-row", key=table_key,
                 selection_default={"selection": {"rows": sel.rows_of(chosen, shown_refs)}},
                 column_config={ui.tr("mod.col.id"): st.column_config.TextColumn(width="small",
                                                                                 help=ui.tr("mod.col.id_help"))})

# the same selection through a widget (keyboard users; AppTest cannot tick dataframe rows)
options = list(dict.fromkeys([*shown_refs, *chosen]))
state.picked = [ref for ref in chosen if ref in options]
option_labels = {ref: item_text(ref) for ref in options}  # format_func must not read session state (AppTest)
st.multiselect(ui.tr("mod.pick"), options, format_func=option_labels.__getitem__, key=state.PICK, on_change=qs.on_pick,
               args=(state,),
               placeholder=ui.tr("widget.choose"), help=ui.tr("mod.pick_help"))

bulk = state.bulk_pending
if bulk:
    confirm_bulk(bulk["action"], bulk["items"])

if error:
    st.error(markdown_text(error))

if not chosen:
    st.info(ui.tr("mod.select_first"))
    st.stop()


def preview(row: dict[str, Any]) -> None:
    """The item as text; its cover and audio only when the moderator asks for them: they live on the platform's
    media host, and the app itself requests nothing from another host."""
    st.text(f"{entity_names[row['entity']]} · {row['entity_id']}")
    st.text(str(row.get("title") or "—"))
    owner = next((v for v in (row.get("artist_name"), row.get("artist_id")) if isinstance(v, str) and v), "—")
    st.text(ui.tr("mod.preview.artist", name=owner))  # AI news and guests' track tests have no artist
    if isinstance(row.get("description"), str) and row["description"]:
        st.text(row["description"][:2000])
    image, audio = row.get("image_url"), row.get("audio_url")
    hosts = media_hosts((image, audio))
    if hosts and st.toggle(ui.tr("mod.preview.load_media", hosts=markdown_text(", ".join(hosts))), key="mod_media"):
        if media_host(image):
            st.image(str(image), width=320)
        if media_host(audio):
            st.audio(str(audio))
    for url in (image, audio):  # a media URL the app does not load (not http(s), no plain host): as text
        if isinstance(url, str) and url and not media_host(url):
            st.text(ui.tr("mod.preview.not_media"))
            st.text(url)
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


position = {ref: i for i, ref in enumerate(refs_all)}
first = next(iter(chosen))
left_col, right_col = st.columns([3, 2])
with left_col:
    st.subheader(ui.tr("mod.preview"))
    st.caption(ui.tr("mod.selected", what=count_of(len(chosen), lang, ITEMS)))
    if first in position:
        preview(queue.iloc[position[first]].to_dict())
    if len(chosen) > 1:
        st.caption(ui.tr("mod.preview.more", n=number(len(chosen) - 1, lang)))
with right_col:
    reason_options = ["", *[r.code for r in moderation.reasons()], "other"]
    reason_names = {"": ui.tr("mod.reason.none"), "other": ui.tr("mod.reason.other")}
    reason_names |= {r.code: r.text(lang) for r in moderation.reasons()}
    st.selectbox(ui.tr("mod.reason"), reason_options, format_func=reason_names.__getitem__, key=state.REASON)
    st.text_input(ui.tr("mod.reason.text"), key=state.REASON_TEXT)
    st.text_input(ui.tr("mod.note"), key=state.NOTE)
    a, r = st.columns(2)
    if len(chosen) == 1:
        a.button(ui.tr("mod.action.approve"), type="primary", key="mod_approve", on_click=qs.on_decide,
                 args=(state, deps, "approve"), disabled=read_only)
        r.button(ui.tr("mod.action.reject"), key="mod_reject", on_click=qs.on_decide, args=(state, deps, "reject"),
                 disabled=read_only)
    else:
        a.button(ui.tr("mod.bulk.approve", n=len(chosen)), type="primary", key="mod_bulk_approve",
                 on_click=qs.on_decide, args=(state, deps, "approve"), disabled=read_only)
        r.button(ui.tr("mod.bulk.reject", n=len(chosen)), key="mod_bulk_reject", on_click=qs.on_decide,
                 args=(state, deps, "reject"), disabled=read_only)
