"""Suspicious activity (moderators, managers, admins): the flags of ``dashboard/anomalies`` newest first, filtered
by kind, state and artist; the picked flag's evidence (the track's daily plays and listeners around a spike, the
donations on a timeline), its sentence and its numbers; "dismiss" and "confirm" with a note.

A decision runs in the button's callback on the flag and the state the page showed (``reviews.review``: one
transaction, refused when someone else decided first). Artist pages never show any of this. Element keys for
browser tests: ``anomaly_table``, ``anomaly_pick``, ``anomaly_evidence`` (the container), ``anomaly_chart``,
``anomaly_note``, ``anomaly_dismiss``, ``anomaly_confirm``, ``anomaly_state``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.anomalies.flags import KINDS, Flag, compute_flags, sentence
from dashboard.anomalies.reviews import OPEN, review
from dashboard.i18n.formatting import TIMEZONE, moscow_time, number
from dashboard.i18n.plural import count_of
from dashboard.store.connect import StoreError
from ui import charts
from ui.data_access import computed, current_store, invalidate, query
from ui.identity import acting_identity, require_page
from ui.language import current_lang, tr
from ui.plain_text import markdown_text
from ui.sync_status import data_as_of
from ui.tables import csv_download

STATES = (OPEN, "dismissed", "confirmed")
SPIKE_DAYS_BEFORE, SPIKE_DAYS_AFTER = 21, 7


def on_review(action: str, flag: Flag, seen: str) -> None:
    """The dismiss/confirm buttons: decide the flag the page showed, only if still in the state shown."""
    acting = acting_identity("suspicious_activity")
    if acting is None:
        st.session_state["anomaly_message"] = ("error", tr("error.forbidden"))
        return
    note = str(st.session_state.get("anomaly_note") or "")
    try:
        outcome = review(current_store(), flag, action, seen, acting.actor, note)
    except (StoreError, ValueError) as exc:
        st.session_state["anomaly_message"] = ("error", str(exc))
        return
    if outcome.applied:
        st.session_state["anomaly_message"] = ("success", tr(f"anomaly.done.{outcome.review.status}"))
        st.session_state["anomaly_note"] = ""
    else:
        found = outcome.review
        st.session_state["anomaly_message"] = ("warning", tr(
            "anomaly.conflict", status=tr(f"anomaly.status.{found.status}"), actor=found.actor or "",
            at=moscow_time(found.at, lang=current_lang())))
    invalidate()


require_page("suspicious_activity")
lang = current_lang()
st.title(tr("anomaly.title"))
data_as_of()
st.caption(tr("anomaly.intro"))

message = st.session_state.pop("anomaly_message", None)
if message:
    getattr(st, message[0])(markdown_text(message[1]))

flags: list[Flag] = computed(compute_flags)
reviewed = query("anomaly_review_states")
state_of = {str(r.flag_id): r for r in reviewed.itertuples(index=False)}
ids = sorted({f.artist_id for f in flags})
names = dict(query("anomaly_names", ids=ids).itertuples(index=False, name=None)) if ids else {}


def status(flag: Flag) -> str:
    row = state_of.get(flag.id)
    return OPEN if row is None else str(row.to_status)


def number_text(name: str, value: object) -> str:
    if name == "matched_by":
        return tr(f"anomaly.matched.{value}")
    if isinstance(value, str) or value is None:
        return "" if value is None else value
    if name == "usual_refund_share":
        return f"{number(100 * float(value), lang, 1)} %"
    return number(value, lang, 0 if float(value).is_integer() else 2)


def who(flag: Flag) -> str:
    return str(names.get(flag.artist_id) or flag.artist_id)


any_label = tr("anomaly.any")
c1, c2, c3 = st.columns([2, 2, 3])
# labels made now, in the page's language (a format_func is also called outside the run, e.g. by AppTest)
kind_labels = {"": any_label, **{k: tr(f"anomaly.kind.{k}") for k in KINDS}}
state_labels = {"": any_label, **{s: tr(f"anomaly.status.{s}") for s in STATES}}
kind = c1.selectbox(tr("anomaly.filter.kind"), list(kind_labels), key="anomaly_kind",
                    format_func=kind_labels.__getitem__)
state = c2.selectbox(tr("anomaly.filter.status"), list(state_labels), key="anomaly_status",
                     format_func=state_labels.__getitem__)
search = c3.text_input(tr("anomaly.filter.artist"), key="anomaly_artist").strip().lower()

shown = [f for f in flags if (not kind or f.kind == kind) and (not state or status(f) == state)
         and (not search or search in who(f).lower() or search in f.artist_id.lower())]
st.caption(tr("anomaly.count", flags=count_of(len(shown), lang, tr("anomaly.word.flags"))))
if not shown:
    st.info(tr("anomaly.none"))
    st.stop()

table = pd.DataFrame({
    tr("anomaly.col.when"): [moscow_time(f.start, lang=current_lang()) for f in shown],
    tr("anomaly.col.kind"): [tr(f"anomaly.kind.{f.kind}") for f in shown],
    tr("anomaly.col.artist"): [who(f) for f in shown],
    tr("anomaly.col.what"): [sentence(f, lang, who(f)) for f in shown],
    tr("anomaly.col.status"): [tr(f"anomaly.status.{status(f)}") for f in shown],
})
st.dataframe(table, hide_index=True, width="stretch", key="anomaly_table",
             column_config={tr("anomaly.col.what"): st.column_config.TextColumn(width="large")})
csv_download(table, "suspicious_activity.csv", key="anomaly_csv")

by_id = {f.id: f for f in shown}
pick_labels = {f.id: f"{moscow_time(f.start, lang=current_lang())} · {kind_labels[f.kind]} · {who(f)}" for f in shown}
picked = st.selectbox(tr("anomaly.pick"), list(by_id), key="anomaly_pick", format_func=pick_labels.__getitem__)
flag = by_id[picked]
seen = status(flag)

with st.container(border=True, key="anomaly_evidence"):
    st.subheader(tr("anomaly.evidence"))
    st.markdown(markdown_text(sentence(flag, lang, who(flag))))
    if flag.kind == "play_spike" and flag.track_id:
        day = flag.start.date()
        days = query("anomaly_track_days", track_id=flag.track_id, start=day - dt.timedelta(days=SPIKE_DAYS_BEFORE),
                        end=day + dt.timedelta(days=SPIKE_DAYS_AFTER))
        fig = charts.spike_figure([pd.Timestamp(d).date() for d in days["day"]], list(days["plays"]),
                                  list(days["listeners"]), day,
                                  (tr("anomaly.chart.plays"), tr("anomaly.chart.listeners")), lang)
        st.plotly_chart(fig, key="anomaly_chart", config={"displayModeBar": False})
    elif flag.kind in ("donation_burst", "self_donation"):
        margin = dt.timedelta(hours=3) if flag.kind == "donation_burst" else dt.timedelta(days=3)
        gifts = query("anomaly_artist_donations", artist_id=flag.artist_id, start=flag.start - margin,
                         end=flag.end + margin)
        times = [pd.Timestamp(t).tz_convert(TIMEZONE).to_pydatetime() for t in gifts["created_at"]]
        fig = charts.donation_timeline(times, [float(a) for a in gifts["amount"]],
                                       [str(i) in flag.items for i in gifts["id"]],
                                       (tr(f"anomaly.kind.{flag.kind}"), tr("anomaly.chart.donations")),
                                       tr("anomaly.chart.amount"), lang)
        st.plotly_chart(fig, key="anomaly_chart", config={"displayModeBar": False})
    numbers = pd.DataFrame({
        tr("anomaly.number.name"): [tr(f"anomaly.number.{k}") for k in flag.numbers],
        tr("anomaly.number.value"): [number_text(k, v) for k, v in flag.numbers.items()]})
    st.dataframe(numbers, hide_index=True, key="anomaly_numbers")
    st.caption(f"{tr('anomaly.items')}: {markdown_text(', '.join(flag.items))}")
    row = state_of.get(flag.id)
    if row is not None:
        st.info(markdown_text(tr("anomaly.reviewed", status=tr(f"anomaly.status.{row.to_status}"),
                                    actor=row.actor or "", at=moscow_time(row.at, lang=current_lang()),
                                    note=row.note or "—")),
                icon="🗂️")
    st.caption(f"{tr('anomaly.filter.status')}: {tr(f'anomaly.status.{seen}')}", help=None)
    st.text_input(tr("anomaly.note"), key="anomaly_note")
    b1, b2 = st.columns(2)
    b1.button(tr("anomaly.dismiss"), key="anomaly_dismiss", on_click=on_review, args=("dismiss", flag, seen),
              disabled=seen != OPEN)
    b2.button(tr("anomaly.confirm"), key="anomaly_confirm", type="primary", on_click=on_review,
              args=("confirm", flag, seen), disabled=seen != OPEN)
