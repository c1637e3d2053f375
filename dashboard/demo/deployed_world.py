"""The deployed demo's world: its clock, ids, value encodings and the ``World`` the area writers fill.

Shared by ``deployed`` (the writer), ``deployed_areas`` and ``deployed_seed``, which import it and never each other.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from dashboard.i18n.formatting import MOSCOW

WINDOW_DAYS = 90
DAY_MS = 86_400_000

# Sentinels of a record's value on one of the two days: SAME (day 2 = day 1), ABSENT (no such key that day).
SAME: Any = object()
ABSENT: Any = object()
Rec = tuple[str, Any, Any]  # (key, day-1 value, day-2 value)

# Suspicious activity the demo plants (issue 25; the kinds of dashboard/anomalies), how many of each. play_spike
# is not planted: the deployed layout keeps no daily series with listeners (KEYS.md 2: dailyStats is always empty),
# so a spike cannot be told from a hit there and the check finds nothing.
ANOMALY_PLANTS = {"donation_burst": 3, "self_donation": 2, "coin_farming": 2, "refund_cluster": 2}
NOT_PLANTED = {"play_spike": "the deployed layout keeps no daily series with listeners (analytics:{u}:track:{t} "
                             "holds totals, dailyStats is always empty), so no play spike can be computed"}

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
        # planted suspicious activity: its own random stream, so the rest of the snapshot draws the same numbers
        # with or without it (and with --clean)
        self.anomaly_rng = random.Random(f"anomalies:{seed}")
        self.anomalies: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ("play_spike", *ANOMALY_PLANTS)}
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

    # ------------------------------------------------------------------------------------- suspicious activity
    def wants_anomaly(self, kind: str) -> bool:
        """Whether the artist at hand gets a planted case of ``kind``: never when clean or the kind has its count,
        else one draw in two from the plants' own stream."""
        if self.clean or len(self.anomalies[kind]) >= ANOMALY_PLANTS[kind]:
            return False
        return self.anomaly_rng.random() < 0.5

    @contextmanager
    def planting(self) -> Iterator[None]:
        """Every draw inside (ids, times, amounts) comes from the plants' stream, not the snapshot's."""
        main = self.rng
        self.rng, self._random = self.anomaly_rng, self.anomaly_rng.random
        try:
            yield
        finally:
            self.rng, self._random = main, main.random

    def plant(self, kind: str, **fact: Any) -> bool:
        """Record a planted inconsistency; False (plant nothing) when the demo is clean."""
        if self.clean:
            return False
        self.planted[kind].append(fact)
        return True
