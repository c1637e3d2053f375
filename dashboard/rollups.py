"""Rollups (issue 21): small tables built with the store, which the store-wide pages read instead of scanning the
entity tables, and which never drift from what they summarise.

- ``pending_rollup``: every item waiting for a decision, the rows of ``queries/shared/pending_base.sql`` (the one
  definition over the 12 moderated entities' tables) for the statuses the store's layout calls pending. The queue,
  its summary and age bands and the artist pages' pending items read it (``queries/shared/pending.sql``).
- ``revenue_daily`` and ``revenue_artist_daily``: the revenue lines (``queries/shared/revenue_lines.sql``, a union of
  fifteen tables with their links) summed per Moscow day and the columns Revenue groups by, and per day and payer.
  Revenue's headline, streams, methods, currencies, timeline, data range and artists read them.

They are kept in step, always inside the transaction of the write that changes what they summarise:

- every ingest and sync build: ``build_all`` (a durable append, ``dashboard.ingest.derived``), in the same load and
  swap as the tables they summarise, on both engines;
- a decision or an undo (``dashboard.moderation.unit_of_work``): ``refresh_pending_for_key`` for the item's key(s);
  for the moderated tables that are revenue lines too (banners, publish orders, track tests), ``revenue_out`` takes
  the key's lines out of their groups before the row changes and ``revenue_in`` adds them back after (one row per
  group always; a group left with no line is dropped). A moderated row's line depends on that row alone, so this
  is exact;
- an incremental sync batch (``dashboard.sync.feed``) and a conflict's refresh of keys from the platform
  (``dashboard.sync.refresh``): the pending rows of the changed keys; the revenue rollups are built again whole when
  the batch changed a revenue table (a payment can decide whether a donation or a subscription is a line of its own,
  so a key's lines are not always its own rows').

A pending row is refreshed by its ``source_key``: every row the key's items give is deleted and made again, so a moved
item (a new key) and an item that left pending both come out right.

The statuses are the catalogue's (``dashboard.moderation.config.pending_params``), written into the SQL as a quoted
literal checked against the catalogue's status alphabet; no value from a user or a snapshot is ever part of the SQL
text (keys, ids and days are bound parameters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from dashboard.i18n.zone import TIMEZONE
from dashboard.moderation.config import entities as entity_names
from dashboard.moderation.config import pending_params
from dashboard.moderation.config import rules as moderation_rules
from dashboard.store.queries import with_includes
from dashboard.store.schema import ROLLUP_TABLES

PENDING = "pending_rollup"
PENDING_COLUMNS: tuple[str, ...] = tuple(c for c, _ in ROLLUP_TABLES[PENDING])
_STATUSES_TEXT = re.compile(r",(?:[A-Za-z0-9_]+:[A-Za-z0-9_-]+,)*")
_COLUMNS = ", ".join(PENDING_COLUMNS)

Execute = Callable[..., Any]


def statuses_literal(layout: str) -> str:
    """The layout's pending statuses (``,tracks:pending,…,``) as a SQL string literal; a text outside the
    catalogue's alphabet (entity names, ``:``, statuses of letters, digits, ``_`` and ``-``) is refused."""
    text = pending_params(layout)["pending_statuses"]
    if not _STATUSES_TEXT.fullmatch(text):
        raise ValueError(f"pending statuses of layout {layout!r} are not plain names: {text[:80]!r}")
    return "'" + text + "'"


def select_pending(layout: str, where: str = "") -> str:
    """SELECT of the rollup's columns from the definition over the entity tables, for ``layout``'s statuses."""
    base = with_includes("-- include: pending_base").replace(":pending_statuses", statuses_literal(layout))
    return f"SELECT {_COLUMNS} FROM (WITH\n{base}\nSELECT * FROM pending_base) AS p{where}"


# PostgreSQL: the transaction lock every change to the rollups outside a build takes first (decisions, undo, a
# conflict's refresh; sync batches and builds already exclude those by the store's ingest lock). Two decisions that
# refresh the same key's pending rows, or merge lines into the same revenue group, would otherwise each delete what
# the other had not committed yet and keep both copies. Decisions on one store are serialized by it, held to their
# commit.
ROLLUP_LOCK = 0x70726F6D6F + 21


def lock_rollups(conn: sa.Connection) -> None:
    """Take the rollups' transaction lock (PostgreSQL; DuckDB's writers are serialized by the store's own lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ROLLUP_LOCK})


def build_pending(execute: Execute, layout: str) -> None:
    """Fill ``pending_rollup`` from the entity tables (an ingest or sync build, before the store goes live).
    ``execute(sql)``: a DuckDB connection's or a psycopg cursor's."""
    execute(f"DELETE FROM {PENDING}")
    execute(f"INSERT INTO {PENDING} ({_COLUMNS}) {select_pending(layout)}")


def pending_for_keys_statements(keys_table: str, layout: str) -> list[str]:
    """The statements that make the rollup's rows of the keys in ``keys_table`` (a table with a column ``key``)
    again from the entity tables (an incremental sync batch, after the keys' entity rows were replaced)."""
    keys = f"(SELECT key FROM {keys_table})"
    return [f"DELETE FROM {PENDING} WHERE source_key IN {keys}",
            f"INSERT INTO {PENDING} ({_COLUMNS}) {select_pending(layout, f' WHERE p.source_key IN {keys}')}"]


def refresh_pending_for_key(conn: sa.Connection, layout: str, source_key: str, table: str | None = None) -> None:
    """The rollup's rows of one KV key made again from the entity tables, on the caller's transaction (a decision,
    an undo, a refresh from the platform). ``table``: only that table's entities (a decision changed one row of it;
    the other branches of the definition are not read)."""
    entities = [e for e in entity_names() if table is None or moderation_rules(e).table == table]
    only = {f"e{n}": e for n, e in enumerate(entities)}
    among = f" AND entity IN ({', '.join(':' + n for n in only)})" if table is not None and only else ""
    conn.execute(sa.text(f"DELETE FROM {PENDING} WHERE source_key = :k{among}"), {"k": source_key, **only})
    where = f" WHERE p.source_key = :k{among.replace('entity', 'p.entity')}"
    conn.execute(sa.text(f"INSERT INTO {PENDING} ({_COLUMNS}) {select_pending(layout, where)}"),
                 {"k": source_key, **only})


# ---------------------------------------------------------------- the artist directory

DIRECTORY = "artist_directory"
# what an artist's row reads: (table, its column naming the artist)
DIRECTORY_SOURCES: tuple[tuple[str, str], ...] = (("tracks", "user_id"), ("videos", "user_id"),
                                                  ("concerts", "user_id"), ("profiles", "id"))
DIRECTORY_USERS = "promo_dir_users"


def directory_select(only: str = "") -> str:
    """SELECT of the directory's rows (artist_id, name, city) from the tables: every user owning a track, a video or
    a concert, with the profile's name (else the id) and location. ``only``: a table whose column ``user_id`` limits
    it to those users (each branch reads them by its owner index)."""
    among = f" AND user_id IN (SELECT user_id FROM {only})" if only else ""
    owners = " UNION ".join(f"SELECT user_id FROM {t} WHERE user_id IS NOT NULL{among}"
                            for t, c in DIRECTORY_SOURCES if c == "user_id")
    return ("SELECT o.user_id AS artist_id, COALESCE(MAX(p.name), o.user_id) AS name, MAX(p.location) AS city "
            f"FROM ({owners}) AS o LEFT JOIN profiles AS p ON p.id = o.user_id GROUP BY o.user_id")


def build_directory(execute: Execute) -> None:
    execute(f"DELETE FROM {DIRECTORY}")
    execute(f"INSERT INTO {DIRECTORY} (artist_id, name, city) {directory_select()}")


def directory_delta_statements(delta: Callable[[str], str | None], keys_table: str,
                               tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to the directory: (before the batch replaces its keys' rows: the users
    its changed rows name, old and new; after: those users' rows made again). Exact: a row reads its user's rows
    only."""
    sources = [(t, c) for t, c in DIRECTORY_SOURCES if t in tables]
    if not sources:
        return [], []
    users = " UNION ".join(f"SELECT c.{c} FROM {_changed_rows(t, keys_table, delta(t))} AS c" for t, c in sources)
    before = [f"DROP TABLE IF EXISTS {DIRECTORY_USERS}",
              f"CREATE TEMP TABLE {DIRECTORY_USERS} AS SELECT DISTINCT user_id FROM ({users}) AS u(user_id) "
              "WHERE user_id IS NOT NULL", f"ANALYZE {DIRECTORY_USERS}"]
    return before, _directory_of_users()


def _directory_of_users() -> list[str]:
    """The directory's rows of the users in DIRECTORY_USERS made again from the tables."""
    return [f"DELETE FROM {DIRECTORY} WHERE artist_id IN (SELECT user_id FROM {DIRECTORY_USERS})",
            f"INSERT INTO {DIRECTORY} (artist_id, name, city) {directory_select(DIRECTORY_USERS)}",
            *_artist_lines_of_users(DIRECTORY_USERS),  # a user who became an artist, or stopped being one
            f"DROP TABLE {DIRECTORY_USERS}"]


def refresh_directory(conn: sa.Connection, users: set[str]) -> None:
    """The directory's rows of ``users`` made again, in the caller's transaction (a refresh of keys from the
    platform: the users its rows named before and after)."""
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {DIRECTORY_USERS}"))
    conn.execute(sa.text(f"CREATE TEMP TABLE {DIRECTORY_USERS} (user_id TEXT)"))
    for user in sorted(users):
        conn.execute(sa.text(f"INSERT INTO {DIRECTORY_USERS} (user_id) VALUES (:u)"), {"u": user})
    for statement in _directory_of_users():
        conn.execute(sa.text(statement))


# ---------------------------------------------------------------- coins per user

COINS = "coins_by_user"
COINS_COLUMNS = ("user_id", "tx_rows", "tx_sum", "tx_earned", "tx_spent", "tx_key", "tx_keys")
COINS_USERS = "promo_coin_users"


def coins_select(where: str = "") -> str:
    """SELECT of the rollup's rows from the coin transactions with an amount, per user (one row for the
    transactions without a user too): how many, their sum, the sum of the positive and of the negative amounts (as
    a positive number), the first key holding them and how many keys do. ``where``: a further filter (alias t)."""
    return ("SELECT t.user_id, COUNT(*) AS tx_rows, CAST(SUM(t.amount) AS BIGINT) AS tx_sum, "
            "CAST(SUM(CASE WHEN t.amount > 0 THEN t.amount ELSE 0 END) AS BIGINT) AS tx_earned, "
            "CAST(SUM(CASE WHEN t.amount < 0 THEN -t.amount ELSE 0 END) AS BIGINT) AS tx_spent, "
            "MIN(t.source_key) AS tx_key, COUNT(DISTINCT t.source_key) AS tx_keys "
            f"FROM coins_transactions AS t WHERE t.amount IS NOT NULL{where} GROUP BY t.user_id")


def coins_build_statements() -> list[str]:
    return [f"DELETE FROM {COINS}", f"INSERT INTO {COINS} ({', '.join(COINS_COLUMNS)}) {coins_select()}"]


def rebuild_coins(conn: sa.Connection) -> None:
    """``coins_by_user`` and ``coins_daily`` built again whole, in the caller's transaction (a refresh of keys from
    the platform)."""
    for statement in [*coins_build_statements(), *coin_flow_build_statements()]:
        conn.execute(sa.text(statement))


def coins_delta_statements(delta: Callable[[str], str | None], keys_table: str,
                           tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to ``coins_by_user``: the rows of the users its coin transactions name
    (before and after; the transactions without a user are one row) made again from those users' transactions
    (PostgreSQL: the (user_id, created_at) index). Exact: a user's row reads that user's transactions only."""
    if "coins_transactions" not in tables:
        return [], []
    changed = _changed_rows("coins_transactions", keys_table, delta("coins_transactions"))
    named = f"(SELECT user_id FROM {COINS_USERS} WHERE user_id IS NOT NULL)"
    no_user = f"EXISTS (SELECT 1 FROM {COINS_USERS} WHERE user_id IS NULL)"
    cols = ", ".join(COINS_COLUMNS)
    return ([f"DROP TABLE IF EXISTS {COINS_USERS}",
             f"CREATE TEMP TABLE {COINS_USERS} AS SELECT DISTINCT c.user_id FROM {changed} AS c",
             f"ANALYZE {COINS_USERS}"],
            [f"DELETE FROM {COINS} WHERE user_id IN {named}",
             f"DELETE FROM {COINS} WHERE user_id IS NULL AND {no_user}",
             f"INSERT INTO {COINS} ({cols}) {coins_select(f' AND t.user_id IN {named}')}",
             f"INSERT INTO {COINS} ({cols}) {coins_select(f' AND t.user_id IS NULL AND {no_user}')}",
             f"DROP TABLE {COINS_USERS}"])


# ---------------------------------------------------------------- donations per day

DONATIONS = "donations_daily"
DONATION_GROUPS: tuple[str, ...] = ("day",)
DONATION_MEASURES: tuple[str, ...] = ("donations", "donations_with_id", "amount_rub")


def donations_select(where: str = "") -> str:
    """SELECT of the rollup's rows from the donations: the completed RUB donations
    (``queries/shared/completed_rub_donations.sql``) per Moscow day: how many, how many with an id, their sum.
    ``where``: a filter on those donations (alias ``d``)."""
    return ("SELECT CAST(d.created_at AS DATE) AS day, COUNT(*) AS donations, COUNT(d.id) AS donations_with_id, "
            "SUM(d.amount) AS amount_rub FROM (WITH\n" + with_includes("-- include: completed_rub_donations")
            + f"\nSELECT * FROM completed_rub_donations) AS d{where} GROUP BY CAST(d.created_at AS DATE)")


def donations_build_statements() -> list[str]:
    cols = ", ".join((*DONATION_GROUPS, *DONATION_MEASURES))
    return [f"SET TimeZone = '{TIMEZONE}'", f"DELETE FROM {DONATIONS}",
            f"INSERT INTO {DONATIONS} ({cols}) {donations_select()}"]


def rebuild_donations(conn: sa.Connection) -> None:
    """``donations_daily`` built again whole, in the caller's transaction (a refresh of keys from the platform)."""
    for statement in donations_build_statements():
        conn.execute(sa.text(statement))


def _own_rows_statements(rollup: str, select: Callable[[str], str], groups: tuple[str, ...],
                         measures: tuple[str, ...], keys_table: str) -> tuple[list[str], list[str]]:
    """A batch's change to a rollup whose every source row counts by its own values alone: the batch's rows summed
    by group before they are replaced (``select(where)`` with the filter on its rows, alias ``d``) and after, and the
    touched groups merged from the difference."""
    mine = f" WHERE d.source_key IN (SELECT key FROM {keys_table})"
    taken, put = f"promo_{rollup}_out", f"promo_{rollup}_in"
    return ([f"SET TimeZone = '{TIMEZONE}'", f"DROP TABLE IF EXISTS {taken}", f"DROP TABLE IF EXISTS {put}",
             f"CREATE TEMP TABLE {taken} AS {select(mine)}"],
            [f"CREATE TEMP TABLE {put} AS {select(mine)}",
             *_merge_statements(rollup, groups, measures, taken, put), f"DROP TABLE {taken}", f"DROP TABLE {put}"])


def donations_delta_statements(keys_table: str, tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to ``donations_daily``: a donation's part depends on its own row only, so
    the batch's donations are summed by day before its rows are replaced and after, and the touched days made
    again from the difference."""
    if "donations" not in tables:
        return [], []
    return _own_rows_statements(DONATIONS, donations_select, DONATION_GROUPS, DONATION_MEASURES, keys_table)


# ---------------------------------------------------------------- coin movements per day

COIN_FLOW = "coins_daily"
COIN_FLOW_GROUPS: tuple[str, ...] = ("day", "kind", "entity")
COIN_FLOW_MEASURES: tuple[str, ...] = ("transactions", "coins")


def coin_flow_select(where: str = "") -> str:
    """SELECT of ``coins_daily``'s rows: the coin transactions with a non-zero amount per Moscow day, kind
    (purchased, spent, returned, earned: as Revenue → Coins names them) and related entity type ('' when none): how
    many and their absolute amounts summed. ``where``: a filter on the transactions (alias ``d``)."""
    kind = ("CASE WHEN d.amount < 0 THEN 'spent' WHEN d.type = 'purchase' THEN 'purchased' "
            "WHEN d.type = 'refund' THEN 'returned' ELSE 'earned' END")
    filtered = (f"{where} AND d.amount IS NOT NULL AND d.amount <> 0" if where
                else " WHERE d.amount IS NOT NULL AND d.amount <> 0")
    return (f"SELECT CAST(d.created_at AS DATE) AS day, {kind} AS kind, COALESCE(d.related_entity_type, '') AS "
            "entity, COUNT(*) AS transactions, CAST(SUM(ABS(d.amount)) AS BIGINT) AS coins "
            f"FROM coins_transactions AS d{filtered} GROUP BY CAST(d.created_at AS DATE), {kind}, "
            "COALESCE(d.related_entity_type, '')")


def coin_flow_build_statements() -> list[str]:
    cols = ", ".join((*COIN_FLOW_GROUPS, *COIN_FLOW_MEASURES))
    return [f"SET TimeZone = '{TIMEZONE}'", f"DELETE FROM {COIN_FLOW}", f"INSERT INTO {COIN_FLOW} ({cols}) "
                                                                        f"{coin_flow_select()}"]


def coin_flow_delta_statements(keys_table: str, tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to ``coins_daily`` (a transaction counts by its own row alone)."""
    if "coins_transactions" not in tables:
        return [], []
    return _own_rows_statements(COIN_FLOW, coin_flow_select, COIN_FLOW_GROUPS, COIN_FLOW_MEASURES, keys_table)


# ---------------------------------------------------------------- data health's orphans

ORPHAN_ANALYTICS = "orphan_analytics_rollup"
ORPHAN_ANALYTICS_COLUMNS = ("artist_id", "kv_key", "kind", "parent_id", "day")
ORPHAN_DONATIONS = "orphan_donations_rollup"
ORPHAN_DONATIONS_COLUMNS = ("artist_id", "kv_key", "item_id", "amount", "currency")
ORPHAN_PARENTS, ORPHAN_KEYS = "promo_orphan_parents", "promo_orphan_keys"
# where a row's orphan state comes from: (table, its column naming a parent, the parent's kind): a change to the
# referring rows or to the parents' own rows can make or end an orphan
ORPHAN_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("track_analytics", "track_id", "track"), ("track_totals", "track_id", "track"), ("tracks", "id", "track"),
    ("concert_analytics", "concert_id", "concert"), ("concerts", "id", "concert"),
    ("donations", "artist_id", "artist"), ("users", "id", "artist"), ("profiles", "id", "artist"),
)
ORPHAN_TABLES = frozenset({t for t, _, _ in ORPHAN_SOURCES} | {"kv_unmapped"})


def _orphan_filter(kind: str, parent: str, key: str, only: bool) -> str:
    """`` AND …``: a row of a parent of ``kind`` (column ``parent``) that a batch touched, or under one of its keys
    (column ``key``); empty for the whole store."""
    if not only:
        return ""
    return (f" AND ({parent} IN (SELECT id FROM {ORPHAN_PARENTS} WHERE kind = '{kind}') "
            f"OR {key} IN (SELECT key FROM {ORPHAN_KEYS}))")


def orphan_analytics_select(only: bool = False) -> str:
    """SELECT of the analytics rows whose track or concert has no record (the rows of
    ``queries/health/health_orphan_analytics.sql``: its header says what each branch reads). The missing ids are
    found first from the id column alone, and only their rows read whole (PostgreSQL: the (id, date) indexes).
    ``only``: the rows of the parents in ORPHAN_PARENTS and of the keys in ORPHAN_KEYS (a sync batch's)."""
    def f(kind: str, parent: str, key: str) -> str:
        return _orphan_filter(kind, parent, key, only)

    split_track = "split_part(u.key, ':', 4)"
    split_summary = "split_part(u.key, ':', 3)"
    return (
        "WITH missing_tracks AS (SELECT DISTINCT a.track_id FROM track_analytics AS a WHERE "
        f"NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = a.track_id){f('track', 'a.track_id', 'a.source_key')}), "
        "missing_concerts AS (SELECT DISTINCT c.concert_id FROM concert_analytics AS c WHERE "
        f"NOT EXISTS (SELECT 1 FROM concerts AS k WHERE k.id = c.concert_id)"
        f"{f('concert', 'c.concert_id', 'c.source_key')}) "
        "SELECT CAST(NULL AS TEXT) AS artist_id, a.source_key AS kv_key, 'track' AS kind, a.track_id AS parent_id, "
        "a.date AS day FROM track_analytics AS a JOIN missing_tracks AS m ON m.track_id = a.track_id "
        "UNION ALL SELECT CAST(NULL AS TEXT), a.source_key, 'track', a.track_id, a.date FROM track_analytics AS a "
        f"WHERE a.track_id IS NULL{f('track', 'a.track_id', 'a.source_key')} "
        "UNION ALL SELECT CAST(NULL AS TEXT), c.source_key, 'concert', c.concert_id, c.date "
        "FROM concert_analytics AS c JOIN missing_concerts AS m ON m.concert_id = c.concert_id "
        "UNION ALL SELECT CAST(NULL AS TEXT), c.source_key, 'concert', c.concert_id, c.date "
        f"FROM concert_analytics AS c WHERE c.concert_id IS NULL{f('concert', 'c.concert_id', 'c.source_key')} "
        "UNION ALL SELECT tt.user_id, tt.source_key, 'track', tt.track_id, CAST(NULL AS DATE) FROM track_totals AS tt "
        "WHERE tt.track_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = tt.track_id)"
        f"{f('track', 'tt.track_id', 'tt.source_key')} "
        f"UNION ALL SELECT split_part(u.key, ':', 2), u.key, 'track', {split_track}, CAST(NULL AS DATE) "
        "FROM kv_unmapped AS u WHERE split_part(u.key, ':', 1) = 'analytics' AND split_part(u.key, ':', 3) = 'track' "
        f"AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = {split_track}){f('track', split_track, 'u.key')} "
        f"UNION ALL SELECT CAST(NULL AS TEXT), u.key, 'track', {split_summary}, CAST(NULL AS DATE) "
        "FROM kv_unmapped AS u WHERE split_part(u.key, ':', 1) = 'analytics' AND split_part(u.key, ':', 2) = 'tracks' "
        f"AND split_part(u.key, ':', 4) = 'summary' AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = "
        f"{split_summary}){f('track', split_summary, 'u.key')}")


def orphan_donations_select(only: bool = False) -> str:
    """SELECT of the donations to an artist that does not exist (``queries/health/health_orphan_donations.sql``):
    artist_id set, but no users row and no profiles row with that id. ``only``: as orphan_analytics_select."""
    return ("SELECT d.artist_id, d.source_key AS kv_key, d.id AS item_id, d.amount, d.currency FROM donations AS d "
            "WHERE d.artist_id IS NOT NULL AND TRIM(d.artist_id) <> '' "
            "AND NOT EXISTS (SELECT 1 FROM users AS u WHERE u.id = d.artist_id) "
            "AND NOT EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = d.artist_id)"
            f"{_orphan_filter('artist', 'd.artist_id', 'd.source_key', only)}")


_ORPHAN_ROLLUPS = ((ORPHAN_ANALYTICS, ORPHAN_ANALYTICS_COLUMNS, orphan_analytics_select),
                   (ORPHAN_DONATIONS, ORPHAN_DONATIONS_COLUMNS, orphan_donations_select))


def orphans_build_statements() -> list[str]:
    out: list[str] = []
    for table, columns, select in _ORPHAN_ROLLUPS:
        out += [f"DELETE FROM {table}", f"INSERT INTO {table} ({', '.join(columns)}) {select()}"]
    return out


def rebuild_orphans(conn: sa.Connection) -> None:
    """The orphan rollups built again whole, in the caller's transaction (a refresh of keys from the platform)."""
    for statement in orphans_build_statements():
        conn.execute(sa.text(statement))


def orphans_delta_statements(delta: Callable[[str], str | None], keys_table: str,
                             tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to the orphan rollups: (before its rows are replaced: the parents its
    changed rows name or are, old and new, by kind, and its keys; after: the rollups' rows of those parents and
    keys made again). Exact: whether a row is an orphan reads the row and its parent's rows only, and every other
    row kept its row and its parent."""
    sources = [(t, c, k) for t, c, k in ORPHAN_SOURCES if t in tables]
    if not sources and "kv_unmapped" not in tables:
        return [], []
    parents = " UNION ".join(f"SELECT '{k}', c.{c} FROM {_changed_rows(t, keys_table, delta(t))} AS c"
                             for t, c, k in sources) or "SELECT CAST(NULL AS TEXT), CAST(NULL AS TEXT)"
    before = [f"DROP TABLE IF EXISTS {ORPHAN_PARENTS}", f"DROP TABLE IF EXISTS {ORPHAN_KEYS}",
              f"CREATE TEMP TABLE {ORPHAN_PARENTS} AS SELECT DISTINCT kind, id FROM ({parents}) AS p(kind, id) "
              "WHERE id IS NOT NULL",
              f"CREATE TEMP TABLE {ORPHAN_KEYS} AS SELECT DISTINCT key FROM {keys_table}",
              f"ANALYZE {ORPHAN_PARENTS}", f"ANALYZE {ORPHAN_KEYS}"]
    after: list[str] = []
    for table, columns, select in _ORPHAN_ROLLUPS:
        kinds = "('track', 'concert')" if table == ORPHAN_ANALYTICS else "('artist')"
        parent = "parent_id" if table == ORPHAN_ANALYTICS else "artist_id"
        kind = "r.kind" if table == ORPHAN_ANALYTICS else "'artist'"
        after += [f"DELETE FROM {table} AS r WHERE r.kv_key IN (SELECT key FROM {ORPHAN_KEYS}) OR EXISTS "
                  f"(SELECT 1 FROM {ORPHAN_PARENTS} AS p WHERE p.kind IN {kinds} AND p.kind = {kind} "
                  f"AND p.id = r.{parent})",
                  f"INSERT INTO {table} ({', '.join(columns)}) {select(only=True)}"]
    return before, [*after, f"DROP TABLE {ORPHAN_PARENTS}", f"DROP TABLE {ORPHAN_KEYS}"]


# ---------------------------------------------------------------- data health's dangling list ids

DANGLING = "dangling_ids_rollup"
DANGLING_COLUMNS = ("artist_id", "kv_key", "item_id", "position", "target")
DANGLING_KEYS, DANGLING_IDS = "promo_dangling_keys", "promo_dangling_ids"
# each kind of list the check reads: (its key's prefix, the table its ids belong to). A list of another kind is not
# checked. One anti-join per kind, each reading only its kind's lists by the key's prefix (PostgreSQL: the
# text_pattern_ops index of schema.PG_EXPRESSION_INDEXES; an underscore is escaped, since in LIKE it matches any
# character) against its own table's ids (issue 21: one anti-join against a union of every table's ids made
# PostgreSQL sort that union once per worker)
DANGLING_LISTS: tuple[tuple[str, str], ...] = (
    ("tracks:", "tracks"), ("videos:", "videos"), ("concerts:", "concerts"), ("news:", "news"),
    ("donations:", "donations"), ("banners:", "banner_ads"), ("promotion:", "promotion_campaigns"),
    ("user_campaigns:", "promotion_campaigns"), ("pitching:", "pitching_submissions"), ("messages:", "conversations"),
    ("conversations:", "conversations"), ("user_conversations:", "conversations"), ("tickets:", "tickets"),
    ("user_tickets:", "tickets"), ("user_notifications:", "notifications"),
)
DANGLING_TARGETS = frozenset(t for _, t in DANGLING_LISTS)
DANGLING_TABLES = DANGLING_TARGETS | {"kv_index"}


def _prefix_match(prefix: str) -> str:
    escaped = prefix.replace("_", "\\_")
    return f"l.list_key LIKE '{escaped}%'" + (" ESCAPE '\\'" if "_" in prefix else "")


def dangling_select(only: str = "", lists: tuple[tuple[str, str], ...] = DANGLING_LISTS) -> str:
    """SELECT of the ids in a list of ``kv_index`` that have no record in the list's table, matched by id (a NULL id
    counts too): the rows of ``queries/health/health_dangling_list_ids.sql``. Each anti-join is a LEFT JOIN … IS
    NULL: PostgreSQL plans it as NOT EXISTS, and DuckDB planned NOT EXISTS as a mark join that hashed the whole
    target table even for a kind with no lists. ``only``: a condition on the list row ``l`` and its kind's table
    (``{target}`` in it is replaced by the table's name as a literal), e.g. the lists and ids a sync batch
    touched; ``lists``: the kinds to read."""
    return " UNION ALL ".join(
        f"SELECT l.owner_id, l.list_key, l.item_id, l.position, '{target}' FROM kv_index AS l "
        f"LEFT JOIN {target} AS r ON r.id = l.item_id WHERE {_prefix_match(prefix)} AND r.id IS NULL"
        + (f" AND ({only.replace('{target}', repr(target))})" if only else "")
        for prefix, target in lists)


def dangling_build_statements() -> list[str]:
    """Empty the rollup and fill it, one kind of list per statement: one hash table of a table's ids at a time (the
    fifteen of one UNION ALL were all held at once, past a build's memory limit of a few tens of MB)."""
    into = f"INSERT INTO {DANGLING} ({', '.join(DANGLING_COLUMNS)}) "
    return [f"DELETE FROM {DANGLING}", *(into + dangling_select(lists=(kind,)) for kind in DANGLING_LISTS)]


def rebuild_dangling(conn: sa.Connection) -> None:
    """The dangling-ids rollup built again whole, in the caller's transaction (a refresh of keys from the
    platform)."""
    for statement in dangling_build_statements():
        conn.execute(sa.text(statement))


def refresh_dangling_for_list(conn: sa.Connection, list_key: str) -> None:
    """The rollup's rows of one list made again (a decision added an id to the list or removed one, and the ids
    after it moved up), in the caller's transaction. Reads that list only: its kind's branch, by the key."""
    kinds = tuple((p, t) for p, t in DANGLING_LISTS if list_key.startswith(p))
    conn.execute(sa.text(f"DELETE FROM {DANGLING} WHERE kv_key = :k"), {"k": list_key})
    if kinds:
        conn.execute(sa.text(f"INSERT INTO {DANGLING} ({', '.join(DANGLING_COLUMNS)}) "
                             f"{dangling_select('l.list_key = :k', kinds)}"), {"k": list_key})


def forget_dangling_id(conn: sa.Connection, table: str, item_id: str) -> None:
    """A record of ``table`` with this id was just made: a list naming the id no longer dangles there."""
    if table in DANGLING_TARGETS:
        conn.execute(sa.text(f"DELETE FROM {DANGLING} WHERE target = :t AND item_id = :id"),
                     {"t": table, "id": item_id})


def dangling_delta_statements(delta: Callable[[str], str | None], keys_table: str,
                              tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to the dangling-ids rollup: (before its rows are replaced: the ids of the
    records its changed rows are or were, by table, and its keys; after: the rollup's rows of those lists and ids
    made again). Exact: whether a listed id dangles reads that list row and its table's rows of that id only."""
    targets = sorted(t for t in DANGLING_TARGETS if t in tables)
    if not targets and "kv_index" not in tables:
        return [], []
    ids = " UNION ".join(f"SELECT '{t}', c.id FROM {_changed_rows(t, keys_table, delta(t))} AS c"
                         for t in targets) or "SELECT CAST(NULL AS TEXT), CAST(NULL AS TEXT)"
    before = [f"DROP TABLE IF EXISTS {DANGLING_IDS}", f"DROP TABLE IF EXISTS {DANGLING_KEYS}",
              f"CREATE TEMP TABLE {DANGLING_IDS} AS SELECT DISTINCT target, id FROM ({ids}) AS i(target, id) "
              "WHERE id IS NOT NULL",
              f"CREATE TEMP TABLE {DANGLING_KEYS} AS SELECT DISTINCT key FROM {keys_table}",
              f"ANALYZE {DANGLING_IDS}", f"ANALYZE {DANGLING_KEYS}"]
    only = (f"l.list_key IN (SELECT key FROM {DANGLING_KEYS}) OR l.item_id IN "
            f"(SELECT id FROM {DANGLING_IDS} WHERE target = {{target}})")
    after = [f"DELETE FROM {DANGLING} AS r WHERE r.kv_key IN (SELECT key FROM {DANGLING_KEYS}) OR EXISTS "
             f"(SELECT 1 FROM {DANGLING_IDS} AS i WHERE i.target = r.target AND i.id = r.item_id)",
             f"INSERT INTO {DANGLING} ({', '.join(DANGLING_COLUMNS)}) {dangling_select(only)}",
             f"DROP TABLE {DANGLING_IDS}", f"DROP TABLE {DANGLING_KEYS}"]
    return before, after


# ---------------------------------------------------------------- revenue

# the tables of the revenue lines (queries/shared/revenue_lines.sql): a change to any of them may change a line
REVENUE_TABLES = frozenset({
    "payment_transactions", "donations", "beat_purchases", "digital_purchases", "service_orders", "contracts",
    "contract_milestones", "bookings", "radio_venue_requests", "track_test_requests", "subscriptions",
    "dj_subscriptions", "publish_orders", "banner_ads", "ticket_sales",
})
# each revenue rollup: (the columns it groups by, its measures); measures are summed by every reader
REVENUE_ROLLUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "revenue_daily": (("day", "stream", "detail", "currency", "status", "payment_method", "provider"),
                      ("lines", "amount", "platform_share", "third_party")),
    "revenue_artist_daily": (("day", "user_id", "stream", "detail", "currency", "status", "payment_method", "provider"),
                             ("lines", "amount", "platform_share", "third_party")),
}
# built first, from the lines; revenue_daily is then summed from it (the union of fifteen tables is read once)
FINEST = "revenue_artist_daily"
_MEASURES = {"lines": "COUNT(*)", "amount": "SUM(amount)", "platform_share": "SUM(platform_share)",
             "third_party": "SUM(third_party)"}


def _lines(where: str = "") -> str:
    return f"(WITH\n{with_includes('-- include: revenue_lines')}\nSELECT * FROM revenue_lines) AS l{where}"


def revenue_select(table: str) -> str:
    """SELECT of ``table``'s rows from the revenue lines: what the rollup holds by definition (its build, and the
    tests that hold it to that)."""
    groups, measures = REVENUE_ROLLUPS[table]
    sums = ", ".join(_MEASURES[m] for m in measures)
    return f"SELECT {', '.join(groups)}, {sums} FROM {_lines()} GROUP BY {', '.join(groups)}"


def _columns(table: str) -> str:
    groups, measures = REVENUE_ROLLUPS[table]
    return ", ".join((*groups, *measures))


def revenue_build_statements() -> list[str]:
    """Empty the revenue rollups and fill them: the finest from the revenue lines, the others summed from it (days
    are Moscow days, whatever the session said before)."""
    out = [f"SET TimeZone = '{TIMEZONE}'", f"DELETE FROM {FINEST}",
           f"INSERT INTO {FINEST} ({_columns(FINEST)}) {revenue_select(FINEST)}"]
    for table, (groups, measures) in REVENUE_ROLLUPS.items():
        if table != FINEST:
            sums = ", ".join(f"SUM({m})" for m in measures)
            out += [f"DELETE FROM {table}", f"INSERT INTO {table} ({_columns(table)}) SELECT {', '.join(groups)}, "
                                            f"{sums} FROM {FINEST} GROUP BY {', '.join(groups)}"]
    return out


def build_all(execute: Execute, layout: str) -> None:
    """Every rollup from the tables just built (an ingest or sync build, before the store goes live). The days are
    Moscow days, as every reader's connection counts them, whatever the build's session said before."""
    build_pending(execute, layout)
    build_directory(execute)
    for statement in [*revenue_build_statements(), *donations_build_statements(), *coins_build_statements(),
                      *coin_flow_build_statements(), *orphans_build_statements(), *dangling_build_statements(),
                      *artist_lines_build_statements()]:
        execute(statement)
    for table in ROLLUP_TABLES:  # planner statistics (PostgreSQL analyzed the other tables before this append)
        execute(f"ANALYZE {table}")


def _merge_lines(conn: sa.Connection, key: str, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the revenue lines of ``key`` to each revenue rollup, group by group: the
    group's one row is replaced by the sum (dropped when no line is left). Work in proportion to the key's lines
    (one or two), not to the rollup; the lines are read once."""
    cols = tuple(dict.fromkeys(c for groups, _ in REVENUE_ROLLUPS.values() for c in groups))
    lines = conn.execute(sa.text(f"SELECT {', '.join(cols)}, amount, platform_share, third_party "
                                 f"FROM {_lines(' WHERE l.source_key = :k')}"), {"k": key}).mappings().fetchall()
    for table, (groups, measures) in REVENUE_ROLLUPS.items():
        summed: dict[tuple[Any, ...], list[Any]] = {}
        for line in lines:
            key_of = tuple(line[c] for c in groups)
            one = [1 if m == "lines" else line[m] for m in measures]
            total = summed.get(key_of, [0] * len(measures))
            summed[key_of] = [t + sign * v for t, v in zip(total, one, strict=True)]
        names = (*groups, *measures)
        for group_values, sums in summed.items():
            # = where the group has a value (PostgreSQL then reads the day's rows by its index), IS NULL where not
            group = {f"g_{c}": v for c, v in zip(groups, group_values, strict=True)}
            match = " AND ".join(f"{c} IS NULL" if v is None else f"{c} = :g_{c}"
                                 for c, v in zip(groups, group_values, strict=True))
            for row in conn.execute(sa.text(f"SELECT {', '.join(measures)} FROM {table} WHERE {match}"), group):
                sums = [a + b for a, b in zip(sums, row, strict=True)]
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {match}"), group)
            if sums[0] != 0:  # lines left in the group
                values = dict(zip(names, [*group_values, *sums], strict=True))
                conn.execute(sa.text(f"INSERT INTO {table} ({', '.join(names)}) "
                                     f"VALUES ({', '.join(':' + c for c in names)})"), values)
    _artist_lines_for(conn, {str(line["user_id"]) for line in lines if line["user_id"] is not None})


def revenue_out(conn: sa.Connection, table: str, key: str) -> bool:
    """Before a moderated row of ``table`` under ``key`` changes: its revenue lines taken out of the rollups, in the
    caller's transaction. False (nothing done) when the table holds no revenue line."""
    if table not in REVENUE_TABLES:
        return False
    _merge_lines(conn, key, -1)
    return True


def revenue_in(conn: sa.Connection, key: str) -> None:
    """After the row changed (``key``: its key now): its lines put back into the rollups."""
    _merge_lines(conn, key, 1)


# A key's revenue lines depend on its own rows and on rows under other keys that link to them (revenue_lines.sql):
# (changed table, the dependent table, the dependent's rows that a changed row decides about). ``c`` is the changed
# rows (old and new), ``x`` the dependent table's rows; each is one semi-join PostgreSQL serves from an index.
_DEPENDENTS: tuple[tuple[str, str, str], ...] = (
    # a track-test payment is no line of its own when a request links it
    ("track_test_requests", "payment_transactions",
     "x.type = 'track_test' AND x.related_entity_id IN (SELECT c.id FROM {c})"),
    ("track_test_requests", "payment_transactions",
     "x.type = 'track_test' AND x.id IN (SELECT c.payment_transaction_id FROM {c})"),
    # a donation is no line of its own when a donation_received payment names it
    ("payment_transactions", "donations",
     "x.transaction_id IN (SELECT c.id FROM {c} WHERE c.type = 'donation_received')"),
    ("payment_transactions", "donations", "x.id IN (SELECT CAST(c.metadata AS JSON) ->> 'donation_id' FROM {c} "
                                          "WHERE c.type = 'donation_received')"),
    # an artist subscription is no line of its own when its user has a subscription payment
    ("payment_transactions", "subscriptions", "x.user_id IN (SELECT c.user_id FROM {c} WHERE c.type = 'subscription')"),
    # a service order paid in milestones is no line of its own; a milestone's line reads its contract
    ("contracts", "service_orders", "x.id IN (SELECT c.order_id FROM {c})"),
    ("contracts", "contract_milestones", "x.contract_id IN (SELECT c.id FROM {c})"),
)
REVENUE_KEYS, REVENUE_OUT, REVENUE_IN = "promo_rev_keys", "promo_rev_out", "promo_rev_in"
_WORK = (REVENUE_KEYS, REVENUE_OUT, REVENUE_IN, "promo_rollup_change", "promo_rollup_new")


def _changed_rows(table: str, keys_table: str, delta: str | None) -> str:
    """A table's rows under the batch's keys, as the store has them now and as the delta has them (the new)."""
    old = f"SELECT * FROM {table} WHERE source_key IN (SELECT key FROM {keys_table})"
    return f"({old} UNION ALL SELECT * FROM {delta})" if delta else f"({old})"


def _key_lines(into: str) -> str:
    """The lines of the keys in REVENUE_KEYS summed by the finest rollup's groups, into a work table."""
    groups, measures = REVENUE_ROLLUPS[FINEST]
    sums = ", ".join(f"{_MEASURES[m]} AS {m}" for m in measures)
    return (f"CREATE TEMP TABLE {into} AS SELECT {', '.join(groups)}, {sums} "
            f"FROM {_lines(f' WHERE l.source_key IN (SELECT key FROM {REVENUE_KEYS})')} GROUP BY {', '.join(groups)}")


def _same_group(groups: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in groups)


def _merge_statements(table: str, groups: tuple[str, ...], measures: tuple[str, ...], taken: str,
                      put: str) -> list[str]:
    """``table``'s rows of the groups the change touches made again: the row now, less the sums taken out (the work
    table ``taken``), plus the sums put back (``put``); a group whose count (the first measure) falls to 0 is
    dropped. The rows are found by day first (PostgreSQL: the day index), then by every group column (NULL matching
    NULL)."""
    cols, sums = ", ".join(groups), ", ".join(f"SUM({m}) AS {m}" for m in measures)
    negated = ", ".join(f"-{m} AS {m}" for m in measures)
    plain = ", ".join(measures)
    match = _same_group(groups, "g", "r")
    touched = [f"r.day IN (SELECT g.day FROM promo_rollup_change AS g WHERE g.day IS NOT NULL) AND EXISTS "
               f"(SELECT 1 FROM promo_rollup_change AS g WHERE {match})",
               f"r.day IS NULL AND EXISTS (SELECT 1 FROM promo_rollup_change AS g WHERE {match})"]
    return [
        f"CREATE TEMP TABLE promo_rollup_change AS SELECT {cols}, {sums} FROM (SELECT {cols}, {negated} FROM "
        f"{taken} UNION ALL SELECT {cols}, {plain} FROM {put}) AS d GROUP BY {cols}",
        f"CREATE TEMP TABLE promo_rollup_new AS SELECT {cols}, {sums} FROM ("
        + " UNION ALL ".join(f"SELECT {cols}, {plain} FROM {table} AS r WHERE {t}" for t in touched)
        + f" UNION ALL SELECT {cols}, {plain} FROM promo_rollup_change) AS d GROUP BY {cols}",
        *(f"DELETE FROM {table} AS r WHERE {t}" for t in touched),
        f"INSERT INTO {table} ({cols}, {plain}) SELECT {cols}, {plain} FROM promo_rollup_new "
        f"WHERE {measures[0]} <> 0",
        "DROP TABLE promo_rollup_change", "DROP TABLE promo_rollup_new",
    ]


ARTIST_LINES = "artist_lines_daily"
ARTIST_LINES_COLUMNS = ("day", "artist_id", "lines", "donations", "donations_net", "platform_net")
ARTIST_LINES_USERS = "promo_artist_line_users"
_RUB_DONE = "r.currency = 'RUB' AND r.status = 'completed'"


def artist_lines_select(where: str = "") -> str:
    """SELECT of ``artist_lines_daily``'s rows: the revenue lines of the directory's artists (revenue_artist_daily's
    rows whose payer, or the artist a donation went to, is in artist_directory) per Moscow day and artist: how many
    lines (any status and currency), how many completed RUB donations received and their sum (donations_net), and
    the completed RUB payments the artist made (platform_net: every other stream). What Revenue → Artists sums per
    artist over a period, without a join to the directory or a test of the stream, currency and status per row.
    ``where``: a further filter (alias ``r``, revenue_artist_daily)."""
    donation = f"r.stream = 'donations' AND {_RUB_DONE}"
    return ("SELECT r.day, r.user_id AS artist_id, CAST(SUM(r.lines) AS BIGINT) AS lines, "
            f"CAST(SUM(CASE WHEN {donation} THEN r.lines ELSE 0 END) AS BIGINT) AS donations, "
            f"CAST(SUM(CASE WHEN {donation} THEN COALESCE(r.amount, 0) ELSE 0 END) AS DECIMAL(18,2)) AS donations_net, "
            f"CAST(SUM(CASE WHEN r.stream = 'donations' THEN 0 WHEN {_RUB_DONE} THEN COALESCE(r.amount, 0) ELSE 0 END) "
            "AS DECIMAL(18,2)) AS platform_net "
            f"FROM {FINEST} AS r WHERE EXISTS (SELECT 1 FROM {DIRECTORY} AS a WHERE a.artist_id = r.user_id){where} "
            "GROUP BY r.day, r.user_id")


def artist_lines_build_statements() -> list[str]:
    return [f"DELETE FROM {ARTIST_LINES}",
            f"INSERT INTO {ARTIST_LINES} ({', '.join(ARTIST_LINES_COLUMNS)}) {artist_lines_select()}"]


def _artist_lines_of_users(users: str) -> list[str]:
    """``artist_lines_daily``'s rows of the users in the work table ``users`` (a column ``user_id``) made again from
    revenue_artist_daily and the directory (PostgreSQL: the user indexes). Exact: an artist's rows read that artist's
    lines and directory row only."""
    return [f"DELETE FROM {ARTIST_LINES} WHERE artist_id IN (SELECT user_id FROM {users})",
            f"INSERT INTO {ARTIST_LINES} ({', '.join(ARTIST_LINES_COLUMNS)}) "
            f"{artist_lines_select(f' AND r.user_id IN (SELECT user_id FROM {users})')}"]


def _artist_lines_for(conn: sa.Connection, users: set[str]) -> None:
    """``artist_lines_daily``'s rows of ``users`` made again, in the caller's transaction (a decision's one or two)."""
    cols = ", ".join(ARTIST_LINES_COLUMNS)
    for user in sorted(users):
        conn.execute(sa.text(f"DELETE FROM {ARTIST_LINES} WHERE artist_id = :u"), {"u": user})
        conn.execute(sa.text(f"INSERT INTO {ARTIST_LINES} ({cols}) {artist_lines_select(' AND r.user_id = :u')}"),
                     {"u": user})


def revenue_delta_statements(delta: Callable[[str], str | None], keys_table: str,
                             tables: set[str]) -> tuple[list[str], list[str]]:
    """An incremental sync batch's change to the revenue rollups, group by group: (the statements to run before the
    batch replaces its keys' rows, the statements to run after). Before: the keys whose lines may change (the
    batch's keys, and the keys of rows that a changed row decides about, found from the rows before and after:
    ``_DEPENDENTS``) and their lines as they are; after: their lines as they are now, and each rollup's touched
    groups made again from the difference. Exact, as the lines of every other key read only rows that did not
    change; the work follows the batch's lines, not the store's (issue 21). ``delta(table)``: where the batch's new
    rows of a table are (None: none); ``keys_table``: the batch's keys (a column ``key``)."""
    if not tables & REVENUE_TABLES:
        return [], []
    found = [f"SELECT key FROM {keys_table}"]
    for changed, dependent, rule in _DEPENDENTS:
        if changed in tables:
            rows = _changed_rows(changed, keys_table, delta(changed))
            found.append(f"SELECT x.source_key FROM {dependent} AS x WHERE {rule.format(c=rows + ' AS c')}")
    before = [f"SET TimeZone = '{TIMEZONE}'", *(f"DROP TABLE IF EXISTS {t}" for t in _WORK),
              f"CREATE TEMP TABLE {REVENUE_KEYS} AS SELECT DISTINCT key FROM ("
              + " UNION ".join(f"SELECT key FROM ({q}) AS k(key)" for q in found) + ") AS k WHERE key IS NOT NULL",
              f"ANALYZE {REVENUE_KEYS}", _key_lines(REVENUE_OUT)]
    after = [_key_lines(REVENUE_IN)]
    for table, (groups, measures) in REVENUE_ROLLUPS.items():
        after += _merge_statements(table, groups, measures, REVENUE_OUT, REVENUE_IN)
    after += [f"DROP TABLE IF EXISTS {ARTIST_LINES_USERS}",
              f"CREATE TEMP TABLE {ARTIST_LINES_USERS} AS SELECT user_id FROM {REVENUE_OUT} WHERE user_id IS NOT NULL "
              f"UNION SELECT user_id FROM {REVENUE_IN} WHERE user_id IS NOT NULL", f"ANALYZE {ARTIST_LINES_USERS}",
              *_artist_lines_of_users(ARTIST_LINES_USERS), f"DROP TABLE {ARTIST_LINES_USERS}"]
    after += [f"DROP TABLE {t}" for t in (REVENUE_KEYS, REVENUE_OUT, REVENUE_IN)]
    return before, after


def rebuild_revenue(conn: sa.Connection) -> None:
    """The revenue rollups built again whole, in the caller's transaction (a refresh of keys from the platform; its
    directory step then makes artist_lines_daily's rows of the users whose directory row changed)."""
    for statement in [*revenue_build_statements(), *artist_lines_build_statements()]:
        conn.execute(sa.text(statement))
