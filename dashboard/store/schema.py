"""The reference relational model: the platform's 24 planned tables, plus our own bookkeeping tables.

Table and column names and types are those of ``DATABASE_SCHEMA_REFERENCE.md``. Two deliberate differences:
ids are TEXT (real ids are not UUIDs) and every entity row carries ``source_key``, the KV key it came from.
Constraints (PRIMARY KEY, NOT NULL, REFERENCES) are not enforced: the data comes from a schemaless store and
a row with a missing title is still a row the platform shows.
"""

from __future__ import annotations

from dashboard.moderated_entities import moderated_tables

REFERENCE_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "users": (
        ("id", "TEXT"),
        ("email", "VARCHAR(255)"),
        ("username", "VARCHAR(50)"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "profiles": (
        ("id", "TEXT"),
        ("name", "VARCHAR(255)"),
        ("bio", "TEXT"),
        ("avatar_url", "TEXT"),
        ("location", "VARCHAR(255)"),
        ("website", "VARCHAR(255)"),
        ("phone", "VARCHAR(50)"),
        ("socials", "JSONB"),
        ("verified", "BOOLEAN"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "tracks": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("title", "VARCHAR(255)"),
        ("genre", "VARCHAR(100)"),
        ("authors", "VARCHAR(255)"),
        ("cover_url", "TEXT"),
        ("audio_url", "TEXT"),
        ("duration", "INTEGER"),
        ("release_date", "DATE"),
        ("status", "VARCHAR(20)"),
        ("views", "INTEGER"),
        ("likes", "INTEGER"),
        ("plays", "INTEGER"),
        ("is_paid", "BOOLEAN"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "videos": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("title", "VARCHAR(255)"),
        ("description", "TEXT"),
        ("video_url", "TEXT"),
        ("thumbnail_url", "TEXT"),
        ("platform", "VARCHAR(50)"),
        ("duration", "INTEGER"),
        ("status", "VARCHAR(20)"),
        ("views", "INTEGER"),
        ("likes", "INTEGER"),
        ("is_paid", "BOOLEAN"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "concerts": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("title", "VARCHAR(255)"),
        ("description", "TEXT"),
        ("date", "DATE"),
        ("time", "TIME"),
        ("city", "VARCHAR(100)"),
        ("venue", "VARCHAR(255)"),
        ("address", "TEXT"),
        ("type", "VARCHAR(50)"),
        ("banner_url", "TEXT"),
        ("ticket_price_from", "DECIMAL(10,2)"),
        ("ticket_price_to", "DECIMAL(10,2)"),
        ("ticket_link", "TEXT"),
        ("capacity", "INTEGER"),
        ("status", "VARCHAR(20)"),
        ("views", "INTEGER"),
        ("clicks", "INTEGER"),
        ("is_paid", "BOOLEAN"),
        ("is_promoted", "BOOLEAN"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "news": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("title", "VARCHAR(255)"),
        ("content", "TEXT"),
        ("preview", "TEXT"),
        ("cover_image", "TEXT"),
        ("status", "VARCHAR(20)"),
        ("views", "INTEGER"),
        ("likes", "INTEGER"),
        ("comments", "INTEGER"),
        ("is_paid", "BOOLEAN"),
        ("is_promoted", "BOOLEAN"),
        ("published_at", "TIMESTAMPTZ"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "donations": (
        ("id", "TEXT"),
        ("artist_id", "TEXT"),
        ("donor_name", "VARCHAR(255)"),
        ("donor_email", "VARCHAR(255)"),
        ("donor_user_id", "TEXT"),
        ("amount", "DECIMAL(10,2)"),
        ("currency", "VARCHAR(3)"),
        ("message", "TEXT"),
        ("is_anonymous", "BOOLEAN"),
        ("status", "VARCHAR(20)"),
        ("payment_method", "VARCHAR(50)"),
        ("transaction_id", "VARCHAR(255)"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "coins_balance": (
        ("user_id", "TEXT"),
        ("balance", "INTEGER"),
        ("lifetime_earned", "INTEGER"),
        ("lifetime_spent", "INTEGER"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "coins_transactions": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("amount", "INTEGER"),
        ("type", "VARCHAR(50)"),
        ("description", "TEXT"),
        ("related_entity_type", "VARCHAR(50)"),
        ("related_entity_id", "TEXT"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "subscriptions": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("tier", "VARCHAR(20)"),
        ("status", "VARCHAR(20)"),
        ("features", "JSONB"),
        ("limits", "JSONB"),
        ("started_at", "TIMESTAMPTZ"),
        ("expires_at", "TIMESTAMPTZ"),
        ("auto_renew", "BOOLEAN"),
        ("payment_method", "VARCHAR(50)"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "payment_transactions": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("amount", "DECIMAL(10,2)"),
        ("currency", "VARCHAR(3)"),
        ("type", "VARCHAR(50)"),
        ("status", "VARCHAR(20)"),
        ("payment_method", "VARCHAR(50)"),
        ("provider", "VARCHAR(50)"),
        ("provider_transaction_id", "VARCHAR(255)"),
        ("description", "TEXT"),
        ("metadata", "JSONB"),
        ("created_at", "TIMESTAMPTZ"),
        ("completed_at", "TIMESTAMPTZ"),
    ),
    "banner_ads": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("title", "VARCHAR(255)"),
        ("description", "TEXT"),
        ("image_url", "TEXT"),
        ("target_url", "TEXT"),
        ("placement", "VARCHAR(50)"),
        ("priority", "INTEGER"),
        ("status", "VARCHAR(20)"),
        ("budget", "DECIMAL(10,2)"),
        ("spent", "DECIMAL(10,2)"),
        ("impressions", "INTEGER"),
        ("clicks", "INTEGER"),
        ("start_date", "TIMESTAMPTZ"),
        ("end_date", "TIMESTAMPTZ"),
        ("targeting", "JSONB"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "promotion_campaigns": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("name", "VARCHAR(255)"),
        ("type", "VARCHAR(50)"),
        ("target_entity_type", "VARCHAR(50)"),
        ("target_entity_id", "TEXT"),
        ("status", "VARCHAR(20)"),
        ("budget", "DECIMAL(10,2)"),
        ("spent", "DECIMAL(10,2)"),
        ("reach", "INTEGER"),
        ("engagement", "INTEGER"),
        ("conversions", "INTEGER"),
        ("start_date", "TIMESTAMPTZ"),
        ("end_date", "TIMESTAMPTZ"),
        ("settings", "JSONB"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "pitching_submissions": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("content_type", "VARCHAR(20)"),
        ("content_id", "TEXT"),
        ("target_type", "VARCHAR(50)"),
        ("target_name", "VARCHAR(255)"),
        ("message", "TEXT"),
        ("status", "VARCHAR(20)"),
        ("response", "TEXT"),
        ("responded_at", "TIMESTAMPTZ"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "messages": (
        ("id", "TEXT"),
        ("conversation_id", "TEXT"),
        ("sender_id", "TEXT"),
        ("recipient_id", "TEXT"),
        ("content", "TEXT"),
        ("attachments", "JSONB"),
        ("is_read", "BOOLEAN"),
        ("read_at", "TIMESTAMPTZ"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "conversations": (
        ("id", "TEXT"),
        ("participant_1_id", "TEXT"),
        ("participant_2_id", "TEXT"),
        ("last_message", "TEXT"),
        ("last_message_at", "TIMESTAMPTZ"),
        ("unread_count_p1", "INTEGER"),
        ("unread_count_p2", "INTEGER"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "notifications": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("type", "VARCHAR(50)"),
        ("title", "VARCHAR(255)"),
        ("content", "TEXT"),
        ("link", "TEXT"),
        ("is_read", "BOOLEAN"),
        ("read_at", "TIMESTAMPTZ"),
        ("metadata", "JSONB"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "email_subscriptions": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("email", "VARCHAR(255)"),
        ("category", "VARCHAR(50)"),
        ("is_subscribed", "BOOLEAN"),
        ("subscribed_at", "TIMESTAMPTZ"),
        ("unsubscribed_at", "TIMESTAMPTZ"),
    ),
    "email_history": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("recipient_email", "VARCHAR(255)"),
        ("subject", "VARCHAR(500)"),
        ("template_name", "VARCHAR(100)"),
        ("status", "VARCHAR(20)"),
        ("opened", "BOOLEAN"),
        ("opened_at", "TIMESTAMPTZ"),
        ("clicked", "BOOLEAN"),
        ("clicked_at", "TIMESTAMPTZ"),
        ("sent_at", "TIMESTAMPTZ"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "tickets": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("subject", "VARCHAR(255)"),
        ("description", "TEXT"),
        ("category", "VARCHAR(50)"),
        ("priority", "VARCHAR(20)"),
        ("status", "VARCHAR(20)"),
        ("assigned_to", "TEXT"),
        ("messages", "JSONB"),
        ("created_at", "TIMESTAMPTZ"),
        ("updated_at", "TIMESTAMPTZ"),
        ("resolved_at", "TIMESTAMPTZ"),
    ),
    "user_settings": (
        ("user_id", "TEXT"),
        ("notifications_email", "BOOLEAN"),
        ("notifications_push", "BOOLEAN"),
        ("notifications_sms", "BOOLEAN"),
        ("profile_visibility", "VARCHAR(20)"),
        ("show_online_status", "BOOLEAN"),
        ("allow_messages_from", "VARCHAR(20)"),
        ("content_language", "VARCHAR(5)"),
        ("timezone", "VARCHAR(50)"),
        ("marketing_emails", "BOOLEAN"),
        ("marketing_notifications", "BOOLEAN"),
        ("updated_at", "TIMESTAMPTZ"),
    ),
    "payment_methods": (
        ("id", "TEXT"),
        ("user_id", "TEXT"),
        ("type", "VARCHAR(50)"),
        ("provider", "VARCHAR(50)"),
        ("last4", "VARCHAR(4)"),
        ("brand", "VARCHAR(50)"),
        ("expiry_month", "INTEGER"),
        ("expiry_year", "INTEGER"),
        ("is_default", "BOOLEAN"),
        ("is_verified", "BOOLEAN"),
        ("created_at", "TIMESTAMPTZ"),
    ),
    "track_analytics": (
        ("id", "TEXT"),
        ("track_id", "TEXT"),
        ("date", "DATE"),
        ("plays", "INTEGER"),
        ("unique_listeners", "INTEGER"),
        ("likes", "INTEGER"),
        ("shares", "INTEGER"),
        ("downloads", "INTEGER"),
        ("playlist_adds", "INTEGER"),
        ("platform_stats", "JSONB"),
        ("geographic_stats", "JSONB"),
    ),
    "concert_analytics": (
        ("id", "TEXT"),
        ("concert_id", "TEXT"),
        ("date", "DATE"),
        ("views", "INTEGER"),
        ("clicks", "INTEGER"),
        ("ticket_views", "INTEGER"),
        ("share_count", "INTEGER"),
        ("referral_sources", "JSONB"),
    ),
}


# Tables the ingest and the repository own (not part of the reference model).
BOOKKEEPING_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "kv_store": (("key", "TEXT"), ("value", "JSONB")),
    "kv_rejects": (
        ("run_id", "TEXT"),
        ("file", "TEXT"),
        ("record_no", "BIGINT"),
        ("raw", "TEXT"),
        ("reason", "TEXT"),
    ),
    "kv_unmapped": (("key", "TEXT"), ("pattern", "TEXT")),
    "kv_index": (
        ("list_key", "TEXT"),
        ("owner_id", "TEXT"),
        ("position", "INTEGER"),
        ("item_id", "TEXT"),
    ),
    "kv_counters": (("counter_key", "TEXT"), ("owner_id", "TEXT"), ("name", "TEXT"), ("value", "BIGINT")),
    # keys whose value the platform stored as a JSON string holding JSON (JSON.stringify into jsonb)
    "kv_double_encoded": (("key", "TEXT"),),
}



# Content that moderators decide on: the entity row also records the last decision. Read from the catalogue of
# moderated entities, so a new moderated entity is declared there and nowhere else.
MODERATED_TABLES = tuple(t for t in moderated_tables() if t in REFERENCE_TABLES)
MODERATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("moderated_at", "TIMESTAMPTZ"),
    ("moderator", "TEXT"),
    ("reason", "TEXT"),
)

# Tables that survive a re-ingest: history the dashboard itself writes. Ingest's schema step is the only place
# they are created (DuckDB build and PostgreSQL load both run ``create_table_sql`` for each); the moderation write
# path and export-changes never create them, and refuse a store without them with a one-line "re-ingest".
DURABLE_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "ingest_runs": (
        ("id", "TEXT"),
        ("started_at", "TIMESTAMPTZ"),
        ("finished_at", "TIMESTAMPTZ"),
        ("layout", "TEXT"),
        ("files", "JSONB"),
        ("rows_read", "BIGINT"),
        ("rows_loaded", "BIGINT"),
        ("rows_rejected", "BIGINT"),
        ("rows_unmapped", "BIGINT"),
        ("duplicates", "BIGINT"),
        ("table_counts", "JSONB"),
        ("coercion_nulls", "JSONB"),
    ),
    # append-only audit of moderation actions (written by dashboard.moderation)
    "moderation_log": (
        ("id", "TEXT"),
        ("at", "TIMESTAMPTZ"),
        ("actor", "TEXT"),
        ("action", "TEXT"),
        ("entity", "TEXT"),
        ("entity_id", "TEXT"),
        ("source_key", "TEXT"),
        ("from_status", "TEXT"),
        ("to_status", "TEXT"),
        ("reason", "TEXT"),
        ("note", "TEXT"),
        ("batch_id", "TEXT"),
    ),
    # every KV key a logged action changed (for export-changes)
    "kv_changes": (("log_id", "TEXT"), ("at", "TIMESTAMPTZ"), ("key", "TEXT")),
    # data health: each check's count per ingest run (written by dashboard.health), for "change since the last run"
    "health_counts": (("run_id", "TEXT"), ("check_name", "TEXT"), ("found", "BIGINT"), ("recorded_at", "TIMESTAMPTZ")),
    # who may sign in, with which role (written by dashboard.access.accounts, the `users` command)
    "accounts": (("email", "TEXT"), ("role", "TEXT"), ("artist_id", "TEXT"), ("name", "TEXT"), ("disabled", "BOOLEAN"),
                 ("created_at", "TIMESTAMPTZ"), ("updated_at", "TIMESTAMPTZ")),
}

SOURCE_KEY = "source_key"

# KV rows are read and written by key: DuckDB needs this index (PostgreSQL gets a primary key on kv_store.key).
KV_STORE_KEY_INDEX = "CREATE INDEX IF NOT EXISTS kv_store_key ON kv_store (key)"

# Physical order of the big per-owner tables on DuckDB (rows written in this order at ingest): an artist's rows sit
# in a few row groups, so the zone maps of the join's pushed-down id filter skip the rest (issue 13).
PHYSICAL_ORDER: dict[str, tuple[str, ...]] = {
    "track_analytics": ("track_id", "date"),
    "concert_analytics": ("concert_id", "date"),
    "donations": ("artist_id", "created_at"),
    "coins_transactions": ("user_id", "created_at"),
    "payment_transactions": ("user_id", "created_at"),
}

# PostgreSQL indexes behind the artist and revenue queries (created by the PostgreSQL load, after COPY): (table,
# columns). Composite (owner, date) indexes serve "this owner's rows in a period" from the index alone.
PG_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tracks", ("user_id",)), ("tracks", ("id",)), ("tracks", ("status",)), ("videos", ("user_id",)),
    ("videos", ("status",)), ("concerts", ("user_id",)), ("concerts", ("id",)), ("concerts", ("date",)),
    ("news", ("user_id",)), ("news", ("status",)), ("donations", ("artist_id", "created_at")),
    ("donations", ("created_at",)), ("coins_transactions", ("user_id", "created_at")),
    ("coins_transactions", ("created_at",)), ("coins_balance", ("user_id",)),
    ("payment_transactions", ("user_id", "created_at")), ("payment_transactions", ("created_at",)),
    ("subscriptions", ("user_id",)), ("subscriptions", ("created_at",)), ("banner_ads", ("user_id",)),
    ("banner_ads", ("status",)), ("promotion_campaigns", ("user_id",)), ("pitching_submissions", ("user_id",)),
    ("track_analytics", ("track_id", "date")), ("track_analytics", ("date",)),
    ("concert_analytics", ("concert_id", "date")), ("concert_analytics", ("date",)),
    ("notifications", ("user_id",)), ("kv_index", ("list_key",)),
    ("profiles", ("id",)), ("profiles", ("name",)),
)


def sql_type(declared: str, dialect: str) -> str:
    """The column type to declare on ``dialect`` ("duckdb" or "postgresql") for a reference type."""
    if declared == "TIMESTAMPTZ":
        return "TIMESTAMP WITH TIME ZONE"
    if declared == "JSONB" and dialect == "duckdb":
        return "JSON"
    return declared


def entity_columns(table: str) -> tuple[tuple[str, str], ...]:
    """The reference columns of an entity table, then ``source_key``, then for moderated content the last decision."""
    extra = MODERATION_COLUMNS if table in MODERATED_TABLES else ()
    return REFERENCE_TABLES[table] + ((SOURCE_KEY, "TEXT"),) + extra


def table_columns(table: str) -> tuple[tuple[str, str], ...]:
    if table in REFERENCE_TABLES:
        return entity_columns(table)
    if table in BOOKKEEPING_TABLES:
        return BOOKKEEPING_TABLES[table]
    return DURABLE_TABLES[table]


def create_table_sql(table: str, dialect: str, name: str | None = None) -> str:
    cols = ", ".join(f'"{c}" {sql_type(t, dialect)}' for c, t in table_columns(table))
    return f"CREATE TABLE IF NOT EXISTS {name or table} ({cols})"


def replaceable_tables() -> list[str]:
    """Every table whose content one ingest run replaces as a whole."""
    return list(BOOKKEEPING_TABLES) + list(REFERENCE_TABLES)
