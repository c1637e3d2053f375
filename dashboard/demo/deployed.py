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
"""

from __future__ import annotations

import json
import queue
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dashboard.demo.snapshot import SCALES, WRITERS, ndjson_line, open_text, snapshot_format
from dashboard.i18n.formatting import MOSCOW, moscow_today

WINDOW_DAYS = 90
DAY_MS = 86_400_000
BATCH = 2_000
LAYOUTS = ("seed", "deployed")

# Sentinels of a record's value on one of the two days: SAME (day 2 = day 1), ABSENT (no such key that day).
SAME: Any = object()
ABSENT: Any = object()
Rec = tuple[str, Any, Any]  # (key, day-1 value, day-2 value)

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_B36_PAIRS = [a + b for a in _B36 for b in _B36]  # 1296 two-character strings
_stringify = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def de(obj: Any) -> str:
    """The platform's double encoding: jsonb holding JSON.stringify(obj) (a JSON string)."""
    return _stringify(obj)


def num(x: float) -> int | float:
    """A JavaScript number as JSON.stringify prints it: 250.0 -> 250."""
    return int(x) if float(x).is_integer() else x


_EPOCH = datetime(1970, 1, 1)


def iso(ms: int) -> str:
    """Epoch milliseconds as the platform's ``new Date().toISOString()``: 2026-01-27T15:00:00.203Z."""
    seconds, millis = divmod(ms, 1000)
    return f"{(_EPOCH + timedelta(seconds=seconds)).isoformat()}.{millis:03d}Z"


def day_of(ms: int, offset_days: int = 0) -> str:
    """The Moscow calendar date of a moment (plus days), YYYY-MM-DD."""
    return (datetime.fromtimestamp(ms / 1000, MOSCOW).date() + timedelta(days=offset_days)).isoformat()


class World:
    """Everything the generators share: the random streams, the clock, the running tallies and the plants."""

    def __init__(self, seed: int, as_of: date, clean: bool) -> None:
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self.grow = random.Random(f"{seed}/day2")  # day-2 growth: its own stream
        self.seed = seed
        self.clean = clean
        self.as_of = as_of
        self.snapshot_at = datetime.combine(as_of, time(0), MOSCOW)
        self.snap_ms = int(self.snapshot_at.timestamp() * 1000)
        self.day2_ms = self.snap_ms + DAY_MS
        self.used_ms: set[int] = set()
        self.block = 0
        self.station_no = 0
        self.dj_no = 8  # the seed has dj-1..8
        self.staff = [self.uuid() for _ in range(3)]
        self.track_test_ids: list[str] = []
        self.staff_conversations: list[str] = []
        self.content_orders: dict[str, list[str]] = {}
        self.dj_ids: list[str] = []
        self.expert_work: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.statuses: dict[str, Counter[str]] = {}
        self.money: dict[str, Counter[str]] = {}
        self.growth: Counter[str] = Counter()
        self.totals: dict[str, Counter[str]] = {"day1": Counter(), "day2": Counter()}
        self.users: Counter[str] = Counter()
        self.planted: dict[str, list[dict[str, Any]]] = {
            "orphan_ticket_messages": [], "orphan_analytics": [], "guest_payments": [], "coin_balance_drift": []}
        self.samples: dict[str, Any] = {}
        self._picks: dict[int, tuple[Any, list[Any], list[float]]] = {}

    # ------------------------------------------------------------------------------------------ ids and time
    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def b36(self, n: int = 9, rng: random.Random | None = None) -> str:
        bits = (rng or self.rng).getrandbits(11 * (n + 1) // 2)
        text = "".join([_B36_PAIRS[(bits >> (11 * i)) % 1296] for i in range((n + 1) // 2)])
        return text[:n]

    def ms_id(self, ms: int) -> str:
        """The platform's id: {epochMs}-{9 base36}."""
        return f"{ms}-{self.b36()}"

    def ago(self, low_days: float, high_days: float) -> int:
        """A moment (epoch ms) between low and high days before snapshot_at."""
        return self.snap_ms - int((low_days + (high_days - low_days) * self._random()) * DAY_MS) - self.randrange(1000)

    def in_window(self) -> int:
        return self.ago(0.02, WINDOW_DAYS)

    def after(self, ms: int, low_h: float, high_h: float, limit: int | None = None) -> int:
        # a few ms of room: callers stamp +1, +2 … ms after a moment (createdAt, updatedAt)
        return min(ms + int(self.rng.uniform(low_h, high_h) * 3_600_000), (limit or self.snap_ms) - 10)

    def unique_ms(self, ms: int) -> int:
        """A moment no other `unique_ms` caller got (for ids that are the timestamp alone: TKT-{ms})."""
        while ms in self.used_ms:
            ms += 1
        self.used_ms.add(ms)
        return ms

    # Fast draws (random() scaled): about twice as fast as Random.choice/randrange, and as deterministic.
    def choice(self, seq: Any) -> Any:
        return seq[int(self._random() * len(seq))]

    def randrange(self, low: int, high: int | None = None) -> int:
        if high is None:
            low, high = 0, low
        return low + int(self._random() * (high - low))

    def randint(self, low: int, high: int) -> int:
        return low + int(self._random() * (high - low + 1))

    def pick(self, options: tuple[tuple[Any, float], ...]) -> Any:
        """One of the options by weight (options are constant tuples: their cumulative weights are cached)."""
        cached = self._picks.get(id(options))
        if cached is None or cached[0] is not options:
            total = 0.0
            cumulative = []
            for _, weight in options:
                total += weight
                cumulative.append(total)
            cached = self._picks[id(options)] = (options, [o for o, _ in options], cumulative)
        return self.rng.choices(cached[1], cum_weights=cached[2])[0]

    # ----------------------------------------------------------------------------------------------- tallies
    def status(self, entity: str, value: str) -> str:
        counts = self.statuses.get(entity)
        if counts is None:
            counts = self.statuses[entity] = Counter()
        counts[value] += 1
        return value

    def paid(self, line: str, status: str, amount: float) -> None:
        sums = self.money.get(line)
        if sums is None:
            sums = self.money[line] = Counter()
        sums[status] += amount

    def plant(self, kind: str, **fact: Any) -> bool:
        """Record a planted inconsistency; False (plant nothing) when the demo is clean."""
        if self.clean:
            return False
        self.planted[kind].append(fact)
        return True


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
