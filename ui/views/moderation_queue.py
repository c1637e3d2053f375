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

from dashboard.i18n.formatting import moscow_now, moscow_time, moscow_times, moscow_today, number, percent
from dashboard.i18n.plural import count_of
from dashboard.moderation import config as moderation
from dashboard.moderation import selection as sel
from dashboard.moderation import service as repository
from dashboard.moderation.unit_of_work import store_units
from dashboard.store.connect import StoreError
from ui import tables
from ui.data_access import current_store, invalidate, query
from ui.identity import acting_identity, require_page
from ui.language import current_lang, tr, tr_value
from ui.moderation_display import media_host, media_hosts, sla_badges
from ui.plain_text import markdown_text
from ui.sync_status import data_as_of, sync_origin

who = require_page("moderation_queue")
store = current_store()
lang = current_lang()

st.title(tr("mod.queue.title"))
data_as_of()
# a store synced with a read-only platform role: decisions cannot be written back, so none are offered
origin = sync_origin()
read_only = origin is not None and not origin.get("writable")
if origin is not None and read_only:
    st.info(tr("sync.read_only", source=markdown_text(origin.get("source", ""))))

entity_names = {e: tr(f"mod.entity.{e}") for e in moderation.entities()}
band_names = {b: tr(f"mod.band.{b}") for b in moderation.AGE_BANDS}
ITEMS = tr("mod.items")


def hours_text(hours: float) -> str:
    days, rest = divmod(int(hours), 24)
    d, h = ("д", "ч") if lang == "ru" else ("d", "h")
    return f"{days} {d} {rest} {h}" if days else f"{rest} {h}"


def status_text(status: object) -> str:
    if status is None or (isinstance(status, float) and pd.isna(status)) or status == "":
        return tr("mod.status.none")
    return tr_value("mod.status", status)


def text_or_dash(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return "—"
    return str(value).replace("\n", " ")


PAGE_SIZES = (100, 150, 200)  # items per page of the queue; the queue is paged, filtered and counted in SQL


def list_param(values: object) -> str:
    """A multiselect's choices as one bound text (',a,b,'); empty when nothing is chosen (the filter is off)."""
    return "," + ",".join(str(v) for v in values) + "," if isinstance(values, list | tuple) and values else ""


runs = query("last_ingest")
layout = moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0]))
pending = moderation.pending_params(layout)
now = moscow_now()
bounds = moderation.sla_bounds(now)
# the filters' widgets are drawn further down; their values (session state) choose the page fetched here
filters = {"types": list_param(st.session_state.get("mod_f_type")),
           "bands": list_param(st.session_state.get("mod_f_age")),
           "artist_filter": str(st.session_state.get("mod_f_artist") or "").strip(),
           "search": str(st.session_state.get("mod_f_text") or "").strip()}
size = st.session_state.get("mod_page_size", PAGE_SIZES[1])
size = size if size in PAGE_SIZES else PAGE_SIZES[1]
if st.session_state.get("mod_filters_seen") != (filters, size):  # new filters: back to the first page
    st.session_state["mod_filters_seen"] = (filters, size)
    st.session_state["mod_page"] = 0
page_no = max(0, int(st.session_state.get("mod_page", 0)))
shown = query("pending_page", **pending, **bounds, **filters, limit=size, offset=page_no * size)
if shown.empty and page_no > 0:  # decisions emptied the last page: show the first
    page_no = st.session_state["mod_page"] = 0
    shown = query("pending_page", **pending, **bounds, **filters, limit=size, offset=0)
matching = int(shown["matching"].iloc[0]) if not shown.empty else 0
shown = shown.assign(age_hours=moderation.age_hours(shown["created_at"], now) if not shown.empty else 0.0)
shown_refs = moderation.item_refs(shown) if not shown.empty else []
# the selected items on other pages (or filtered out): their current state, for the preview and the decisions
off_page = [ref for ref in st.session_state.get("mod_selection", {}) if ref not in set(shown_refs)]
if off_page:
    ids = "\n" + "\n".join(sorted({sel.split_ref(ref)[2] for ref in off_page})) + "\n"
    found = query("pending_items_by_id", **pending, ids=ids)
    found = found[[ref in set(off_page) for ref in moderation.item_refs(found)]] if not found.empty else found
    queue = pd.concat([shown, found], ignore_index=True) if not found.empty else shown
else:
    queue = shown
statuses = sel.queue_statuses(queue)
refs_all = moderation.item_refs(queue) if not queue.empty else []
info = {ref: {"entity": e, "title": text_or_dash(title)[:80], "artist": text_or_dash(name if name else a)}
        for ref, e, title, name, a in zip(refs_all, queue["entity"], queue["title"], queue["artist_name"],
                                          queue["artist_id"], strict=True)}
# what the page showed, for the callbacks of the next run (they run before this script)
st.session_state["mod_info"] = {**st.session_state.get("mod_info", {}), **info}
st.session_state["mod_statuses"] = statuses


def item_text(ref: str) -> str:
    """An item in words: «title» (type, artist)."""
    known = st.session_state.get("mod_info", {}).get(ref)
    entity, _key, entity_id = sel.split_ref(ref)
    if not known:
        return tr("mod.item", title=entity_id, entity=entity_names.get(entity, entity), artist="—")
    return tr("mod.item", title=known["title"], entity=entity_names.get(entity, entity), artist=known["artist"])


def what_text(refs: list[str]) -> str:
    """One item by name, several by count ("3 элемента")."""
    return item_text(refs[0]) if len(refs) == 1 else count_of(len(refs), lang, ITEMS)


def item_markdown(ref: str) -> str:
    """``item_text`` for Markdown (toasts, warnings, labels): the title, type and artist as plain text."""
    known = st.session_state.get("mod_info", {}).get(ref)
    entity, _key, entity_id = sel.split_ref(ref)
    kind = markdown_text(entity_names.get(entity, entity))
    if not known:
        return tr("mod.item", title=markdown_text(entity_id), entity=kind, artist="—")
    return tr("mod.item", title=markdown_text(known["title"]), entity=kind, artist=markdown_text(known["artist"]))


def what_markdown(refs: list[str]) -> str:
    """``what_text`` for Markdown."""
    return item_markdown(refs[0]) if len(refs) == 1 else count_of(len(refs), lang, ITEMS)


# ---------------------------------------------------------------- the selection and the decisions (callbacks)


def selection_now() -> sel.Selection:
    return dict(st.session_state.get("mod_selection", {}))


def set_selection(new: sel.Selection, redraw: bool) -> None:
    """Store the selection; ``redraw`` draws the table anew with it ticked (a change not made by the table)."""
    if new != selection_now():  # a new choice: the notes about the previous one are read
        st.session_state.pop("mod_left_notes", None)
    st.session_state["mod_selection"] = dict(new)
    if redraw:
        st.session_state["mod_sel_version"] = st.session_state.get("mod_sel_version", 0) + 1


def on_table_select(table_key: str) -> None:
    state: Any = st.session_state.get(table_key) or {}
    picked = state.get("selection", {}) if isinstance(state, dict) else getattr(state, "selection", {})
    rows = picked.get("rows", []) if isinstance(picked, dict) else getattr(picked, "rows", [])
    table_refs = st.session_state.get("mod_table_refs", {}).get(table_key, [])
    set_selection(sel.with_rows(selection_now(), table_refs, rows, st.session_state.get("mod_statuses", {})),
                  redraw=False)


def on_pick() -> None:
    picked = st.session_state.get("mod_pick", [])
    set_selection(sel.with_picked(selection_now(), picked, st.session_state.get("mod_statuses", {})), redraw=True)


def conflict_line(o: repository.Outcome) -> str:
    ref = moderation.item_ref({"entity": o.item.entity, "source_key": o.item.source_key,
                               "entity_id": o.item.entity_id})
    if o.kind == "not_found":
        return tr("mod.conflict.missing", item=item_text(ref))
    if o.platform_since is not None:
        return tr("sync.conflict", item=item_text(ref),
                     since=moscow_time(o.platform_since, tr("freshness.zone"), current_lang()))  # not None here
    if o.decided_by:
        return tr("mod.conflict.decided", item=item_text(ref), status=status_text(o.current_status),
                     by=o.decided_by, at=moscow_time(o.decided_at, tr("freshness.zone"), current_lang()))
    expected = " / ".join(status_text(s) for s in o.expected) or "—"
    return tr("mod.conflict.other", item=item_text(ref), status=status_text(o.current_status), expected=expected)


def changed_on_platform(o: repository.Outcome) -> bool:
    """Refused because the platform changed the item since the sync (not because a colleague decided it)."""
    return o.kind != "not_found" and o.platform_since is not None


def report(action: str, applied: list[str], conflicts: list[str], changed: list[str] | None = None) -> None:
    """What happened, for the next run: a toast naming what changed, and the refused items listed on the page —
    ``conflicts`` (decided by someone else, missing, failed) apart from ``changed`` (changed on the platform since
    the sync, refreshed from it)."""
    changed = changed or []
    st.session_state["mod_flash"] = (action, list(applied), len(conflicts), len(changed))
    st.session_state["mod_conflicts"] = conflicts
    st.session_state["mod_platform_conflicts"] = changed


def flash_text(action: str, applied: list[str], conflicts: int, changed: int) -> str:
    """The toast after a decision: what changed (items named as plain text), and how many were refused."""
    parts = [tr(f"mod.done.{action}", what=what_markdown(applied))] if applied else [tr("mod.done.nothing")]
    if conflicts:
        parts.append(tr("mod.done.conflicts", what=count_of(conflicts, lang, ITEMS)))
    if changed:
        parts.append(tr("sync.done.changed", what=count_of(changed, lang, ITEMS)))
    return "; ".join(parts)


def chosen_reason() -> str | None:
    """The reason from the form (free text wins over the canned one), read from session state in callbacks."""
    free = str(st.session_state.get("mod_reason_text") or "").strip()
    if free:
        return free
    code = st.session_state.get("mod_reason") or ""
    canned = {r.code: r.text(lang) for r in moderation.reasons()}
    return canned.get(code)


def acting_actor() -> str | None:
    """Who decides now. Callbacks run before the shell's access check of the run, so access is decided afresh
    (a disabled account or a changed role acts no more); None, with the reason on the page, refuses."""
    acting = acting_identity("moderation_queue")
    if acting is None:
        st.session_state["mod_error"] = tr("error.forbidden")
        return None
    return acting.actor


def apply_decision(action: str, chosen: sel.Selection) -> None:
    """Decide the chosen items, each only if still in the status seen; then nothing is selected."""
    actor = acting_actor()
    if actor is None:
        return
    items = []
    for ref, seen in chosen.items():
        entity, source_key, entity_id = sel.split_ref(ref)
        items.append(repository.Item(entity, entity_id, source_key, seen))
    note = str(st.session_state.get("mod_note") or "").strip() or None
    reason = chosen_reason() if action == "reject" else None
    try:
        outcomes = repository.decide(store_units(store), items, action, actor, reason=reason, note=note)
    except repository.ReasonRequired:
        st.session_state["mod_error"] = tr("mod.reason_required")
        return
    except (repository.ModerationError, StoreError) as exc:
        st.session_state["mod_error"] = tr("mod.error", message=str(exc))
        return
    applied = [o for o in outcomes if o.applied]
    done = [moderation.item_ref({"entity": o.item.entity, "source_key": o.item.source_key,
                                 "entity_id": o.item.entity_id}) for o in applied]
    refused = [o for o in outcomes if not o.applied]
    report(action, done, [conflict_line(o) for o in refused if not changed_on_platform(o)],
           [conflict_line(o) for o in refused if changed_on_platform(o)])
    st.session_state["mod_last"] = done
    set_selection({}, redraw=True)
    invalidate()


def on_decide(action: str) -> None:
    """The single-item buttons, and the bulk buttons (which ask first, in a dialog listing the items)."""
    chosen = selection_now()
    if not chosen:
        return
    if action == "reject" and not chosen_reason():
        st.session_state["mod_error"] = tr("mod.reason_required")
        return
    if len(chosen) > 1:
        st.session_state["mod_bulk_pending"] = {"action": action, "items": chosen}
        return
    apply_decision(action, chosen)


def on_undo() -> None:
    actor = acting_actor()
    if actor is None:
        return
    done: list[str] = []
    failed: list[str] = []
    changed: list[str] = []
    for ref in st.session_state.get("mod_last") or []:
        entity, source_key, entity_id = sel.split_ref(ref)
        try:
            out = repository.undo(store_units(store), repository.Item(entity, entity_id, source_key), actor)
        except (repository.ModerationError, StoreError) as exc:
            failed.append(f"{item_text(ref)}: {exc}")
            continue
        if out.applied:
            done.append(ref)
        else:
            (changed if changed_on_platform(out) else failed).append(conflict_line(out))
    report("undo", done, failed, changed)
    st.session_state["mod_last"] = []
    set_selection({}, redraw=True)
    invalidate()


def clear_bulk() -> None:
    st.session_state.pop("mod_bulk_pending", None)


@st.dialog(tr("mod.bulk.title"), on_dismiss=clear_bulk, width="large")
def confirm_bulk(action: str, chosen: sel.Selection) -> None:
    """The bulk decision's confirmation: what will change, item by item (type, title, artist)."""
    refs = list(chosen)
    what = count_of(len(refs), lang, ITEMS)
    if action == "approve":
        st.text(tr("mod.bulk.confirm_approve", what=what))
    else:
        st.text(tr("mod.bulk.confirm_reject", what=what, reason=chosen_reason() or ""))
    known = st.session_state.get("mod_info", {})
    st.dataframe(pd.DataFrame({
        tr("mod.col.type"): [entity_names.get(sel.split_ref(r)[0], sel.split_ref(r)[0]) for r in refs],
        tr("mod.col.title"): [known.get(r, {}).get("title", sel.split_ref(r)[2]) for r in refs],
        tr("mod.col.artist"): [known.get(r, {}).get("artist", "—") for r in refs],
    }), hide_index=True, width="stretch", key="mod_bulk_items")
    yes, no = st.columns(2)
    if yes.button(tr("mod.bulk.yes"), type="primary", key="mod_bulk_yes"):
        clear_bulk()
        apply_decision(action, chosen)
        st.rerun()
    if no.button(tr("mod.bulk.cancel"), key="mod_bulk_no"):
        clear_bulk()
        st.rerun()


# ---------------------------------------------------------------- what happened since the last run

flash = st.session_state.pop("mod_flash", None)
if flash:
    done_action, done_refs, refused_count, changed_count = flash
    st.toast(flash_text(done_action, done_refs, refused_count, changed_count), icon="✅" if done_refs else "⚠️")
error = st.session_state.pop("mod_error", None)

# items someone else decided meanwhile leave the selection, each with a note saying who decided and when
kept, left = sel.reconcile(selection_now(), statuses)
if left:
    set_selection(kept, redraw=True)
    notes = list(st.session_state.get("mod_left_notes", []))
    for ref in left:
        entity, source_key, entity_id = sel.split_ref(ref)
        last = query("moderation_item_decision", entity=entity, source_key=source_key, entity_id=entity_id)
        notes.append((ref, None) if last.empty else (ref, dict(last.iloc[0])))
    st.session_state["mod_left_notes"] = notes


def left_note(ref: str, decided: dict[str, Any] | None) -> str:
    """An item that left the selection: who decided it, when and how (the names as plain text)."""
    if decided is None:
        return tr("mod.left_selection.unknown", item=item_markdown(ref))
    return tr("mod.left_selection", item=item_markdown(ref), by=markdown_text(decided["actor"]),
                 at=moscow_time(decided["at"], tr("freshness.zone"), current_lang()),
                 status=markdown_text(status_text(decided["to_status"])))


for left_ref, left_decision in st.session_state.get("mod_left_notes", []):
    st.warning(left_note(left_ref, left_decision), icon="ℹ️")


REFUSED_ROW_HEIGHT = 72  # px: three lines; Streamlit wraps cell text only in rows taller than 4rem (64 px)


def refused_table(lines: list[str], key: str) -> None:
    """The refused items, one sentence each; rows tall enough that a sentence wraps instead of being cut off."""
    st.dataframe(pd.DataFrame({tr("mod.col.message"): lines}), hide_index=True, width="stretch", key=key,
                 row_height=REFUSED_ROW_HEIGHT)


changed_lines = st.session_state.get("mod_platform_conflicts") or []
if changed_lines:
    st.warning(tr("sync.conflicts"))
    refused_table(changed_lines, "mod_platform_conflict_table")
conflicts = st.session_state.get("mod_conflicts") or []
if conflicts:
    st.warning(tr("mod.conflicts"))
    refused_table(conflicts, "mod_conflict_table")

last = st.session_state.get("mod_last") or []
if last:
    st.button(tr("mod.undo_last", what=what_markdown(last)), key="mod_undo", on_click=on_undo,
              disabled=read_only)

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

by_type = pd.DataFrame({
    tr("mod.col.type"): [entity_names[e] for e in moderation.entities()],
    tr("mod.col.count"): [int(summary.loc[summary["entity"] == e, "items"].sum()) for e in moderation.entities()],
})
with st.expander(tr("mod.pending_by_type"), expanded=False):
    st.dataframe(by_type, hide_index=True)

if total == 0:
    st.success(tr("mod.queue.empty"))
    st.stop()

# ---------------------------------------------------------------- filters (applied in SQL) and the page
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
f1.multiselect(tr("mod.filter.type"), list(entity_names), format_func=entity_names.__getitem__,
               placeholder=tr("widget.choose"), key="mod_f_type", select_all=False)  # no English "Select all"
f2.multiselect(tr("mod.filter.age"), list(band_names), format_func=band_names.__getitem__,
               placeholder=tr("widget.choose"), key="mod_f_age", select_all=False)
f3.text_input(tr("mod.filter.artist"), key="mod_f_artist", placeholder=tr("mod.filter.artist_hint"))
f4.text_input(tr("mod.filter.text"), key="mod_f_text")
pages = max(1, -(-matching // size))
first_no = page_no * size + 1 if matching else 0
st.caption(tr("mod.queue.page" if matching else "mod.queue.page_none", first=number(first_no, lang),
              last=number(page_no * size + len(shown), lang), shown=number(matching, lang), total=number(total, lang)))
p1, p2, p3, p4 = st.columns([1, 2, 1, 1])
size_labels = {n: tr("mod.page.size_n", n=n) for n in PAGE_SIZES}  # format_func must not read session state
p4.selectbox(tr("mod.page.size"), PAGE_SIZES, index=PAGE_SIZES.index(size), key="mod_page_size",
             label_visibility="collapsed", format_func=size_labels.__getitem__)
if pages > 1:
    p1.button(tr("mod.page.prev"), key="mod_page_prev", disabled=page_no == 0,
              on_click=functools.partial(st.session_state.__setitem__, "mod_page", page_no - 1))
    p2.caption(tr("mod.page.of", page=number(page_no + 1, lang), pages=number(pages, lang)))
    p3.button(tr("mod.page.next"), key="mod_page_next", disabled=page_no + 1 >= pages,
              on_click=functools.partial(st.session_state.__setitem__, "mod_page", page_no + 1))

chosen = selection_now()
if shown.empty:
    st.info(tr("mod.queue.none_match"))
else:
    view = pd.DataFrame({
        tr("mod.col.sla"): sla_badges(shown["age_band"]),
        tr("mod.col.type"): shown["entity"].map(entity_names),
        tr("mod.col.title"): shown["title"].map(text_or_dash),
        tr("mod.col.artist"): shown["artist_name"].map(text_or_dash),
        tr("mod.col.waiting"): shown["age_hours"].map(hours_text),
        tr("mod.col.created"): moscow_times(shown["created_at"], lang=lang),
        tr("mod.col.status"): shown["status"].map(status_text),
        tr("mod.col.id"): shown["entity_id"].map(tables.short_id),  # "1a2b3c4d…"; in full in the preview
    })
    # a new table (no stale ticks) whenever its rows or the selection (from elsewhere) change
    digest = hashlib.sha1("\n".join(shown_refs).encode("utf-8")).hexdigest()[:12]
    table_key = f"mod_queue_table_{digest}_{st.session_state.get('mod_sel_version', 0)}"
    st.session_state["mod_table_refs"] = {table_key: shown_refs}
    st.space("small")  # room for the table's toolbar, which otherwise covers the page-size box above it
    st.dataframe(view, hide_index=True, width="stretch", on_select=functools.partial(on_table_select, table_key),
                 selection_mode="multi-row", key=table_key,
                 selection_default={"selection": {"rows": sel.rows_of(chosen, shown_refs)}},
                 column_config={tr("mod.col.id"): st.column_config.TextColumn(width="small",
                                                                                 help=tr("mod.col.id_help"))})

# the same selection through a widget (keyboard users; AppTest cannot tick dataframe rows)
options = list(dict.fromkeys([*shown_refs, *chosen]))
st.session_state["mod_pick"] = [ref for ref in chosen if ref in options]
option_labels = {ref: item_text(ref) for ref in options}  # format_func must not read session state (AppTest)
st.multiselect(tr("mod.pick"), options, format_func=option_labels.__getitem__, key="mod_pick", on_change=on_pick,
               placeholder=tr("widget.choose"), help=tr("mod.pick_help"), select_all=False)

bulk = st.session_state.get("mod_bulk_pending")
if bulk:
    confirm_bulk(bulk["action"], bulk["items"])

if error:
    st.error(markdown_text(error))

if not chosen:
    st.info(tr("mod.select_first"))
    st.stop()


def preview(row: dict[str, Any]) -> None:
    """The item as text; its cover and audio only when the moderator asks for them: they live on the platform's
    media host, and the app itself requests nothing from another host."""
    st.text(f"{entity_names[row['entity']]} · {row['entity_id']}")
    st.text(str(row.get("title") or "—"))
    owner = next((v for v in (row.get("artist_name"), row.get("artist_id")) if isinstance(v, str) and v), "—")
    st.text(tr("mod.preview.artist", name=owner))  # AI news and guests' track tests have no artist
    if isinstance(row.get("description"), str) and row["description"]:
        st.text(row["description"][:2000])
    image, audio = row.get("image_url"), row.get("audio_url")
    hosts = media_hosts((image, audio))
    if hosts and st.toggle(tr("mod.preview.load_media", hosts=markdown_text(", ".join(hosts))), key="mod_media"):
        if media_host(image):
            st.image(str(image), width=320)
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


position = {ref: i for i, ref in enumerate(refs_all)}
first = next(iter(chosen))
left_col, right_col = st.columns([3, 2])
with left_col:
    st.subheader(tr("mod.preview"))
    st.caption(tr("mod.selected", what=count_of(len(chosen), lang, ITEMS)))
    if first in position:
        preview(queue.iloc[position[first]].to_dict())
    if len(chosen) > 1:
        st.caption(tr("mod.preview.more", n=number(len(chosen) - 1, lang)))
with right_col:
    reason_options = ["", *[r.code for r in moderation.reasons()], "other"]
    reason_names = {"": tr("mod.reason.none"), "other": tr("mod.reason.other")}
    reason_names |= {r.code: r.text(lang) for r in moderation.reasons()}
    st.selectbox(tr("mod.reason"), reason_options, format_func=reason_names.__getitem__, key="mod_reason")
    st.text_input(tr("mod.reason.text"), key="mod_reason_text")
    st.text_input(tr("mod.note"), key="mod_note")
    a, r = st.columns(2)
    if len(chosen) == 1:
        a.button(tr("mod.action.approve"), type="primary", key="mod_approve", on_click=on_decide,
                 args=("approve",), disabled=read_only)
        r.button(tr("mod.action.reject"), key="mod_reject", on_click=on_decide, args=("reject",),
                 disabled=read_only)
    else:
        a.button(tr("mod.bulk.approve", n=len(chosen)), type="primary", key="mod_bulk_approve",
                 on_click=on_decide, args=("approve",), disabled=read_only)
        r.button(tr("mod.bulk.reject", n=len(chosen)), key="mod_bulk_reject", on_click=on_decide,
                 args=("reject",), disabled=read_only)
