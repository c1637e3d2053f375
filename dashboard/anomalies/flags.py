"""Suspicious activity: the flags, computed from the store by the SQL in ``queries/anomalies/``.

Each kind is one query (its definition is in the file's header) run with the thresholds of ``thresholds.json``
(each with its meaning in words). The flags are read when asked for (the page, the ``anomalies`` command): every
query is one linear pass over its table, so they are always those of the store's latest ingest or sync and nothing
has to be refreshed. What people decide about a flag is kept in ``anomaly_reviews`` by the flag's stable id
(``dashboard.anomalies.reviews``), so a decision survives re-ingests.

A flag carries its kind, the account (artist_id: the artist, or for coins and refunds the user), the items it is
about (a track, donation ids, transaction or payment ids), its time window, and the numbers that triggered it with
the usual values beside them. ``sentence(flag, lang)`` says it in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.i18n.formatting import MOSCOW, day_text, money, moscow_time, number
from dashboard.i18n.plural import count_of
from dashboard.i18n.translations import t
from dashboard.store.connect import Store
from dashboard.store.queries import run_query, shared_connection

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")
KINDS = ("play_spike", "donation_burst", "self_donation", "coin_farming", "refund_cluster")


class ThresholdsError(ValueError):
    """The thresholds file is unusable; the message is one line."""


@dataclass(frozen=True)
class Flag:
    id: str
    kind: str
    artist_id: str
    start: dt.datetime  # the window, Moscow time
    end: dt.datetime
    items: tuple[str, ...]  # the track, or the donation / coin transaction / payment ids
    numbers: dict[str, Any] = field(default_factory=dict)  # what triggered it, with the usual values beside
    track_id: str | None = None
    title: str | None = None  # the track's title or the donor's name: user content, shown as plain text

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "artist_id": self.artist_id, "track_id": self.track_id,
                "items": list(self.items), "from": self.start.isoformat(), "to": self.end.isoformat(),
                "numbers": self.numbers, "title": self.title}


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, Any]]:
    """{kind: {"query": name, param: value}} from the one thresholds file; ThresholdsError when it is unusable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ThresholdsError(f"{path}: cannot read the thresholds ({exc})") from None
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        entry = doc.get(kind) if isinstance(doc, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("query"), str):
            raise ThresholdsError(f"{path}: no entry for {kind!r} with its query")
        params: dict[str, Any] = {"query": entry["query"]}
        for name, spec in entry.items():
            if name == "query":
                continue
            value = spec.get("value") if isinstance(spec, dict) else None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not spec.get("meaning"):
                raise ThresholdsError(f"{path}: {kind}.{name} needs a non-negative number value and a meaning")
            params[name] = value
        out[kind] = params
    return out


def threshold_meanings(path: Path = THRESHOLDS_FILE) -> list[tuple[str, str, Any, str]]:
    """(kind, name, value, meaning) of every threshold, for the README and the page's help."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(kind, name, spec["value"], spec["meaning"]) for kind in KINDS for name, spec in doc[kind].items()
            if name != "query"]


def flag_id(kind: str, artist_id: str, item: str, start: dt.date) -> str:
    """Stable across re-ingests: the same kind, account, first item and first day give the same id."""
    return hashlib.sha256(f"{kind}|{artist_id}|{item}|{start.isoformat()}".encode()).hexdigest()[:16]


def _moscow(value: Any) -> dt.datetime:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(MOSCOW)
    return stamp.tz_convert(MOSCOW).to_pydatetime()


def _plain(value: Any) -> Any:
    """A JSON-ready number: ints stay ints, others are rounded floats; missing is None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        return value
    x = float(value)
    return int(x) if x.is_integer() else round(x, 3)


def _ids(text: Any) -> tuple[str, ...]:
    return tuple(i for i in str(text or "").split(",") if i)


def _day_window(day: Any) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(pd.Timestamp(day).date(), dt.time(0), MOSCOW)
    return start, start + dt.timedelta(days=1) - dt.timedelta(seconds=1)


def _play_spikes(frame: pd.DataFrame) -> list[Flag]:
    flags = []
    for r in frame.itertuples(index=False):
        start, end = _day_window(r.day)
        flags.append(Flag(
            id=flag_id("play_spike", r.artist_id, r.track_id, start.date()), kind="play_spike",
            artist_id=r.artist_id, start=start, end=end, items=(r.track_id,), track_id=r.track_id,
            title=r.track_title,
            numbers={"plays": _plain(r.plays), "usual_plays": _plain(r.usual_plays), "listeners": _plain(r.listeners),
                     "usual_listeners": _plain(r.usual_listeners), "plays_per_listener": _plain(r.plays_per_listener),
                     "platform_ratio": _plain(r.platform_ratio), "history_days": _plain(r.history_days)}))
    return flags


def _donation_bursts(frame: pd.DataFrame) -> list[Flag]:
    flags = []
    for r in frame.itertuples(index=False):
        items = _ids(r.donation_ids)
        start = _moscow(r.started_at)
        flags.append(Flag(
            id=flag_id("donation_burst", r.artist_id, items[0], start.date()), kind="donation_burst",
            artist_id=r.artist_id, start=start, end=_moscow(r.ended_at), items=items, title=r.donor_label,
            numbers={"donations": _plain(r.donations), "donors": _plain(r.donors), "amount": _plain(r.amount),
                     "currency": r.currency, "minutes": _plain((_moscow(r.ended_at) - start).total_seconds() / 60),
                     "usual_per_day": _plain(r.usual_per_day)}))
    return flags


def _self_donations(frame: pd.DataFrame) -> list[Flag]:
    flags = []
    for r in frame.itertuples(index=False):
        at = _moscow(r.created_at)
        flags.append(Flag(
            id=flag_id("self_donation", r.artist_id, r.donation_id, at.date()), kind="self_donation",
            artist_id=r.artist_id, start=at, end=at, items=(r.donation_id,), title=r.donor_label,
            numbers={"amount": _plain(r.amount), "currency": r.currency, "matched_by": r.matched_by,
                     "status": r.status}))
    return flags


def _coin_farming(frame: pd.DataFrame) -> list[Flag]:
    flags = []
    for r in frame.itertuples(index=False):
        items = _ids(r.transaction_ids)
        start = _moscow(r.started_at)
        flags.append(Flag(
            id=flag_id("coin_farming", r.user_id, items[0], start.date()), kind="coin_farming", artist_id=r.user_id,
            start=start, end=_moscow(r.ended_at), items=items,
            numbers={"earnings": _plain(r.earnings), "coins": _plain(r.coins),
                     "minutes": _plain((_moscow(r.ended_at) - start).total_seconds() / 60),
                     "usual_earnings": _plain(r.usual_earnings)}))
    return flags


def _refund_clusters(frame: pd.DataFrame) -> list[Flag]:
    flags = []
    for r in frame.itertuples(index=False):
        items = _ids(r.payment_ids)
        start = _moscow(r.started_at)
        flags.append(Flag(
            id=flag_id("refund_cluster", r.user_id, items[0], start.date()), kind="refund_cluster",
            artist_id=r.user_id, start=start, end=_moscow(r.ended_at), items=items,
            numbers={"refunds": _plain(r.refunds), "amount": _plain(r.amount), "currency": r.currency,
                     "days": _plain((_moscow(r.ended_at) - start).total_seconds() / 86400),
                     "usual_refund_share": _plain(r.usual_refund_share)}))
    return flags


BUILDERS = {"play_spike": _play_spikes, "donation_burst": _donation_bursts, "self_donation": _self_donations,
            "coin_farming": _coin_farming, "refund_cluster": _refund_clusters}


def kind_frame(store: Store, kind: str, thresholds: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """The raw rows of one kind's query."""
    params = dict((thresholds or load_thresholds())[kind])
    return run_query(store, params.pop("query"), **params)


def compute_flags(store: Store, kinds: tuple[str, ...] = KINDS,
                  thresholds: dict[str, dict[str, Any]] | None = None) -> list[Flag]:
    """Every flag of the store, newest first (ties by kind and id)."""
    limits = thresholds or load_thresholds()
    flags: dict[str, Flag] = {}
    with shared_connection():  # one connection for every kind's query
        for kind in kinds:
            for flag in BUILDERS[kind](kind_frame(store, kind, limits)):
                flags.setdefault(flag.id, flag)
    return sorted(flags.values(), key=lambda f: (-f.start.timestamp(), f.kind, f.id))


# ------------------------------------------------------------------------------------------------- sentences
def _n(value: Any, lang: str, decimals: int = 0) -> str:
    return number(value, lang, decimals)


def sentence(flag: Flag, lang: str = "ru", artist_name: str | None = None) -> str:
    """The flag in one sentence of the reader's language (names and titles inside are user content: the caller
    shows the sentence as plain text)."""
    n = flag.numbers
    who = artist_name or flag.artist_id
    if flag.kind == "play_spike":
        return t("anomaly.sentence.play_spike", lang, title=flag.title or flag.track_id, artist=who,
                 day=day_text(flag.start, lang), plays=count_of(int(n["plays"]), lang, t("anomaly.word.plays", lang)),
                 usual=_n(n["usual_plays"], lang, 1), listeners=count_of(int(n["listeners"] or 0), lang,
                                                                        t("anomaly.word.listeners", lang)),
                 usual_listeners=_n(n["usual_listeners"], lang, 1), ratio=_n(n["plays_per_listener"], lang, 1),
                 platform=_n(n["platform_ratio"], lang, 1))
    if flag.kind == "donation_burst":
        return t("anomaly.sentence.donation_burst", lang, artist=who,
                 donations=count_of(int(n["donations"]), lang, t("anomaly.word.donations", lang)),
                 minutes=count_of(round(n["minutes"] or 0), lang, t("anomaly.word.minutes", lang)),
                 donors=count_of(int(n["donors"]), lang, t("anomaly.word.donors", lang)),
                 amount=money(n["amount"], n["currency"], lang), at=moscow_time(flag.start, lang=lang),
                 usual=_n(n["usual_per_day"], lang, 2))
    if flag.kind == "self_donation":
        return t("anomaly.sentence.self_donation", lang, artist=who, amount=money(n["amount"], n["currency"], lang),
                 at=moscow_time(flag.start, lang=lang), matched=t(f"anomaly.matched.{n['matched_by']}", lang))
    if flag.kind == "coin_farming":
        return t("anomaly.sentence.coin_farming", lang, user=who,
                 earnings=count_of(int(n["earnings"]), lang, t("anomaly.word.earnings", lang)),
                 coins=_n(n["coins"], lang), minutes=count_of(round(n["minutes"] or 0), lang,
                                                               t("anomaly.word.minutes", lang)),
                 at=moscow_time(flag.start, lang=lang), usual=_n(n["usual_earnings"], lang))
    return t("anomaly.sentence.refund_cluster", lang, user=who,
             refunds=count_of(int(n["refunds"]), lang, t("anomaly.word.refunds", lang)),
             days=count_of(max(1, math.ceil(n["days"] or 0)), lang, t("anomaly.word.days", lang)),
             amount=money(n["amount"], n["currency"], lang), at=day_text(flag.start, lang),
             usual=_n(100 * (n["usual_refund_share"] or 0), lang, 1))
