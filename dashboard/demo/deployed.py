"""A deterministic demo KV snapshot in the platform's deployed key layout (what its server code writes).

``write_deployed_snapshot(out, scale, seed, as_of)`` writes two snapshots and a manifest:

- ``out``: the platform's table at ``snapshot_at`` = ``as_of`` 00:00 Europe/Moscow;
- ``<name>.day2<suffixes>`` beside it (``demo.ndjson`` -> ``demo.day2.ndjson``): the same table one day later,
  with grown totals (track and analytics plays, first plays of tracks that had none, new donations and ticket
  sales); every other key is byte-identical;
- ``<out>.manifest.json``: counts, statuses, money, the planted inconsistencies and the exact growth.

The layout is the one of ``shared/platform/KEYS.md`` and ``shared/fixtures/deployed-kv-snapshot.ndjson``: singular
prefixes, double-encoded values (a JSON string holding JSON) where the platform's code stringifies, camelCase and
snake_case side by side, numbers as strings, durations ``"m:ss"``, ``demo-user``, ids ``{epochMs}-{9 base36}``,
timestamps ISO-8601 UTC with milliseconds. Activity is spread over the ``WINDOW_DAYS`` days before
``snapshot_at``. The same (scale, seed, as_of, clean) gives byte-identical files.

The world is generated block by block (``deployed_areas.block_records``): each block is a neighbourhood of
artists, fans, a venue, a DJ and (every other block) a radio station whose cross-references (buyers, bookings,
requests) stay inside the block, so memory stays flat whatever the scale. ``deployed_seed`` adds the platform's
start-up seed (demo artists ``artist-{slug}``, public catalogue, charts, accounting, ...).

Planted inconsistencies (KEYS.md section D; listed in the manifest under ``inconsistencies``):
``orphan_ticket_messages`` (a ticket was deleted, its ``ticket_message:*`` rows stay), ``orphan_analytics``
(a track was deleted, its ``analytics:{u}:track:{t}`` row stays), ``guest_payments`` (``payments:null:tx:*`` of
a guest's track test) and ``coin_balance_drift`` (``coins:balance:{u}`` differs from the sum of the user's
``coins:tx``). With ``clean=True`` nothing is planted; the generator draws the same random numbers.

Planted suspicious activity (issue 25; listed in the manifest under ``anomalies``, one list per kind of
``dashboard/anomalies``): ``donation_burst`` (6-9 donations minutes apart from one or two donor names),
``self_donation`` (the donor's name is the artist's profile name), ``coin_farming`` (a dozen or more coin rewards
minutes apart) and ``refund_cluster`` (3-4 track tests of one artist rejected and refunded within days). No
``play_spike``: the layout has no daily series with listeners (``anomalies_not_planted`` says so). The plants draw
from their own random stream and add new keys only (and their ids to ``track_test:all_requests``), so the rest of
the snapshot is byte-for-byte the same with or without them; ``clean=True`` plants none.
"""

from __future__ import annotations

import json
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dashboard.demo.deployed_world import (  # noqa: F401 (re-exported for tests and callers)
    ABSENT,
    ANOMALY_PLANTS,
    DAY_MS,
    NOT_PLANTED,
    SAME,
    WINDOW_DAYS,
    Rec,
    World,
    _stringify,
    day_of,
    de,
    iso,
    num,
)
from dashboard.demo.snapshot import SCALES, WRITERS, ndjson_line, open_text, snapshot_format
from dashboard.i18n.formatting import moscow_today

BATCH = 2_000
LAYOUTS = ("seed", "deployed")


# ------------------------------------------------------------------------------------------------ writing
def prefix_of(key: str) -> str:
    return "banner_ad" if key.startswith("banner_ad_") else key.split(":", 1)[0]


def day2_path(out: Path) -> Path:
    """demo.ndjson -> demo.day2.ndjson; demo.csv.gz -> demo.day2.csv.gz."""
    name = out.name
    suffixes = "".join(out.suffixes[-2:]) if out.suffixes[-1:] == [".gz"] else out.suffix
    stem = name[: len(name) - len(suffixes)] if suffixes else name
    return out.with_name(f"{stem}.day2{suffixes}")


def _write_two(records: Iterable[Rec], out1: Path, out2: Path, fmt: str, gzipped: bool,
               counts: tuple[Counter[str], Counter[str]]) -> None:
    """Stream day 1 to `out1` in this thread and day 2 to `out2` in a writer thread: one pass, memory flat."""
    handoff: queue.Queue[list[tuple[str, Any]] | None] = queue.Queue(maxsize=8)
    failure: list[BaseException] = []

    def day2_records() -> Iterator[tuple[str, Any]]:
        while (batch := handoff.get()) is not None:
            yield from batch

    def run_day2() -> None:
        try:
            WRITERS[fmt](out2, day2_records(), gzipped)
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
            while handoff.get() is not None:
                pass

    def day1_records() -> Iterator[tuple[str, Any]]:
        batch: list[tuple[str, Any]] = []
        c1, c2 = counts
        for key, v1, v2 in records:
            if v2 is SAME:
                v2 = v1
            if v2 is not ABSENT:
                batch.append((key, v2))
                c2[prefix_of(key)] += 1
                if len(batch) >= BATCH:
                    handoff.put(batch)
                    batch = []
            if v1 is not ABSENT:
                c1[prefix_of(key)] += 1
                yield key, v1
        handoff.put(batch)

    writer = threading.Thread(target=run_day2, name="demo-day2-writer", daemon=True)
    writer.start()
    try:
        WRITERS[fmt](out1, day1_records(), gzipped)
    finally:
        handoff.put(None)
        writer.join()
    if failure:
        raise failure[0]


def _write_two_ndjson(records: Iterable[Rec], out1: Path, out2: Path, gzipped: bool,
                      counts: tuple[Counter[str], Counter[str]]) -> None:
    """NDJSON (maybe .gz) of both days in one pass: a value the same on both days is encoded once."""
    c1, c2 = counts
    with open_text(out1, gzipped) as f1, open_text(out2, gzipped) as f2:
        lines1: list[str] = []
        lines2: list[str] = []
        for key, v1, v2 in records:
            prefix = prefix_of(key)
            if v1 is not ABSENT:
                line = ndjson_line(key, _stringify(v1)) + "\n"
                lines1.append(line)
                c1[prefix] += 1
                if v2 is SAME:
                    lines2.append(line)
                    c2[prefix] += 1
            if v2 is not SAME and v2 is not ABSENT:
                lines2.append(ndjson_line(key, _stringify(v2)) + "\n")
                c2[prefix] += 1
            if len(lines1) >= BATCH:
                f1.write("".join(lines1))
                lines1 = []
            if len(lines2) >= BATCH:
                f2.write("".join(lines2))
                lines2 = []
        f1.write("".join(lines1))
        f2.write("".join(lines2))


def iter_world(w: World, target_keys: int) -> Iterator[Rec]:
    """The seed, then blocks until the key budget is spent, then the platform-wide lists."""
    from dashboard.demo.deployed_areas import block_records, global_records
    from dashboard.demo.deployed_seed import seed_records

    emitted = 0
    for record in seed_records(w):
        emitted += 1
        yield record
    in_blocks = 0
    # Stop at the block boundary nearest to the target: a block is a few hundred keys.
    while w.block == 0 or emitted + in_blocks / w.block / 2 < target_keys:
        for record in block_records(w):
            emitted += 1
            in_blocks += 1
            yield record
        w.block += 1
    yield from global_records(w)


def build_manifest(w: World, scale: str, out: Path, second: Path, fmt: str, gzipped: bool,
                   counts: tuple[Counter[str], Counter[str]]) -> dict[str, Any]:
    c1, c2 = counts
    return {
        "generator": "dashboard.demo.deployed", "layout": "deployed", "scale": scale, "seed": w.seed,
        "clean": w.clean, "as_of": w.as_of.isoformat(), "snapshot_at": iso(w.snap_ms),
        "window": {"days": WINDOW_DAYS, "first": iso(w.snap_ms - WINDOW_DAYS * DAY_MS), "last": iso(w.snap_ms)},
        "file": out.name, "format": fmt, "gzip": gzipped, "total_keys": sum(c1.values()),
        "keys_by_prefix": dict(sorted(c1.items())), "blocks": w.block, "users": dict(sorted(w.users.items())),
        "statuses": {e: dict(sorted(c.items())) for e, c in sorted(w.statuses.items())},
        "money": {line: {s: num(round(v, 2)) for s, v in sorted(c.items())} for line, c in sorted(w.money.items())},
        "inconsistencies": w.planted,
        "anomalies": w.anomalies,
        "anomalies_not_planted": {} if w.clean else NOT_PLANTED,
        "samples": w.samples,
        "day2": {
            "file": second.name, "as_of": (w.as_of + timedelta(days=1)).isoformat(), "snapshot_at": iso(w.day2_ms),
            "total_keys": sum(c2.values()), "keys_by_prefix": dict(sorted(c2.items())),
            "growth": dict(sorted(w.growth.items())),
            "totals": {day: dict(sorted(t.items())) for day, t in w.totals.items()},
        },
    }


def write_deployed_snapshot(out: Path, scale: str = "small", seed: int = 42, as_of: date | None = None,
                            clean: bool = False) -> dict[str, Any]:
    """Write the deployed-layout snapshot to `out`, its day-2 twin beside it and `<out>.manifest.json`; the
    format comes from the extension as for the seed demo (.ndjson, .json, .csv, .parquet, each maybe .gz).
    Returns the manifest."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = Path(out)
    fmt, gzipped = snapshot_format(out)
    second = day2_path(out)
    w = World(seed, as_of or moscow_today(), clean)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    if fmt == "ndjson":
        _write_two_ndjson(iter_world(w, SCALES[scale]), out, second, gzipped, counts)
    else:
        _write_two(iter_world(w, SCALES[scale]), out, second, fmt, gzipped, counts)
    manifest = build_manifest(w, scale, out, second, fmt, gzipped, counts)
    Path(f"{out}.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
    return manifest
