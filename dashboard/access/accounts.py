"""Accounts: who may sign in and with which role. A table in the store (``accounts``), kept across re-ingests like
the audit log, written only here (the ``users`` command) and read by the app through ``queries/``.

One account per email (stored lower-case). Writes are serialized: a PostgreSQL advisory lock held for the
transaction (so two replicas or two ``users`` commands take turns), a process lock on DuckDB (another process
cannot open the file at all while one writes). So two concurrent ``add`` of one email give one account and one
"already exists"; an ``add`` racing a ``disable`` ends either disabled or not found, never as a broken row.

Ingests and syncs: on DuckDB an ingest copies the accounts from the old file into the new one and then replaces the
file, so an account written in between would be undone. Every account write therefore takes the store's write
lock, as a decision does (``store_write_lock``: shared, while an ingest holds it exclusively): it waits for a running
ingest (up to PROMO_WRITE_WAIT seconds, then "ingest in progress, try again", nothing written) and lands in the new
file. On PostgreSQL the swap replaces only the loaded tables and the accounts table stays where it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.access.identity import ROLES
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError, describe_connect_error, store_write_lock
from dashboard.store.queries import read_engine

TABLE = "accounts"
MAX_EMAIL = 254
MAX_NAME = 200
_EMAIL = re.compile(r"[^@\s<>\"'`]+@[^@\s<>\"'`]+\.[^@\s<>\"'`.]+")
_ARTIST_ID = re.compile(r"[^\s:]{1,200}")
_PG_LOCK_KEY = 84730125  # pg_advisory_xact_lock key of the accounts write path
_DUCKDB_LOCK = threading.Lock()
_ON = ("1", "true", "yes", "on")


class AccountError(Exception):
    """A bad account request (malformed email, unknown role, artist without an id); one line for the user."""


class AccountExists(Exception):
    """``add`` of an email that already has an account."""


class AccountNotFound(Exception):
    """``disable``/``enable``/``remove`` of an email that has no account."""


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    artist_id: str | None = None
    name: str = ""
    disabled: bool = False

    def line(self) -> str:
        """The account in one line, as ``users list`` prints it."""
        parts = [self.email, self.role]
        if self.artist_id:
            parts.append(f"artist={self.artist_id}")
        if self.name:
            parts.append(f"name={self.name}")
        parts.append("disabled" if self.disabled else "active")
        return "  ".join(parts)


def auto_map_artists(env: Mapping[str, str] = os.environ) -> bool:
    """``PROMO_AUTO_ARTIST_BY_EMAIL=1``: a signed-in person with no account whose *verified* email equals the
    platform's ``users.email`` of an artist is that artist. Off by default (see the README's Sign-in section)."""
    return env.get("PROMO_AUTO_ARTIST_BY_EMAIL", "").strip().lower() in _ON


def normalize_email(email: str) -> str:
    """The account key: trimmed and lower-case. Raises AccountError for anything that is not one plain address."""
    text = (email or "").strip().lower()
    if not text:
        raise AccountError("an email is required")
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        raise AccountError(f"not an email address: {email.strip()[:80]!r}")
    return text


def new_account(email: str, role: str, artist_id: str | None = None, name: str | None = None) -> Account:
    """A validated account: an artist has exactly one artist id, staff have none."""
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    artist = (artist_id or "").strip() or None
    if role == "artist" and not artist:
        raise AccountError("an artist account needs --artist-id (the artist's platform user id)")
    if role != "artist" and artist:
        raise AccountError(f"a {role} account has no artist id (drop --artist-id)")
    if artist and not _ARTIST_ID.fullmatch(artist):
        raise AccountError(f"not an artist id: {artist[:80]!r}")
    display = " ".join((name or "").split())
    if len(display) > MAX_NAME:
        raise AccountError(f"the name is longer than {MAX_NAME} characters")
    return Account(email=normalize_email(email), role=role, artist_id=artist, name=display)


def account_from_row(row: Mapping[str, object]) -> Account:
    artist, name, disabled = row.get("artist_id"), row.get("name"), row.get("disabled")
    # NULL arrives as None or NaN; a flag that is not plainly false counts as disabled (fail closed)
    return Account(email=str(row["email"]), role=str(row["role"]),
                   artist_id=artist if isinstance(artist, str) and artist else None,
                   name=name if isinstance(name, str) else "", disabled=not (disabled is not None and not disabled))


# ---------------------------------------------------------------- the write path


@contextmanager
def _duckdb_write(store: Store) -> Iterator[None]:
    """The store's write lock (excludes ingests; raises StoreBusy after the write wait), then this process's turn.
    The store file is opened only after both are held, so a write that waited for an ingest goes into the new file."""
    read_engine(store)  # a missing store is "no such store", without leaving a lock file next to it
    with store_write_lock(store), _DUCKDB_LOCK:
        yield


@contextmanager
def _write(store: Store) -> Iterator[sa.Connection]:
    """One account transaction; every account write of every process and replica takes its turn, and none runs
    while an ingest or sync replaces a DuckDB store (see the module docstring)."""
    lock = _duckdb_write(store) if not store.is_postgres else contextlib.nullcontext()
    with lock:
        try:
            with read_engine(store).connect() as conn, conn.begin():
                if store.is_postgres:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                conn.execute(sa.text(schema.create_table_sql(TABLE, store.dialect)))
                yield conn
        except sa.exc.DBAPIError as exc:
            raise StoreError(describe_connect_error(store, exc)) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_account(store: Store, account: Account) -> Account:
    """Create the account. Raises AccountExists when the email has one (change it with remove, then add)."""
    with _write(store) as conn:
        found = conn.execute(sa.text(f"SELECT count(*) FROM {TABLE} WHERE email = :e"), {"e": account.email})
        if int(found.scalar() or 0):
            raise AccountExists(f"{account.email}: an account already exists (remove it first to change it)")
        now = _now()
        conn.execute(sa.text(f"INSERT INTO {TABLE} (email, role, artist_id, name, disabled, created_at, updated_at) "
                             "VALUES (:e, :r, :a, :n, FALSE, :t, :t)"),
                     {"e": account.email, "r": account.role, "a": account.artist_id, "n": account.name or None,
                      "t": now})
    return account


def set_disabled(store: Store, email: str, disabled: bool) -> bool:
    """Disable (or enable) the account. Returns False when it already was. Raises AccountNotFound."""
    key = normalize_email(email)
    with _write(store) as conn:
        row = conn.execute(sa.text(f"SELECT disabled FROM {TABLE} WHERE email = :e"), {"e": key}).fetchone()
        if row is None:
            raise AccountNotFound(f"{key}: no such account")
        if bool(row[0]) == disabled:
            return False
        conn.execute(sa.text(f"UPDATE {TABLE} SET disabled = :d, updated_at = :t WHERE email = :e"),
                     {"d": disabled, "t": _now(), "e": key})
    return True


def remove_account(store: Store, email: str) -> None:
    """Delete the account. Raises AccountNotFound."""
    key = normalize_email(email)
    with _write(store) as conn:
        gone = conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE email = :e"), {"e": key})
        if not gone.rowcount:
            raise AccountNotFound(f"{key}: no such account")


def list_accounts(store: Store) -> list[Account]:
    from dashboard.store.queries import run_query

    with _write(store):  # creates the table on a store that has none yet (an empty list, not an error)
        pass
    return [account_from_row(r) for r in run_query(store, "accounts_all").to_dict("records")]
