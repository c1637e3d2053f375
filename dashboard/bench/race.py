"""Races of ``moderate`` against ``ingest`` (issue 11): a decision made while an ingest runs is never lost.

Each race starts an ingest of the store's own snapshot in a process, waits until it holds the store, waits a
random part of the ingest's expected duration, then runs ``moderate --action approve`` on a different pending
track in another process. Every decision that exited 0 must be in the final store (its log row, and the track
in the status the decision set); every other exit must be 5 with "ingest in progress, try again".
Used by ``python -m dashboard bench race`` (full size) and by tests/test_ingest_race.py (small, widened window).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard.store.connect import INGEST_BUSY, Store, engine, ingest_in_progress

EXIT_BUSY = 5


@dataclass
class Race:
    track_id: str
    delay: float
    write_wait: float
    exit_code: int = -1
    message: str = ""
    moderate_seconds: float = 0.0
    ingest_seconds: float = 0.0
    ingest_exit: int = -1
    in_final_store: bool | None = None


@dataclass
class RaceReport:
    races: list[Race] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(r.exit_code == 0 for r in self.races)

    @property
    def refused(self) -> int:
        return sum(r.exit_code == EXIT_BUSY and INGEST_BUSY in r.message for r in self.races)

    @property
    def lost(self) -> list[Race]:
        """Decisions that exited 0 but are not in the final store."""
        return [r for r in self.races if r.exit_code == 0 and not r.in_final_store]

    @property
    def undocumented(self) -> list[Race]:
        return [r for r in self.races if r.exit_code not in (0, EXIT_BUSY)
                or (r.exit_code == EXIT_BUSY and INGEST_BUSY not in r.message) or r.ingest_exit != 0]

    def lines(self) -> list[str]:
        ingest = sorted(r.ingest_seconds for r in self.races)
        mod = sorted(r.moderate_seconds for r in self.races if r.exit_code == 0)
        out = [f"{len(self.races)} races: {self.applied} decisions applied (exit 0), {self.refused} refused "
               f"(exit 5, {INGEST_BUSY!r}), {len(self.lost)} lost, {len(self.undocumented)} other exits",
               f"  ingest wall: median {ingest[len(ingest) // 2]:.1f} s, max {ingest[-1]:.1f} s"]
        if mod:
            out.append(f"  moderate wall when applied (process start to exit, incl. waiting for the ingest): "
                       f"median {mod[len(mod) // 2]:.1f} s, max {mod[-1]:.1f} s")
        for r in self.lost + self.undocumented:
            out.append(f"  track {r.track_id}: exit {r.exit_code} ({r.message}), ingest exit {r.ingest_exit}")
        return out


def pending_tracks(store: Store, n: int) -> list[str]:
    with engine(store).connect() as conn:
        found = conn.execute(sa.text("SELECT id FROM tracks WHERE status = 'pending' GROUP BY id "
                                     "HAVING COUNT(*) = 1 ORDER BY id LIMIT :n"), {"n": n}).scalars().all()
    if len(found) < n:
        raise RuntimeError(f"{store.label()} has only {len(found)} pending tracks for {n} races")
    return [str(i) for i in found]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_races(store: Store, snapshot: Path, races: int, window: float, write_waits: tuple[float, ...] = (10.0,),
              hold: float = 0.0, seed: int = 11, say: Callable[[str], None] = print) -> RaceReport:
    """``races`` races; the decision starts 0..``window`` s after the ingest holds the store. ``hold`` widens the
    ingest's last moment before the swap (PROMO_INGEST_HOLD_SECONDS)."""
    rng = random.Random(seed)
    report = RaceReport()
    tracks = pending_tracks(store, races)
    for i, track in enumerate(tracks):
        race = Race(track, rng.uniform(0, window), write_waits[i % len(write_waits)])
        t0 = time.perf_counter()
        ingest = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "ingest", str(snapshot), "--db", store.name],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=_env(PROMO_INGEST_HOLD_SECONDS=str(hold)))
        while not ingest_in_progress(store) and ingest.poll() is None:
            time.sleep(0.01)
        time.sleep(race.delay)
        m0 = time.perf_counter()
        mod = subprocess.run(
            [sys.executable, "-m", "dashboard", "moderate", "--db", store.name, "--entity", "tracks",
             "--id", track, "--action", "approve", "--actor", f"race-{i}"],
            capture_output=True, text=True, check=False, env=_env(PROMO_WRITE_WAIT=str(race.write_wait)))
        race.moderate_seconds = time.perf_counter() - m0
        race.exit_code = mod.returncode
        race.message = (mod.stdout + mod.stderr).strip()
        _, err = ingest.communicate()
        race.ingest_exit = ingest.returncode
        race.ingest_seconds = time.perf_counter() - t0
        if ingest.returncode != 0:
            race.message += f" | ingest: {err.strip().splitlines()[-1:]}"
        report.races.append(race)
        verify(store, race)  # the next race's ingest of the same snapshot resets the track: check it now
        say(f"  race {i + 1}/{races}: decision after {race.delay:.2f} s -> exit {race.exit_code} "
            f"({race.message[:80]}); ingest {race.ingest_seconds:.1f} s")
    return report


def verify(store: Store, race: Race) -> None:
    """An applied decision: its log row is in the store the ingest left and the track has the status it set.
    A refused one left nothing: no log row, the track still pending."""
    with engine(store).connect() as conn:
        log = conn.execute(sa.text("SELECT to_status FROM moderation_log WHERE entity = 'tracks' "
                                       "AND entity_id = :i AND action = 'approve'"), {"i": race.track_id}).fetchall()
        status = conn.execute(sa.text("SELECT status FROM tracks WHERE id = :i"), {"i": race.track_id}).scalar()
        if race.exit_code == 0:
            race.in_final_store = len(log) == 1 and status == log[0][0]
        else:
            race.in_final_store = not log and status == "pending"


def summary(report: RaceReport) -> dict[str, Any]:
    return {"races": len(report.races), "applied": report.applied, "refused": report.refused,
            "lost": len(report.lost), "undocumented": len(report.undocumented)}
