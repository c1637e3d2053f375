"""Claims on queue items and undoing one's own decisions, on both engines (issue 23).

Claims are rows of the durable ``moderation_claims`` table: two sessions claiming one item at the same moment get
one holder between them; a claim ends with its expiry, the holder's next item or a release; it never blocks a
decision. An undo of my own decision names the decision (its log id): it applies only while nobody decided the item
since, also when another moderator's decision races with it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.moderation import claims, rules, service
from dashboard.store.connect import Store
from tests.data import ARTIST
from tests.sql import rows, scalar
from tests.together import at_once

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
T1 = f"tracks\ttracks:{ARTIST}:t1\tt1"
V1 = f"videos\tvideos:{ARTIST}:v1\tv1"


def test_a_claim_shows_to_others_ends_when_its_holder_moves_on_and_expires(seed_store: Store) -> None:
    mine = claims.claim(seed_store, T1, "session-a", "Ирина", now=NOW, seconds=300)
    assert (mine.holder, mine.actor, mine.expires_at) == ("session-a", "Ирина", NOW + dt.timedelta(seconds=300))
    theirs = claims.claim(seed_store, T1, "session-b", "Борис", now=NOW + dt.timedelta(seconds=10))
    assert theirs.holder == "session-a"  # Ирина has it: Борис gets her claim back, and holds nothing
    assert set(claims.active(seed_store, now=NOW + dt.timedelta(seconds=10))) == {T1}
    assert claims.others(claims.active(seed_store, now=NOW), "session-b")[T1].actor == "Ирина"
    claims.claim(seed_store, V1, "session-a", "Ирина", now=NOW + dt.timedelta(seconds=20))  # she moves on
    assert set(claims.active(seed_store, now=NOW + dt.timedelta(seconds=20))) == {V1}
    assert claims.claim(seed_store, T1, "session-b", "Борис", now=NOW + dt.timedelta(seconds=30)).holder == "session-b"
    # at its expiry a claim is over: V1 is free for anyone
    later = NOW + dt.timedelta(seconds=20 + 301)
    assert V1 not in claims.active(seed_store, now=later)
    assert claims.claim(seed_store, V1, "session-b", "Борис", now=later).holder == "session-b"
    claims.release(seed_store, "session-b")
    assert claims.active(seed_store, now=later) == {}


def test_two_sessions_claiming_at_once_get_one_holder(seed_store: Store) -> None:
    for round_no in range(3):
        at = NOW + dt.timedelta(minutes=10 * round_no)
        ref = [T1, V1, T1][round_no]
        got = at_once(lambda r=ref, t=at: claims.claim(seed_store, r, "session-a", "Ирина", now=t),
                      lambda r=ref, t=at: claims.claim(seed_store, r, "session-b", "Борис", now=t))
        assert got[0].holder == got[1].holder, got  # both see the same winner
        held = rows(seed_store, "SELECT holder FROM moderation_claims WHERE entity_id = :i AND expires_at > :t",
                    i=ref.split("\t")[2], t=at)
        assert [h for (h,) in held] == [got[0].holder]
        claims.release(seed_store, "session-a")
        claims.release(seed_store, "session-b")


def test_a_claim_never_blocks_a_decision(seed_store: Store) -> None:
    claims.claim(seed_store, T1, "session-a", "Ирина", now=NOW)
    item = service.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")
    out = service.decide(seed_store, [item], "approve", "Борис", item_notes={item: "claimed by Ирина"})[0]
    assert out.applied
    assert rows(seed_store, "SELECT actor, note FROM moderation_log") == [("Борис", "claimed by Ирина")]


def item(entity: str = "tracks", entity_id: str = "t1", seen: str | None = None) -> service.Item:
    prefix = {"tracks": "tracks", "videos": "videos"}[entity]
    return service.Item(entity, entity_id, f"{prefix}:{ARTIST}:{entity_id}", seen)


def decision(store: Store, actor: str, action: str = "approve", seen: str = "pending", reversal: bool = False,
             what: tuple[str, str] = ("tracks", "t1")) -> service.Outcome:
    return service.decide(store, [item(*what, seen=seen)], action, actor,
                          reason="Дубликат" if action == "reject" else None, allow_reversal=reversal)[0]


def undo_mine(store: Store, log_id: str, actor: str = "Ирина", now: dt.datetime | None = None,
              what: tuple[str, str] = ("tracks", "t1")) -> service.Outcome:
    return service.undo(store, item(*what), actor, decision=log_id, own_within=rules.UNDO_WINDOW, now=now)


def test_my_decision_of_the_last_hour_is_undone_unless_someone_decided_since(seed_store: Store) -> None:
    first = decision(seed_store, "Ирина")
    assert first.log_id
    with pytest.raises(service.NotUndoable, match="Ирина's, not Борис's"):
        undo_mine(seed_store, first.log_id, actor="Борис")
    with pytest.raises(service.NotUndoable, match="older than 60 minutes"):
        undo_mine(seed_store, first.log_id, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    # Борис undoes it and approves again: Ирина's decision is no longer the item's latest
    service.undo(seed_store, item(), "Борис")
    decision(seed_store, "Борис")
    out = undo_mine(seed_store, first.log_id)
    assert not out.applied and out.decided_by == "Борис" and "decided since by Борис" in out.message
    assert scalar(seed_store, "SELECT status FROM tracks WHERE id = 't1'") == "approved"
    assert scalar(seed_store, "SELECT COUNT(*) FROM moderation_log") == 3
    # his decision is his to undo, through the same write path (the log says which decision it undid)
    latest = str(scalar(seed_store, "SELECT id FROM moderation_log WHERE actor = 'Борис' AND action = 'approve'"))
    assert undo_mine(seed_store, latest, actor="Борис").applied
    assert scalar(seed_store, "SELECT status FROM tracks WHERE id = 't1'") == "pending"
    assert scalar(seed_store, 'SELECT note FROM moderation_log ORDER BY "at" DESC, id DESC LIMIT 1') == \
        f"undo of {latest}"


@pytest.mark.parametrize("what", [("tracks", "t1"), ("tracks", "t2"), ("videos", "v1")])
def test_an_undo_racing_another_moderators_decision_lets_exactly_one_through(seed_store: Store,
                                                                             what: tuple[str, str]) -> None:
    """Ирина undoes her approval while Борис reverses it to a rejection, at the same moment: one of them applies,
    the other is refused as a conflict naming the winner, and the log holds exactly one more entry."""
    mine = decision(seed_store, "Ирина", what=what)
    assert mine.applied and mine.log_id
    undone, reversed_ = at_once(lambda: undo_mine(seed_store, mine.log_id or "", what=what),
                                lambda: decision(seed_store, "Борис", "reject", seen="approved", reversal=True,
                                                 what=what))
    assert [undone.applied, reversed_.applied].count(True) == 1, (undone, reversed_)
    loser = reversed_ if undone.applied else undone
    assert loser.kind == "conflict" and loser.decided_by == ("Ирина" if undone.applied else "Борис")
    log = rows(seed_store, 'SELECT action, actor FROM moderation_log ORDER BY "at", id')
    assert log == [("approve", "Ирина"), ("undo", "Ирина") if undone.applied else ("reject", "Борис")]
    table = "tracks" if what[0] == "tracks" else "videos"
    assert scalar(seed_store, f"SELECT status FROM {table} WHERE id = :i", i=what[1]) == \
        ("pending" if undone.applied else "rejected")
