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


# ------------------------------------------------------------------------------------------------ the real platform
# What the platform's deployed code writes beyond the reference model (shared/platform/KEYS.md, issue 18): one table
# per entity, each column as (name, declared type, what it holds). Money in RUB as DECIMAL like the reference tables,
# statuses as VARCHAR with the platform's own values. ``source_key`` is added as for every entity table.
Column = tuple[str, str, str]

PLATFORM_TABLE_SPECS: dict[str, tuple[str, tuple[Column, ...]]] = {
    # ---- marketplace (pmf, KEYS.md §8)
    "beats": ("beat:public:{id}: a beat for sale in the marketplace", (
        ("id", "TEXT", "the beat's id"),
        ("producer_id", "TEXT", "the producer (an artist id) who sells it"),
        ("producer_name", "VARCHAR(255)", "the producer's name as shown"),
        ("title", "VARCHAR(255)", "the beat's title"),
        ("genre", "VARCHAR(100)", "its genre"),
        ("bpm", "INTEGER", "tempo, beats per minute"),
        ("musical_key", "VARCHAR(20)", "musical key (field key)"),
        ("tags", "JSONB", "tags, a list of strings"),
        ("duration", "INTEGER", "length in seconds (the platform writes m:ss)"),
        ("price", "DECIMAL(10,2)", "base (basic licence) price, RUB"),
        ("license_types", "JSONB", "price per licence: basic ×1, premium ×3, exclusive ×10"),
        ("plays", "INTEGER", "plays counted by the marketplace"),
        ("purchases", "INTEGER", "purchases counted by the marketplace"),
        ("rating", "DECIMAL(4,2)", "average rating 0-5"),
        ("status", "VARCHAR(20)", "active | sold"),
        ("created_at", "TIMESTAMPTZ", "when it was listed"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "beat_purchases": ("beat_purchase:{id}: a licence of a beat bought (revenue line beat sale, 10 %)", (
        ("id", "TEXT", "the purchase id"),
        ("beat_id", "TEXT", "the beat bought"),
        ("beat_title", "VARCHAR(255)", "the beat's title at purchase"),
        ("buyer_id", "TEXT", "who bought it"),
        ("producer_id", "TEXT", "who sold it"),
        ("license_type", "VARCHAR(20)", "basic | premium | exclusive"),
        ("price", "DECIMAL(10,2)", "what the buyer paid, RUB"),
        ("commission", "DECIMAL(10,2)", "the platform's commission (10 %), RUB"),
        ("producer_payout", "DECIMAL(10,2)", "what the producer gets, RUB"),
        ("status", "VARCHAR(20)", "completed (created so)"),
        ("created_at", "TIMESTAMPTZ", "when it was bought"),
    )),
    "beat_reviews": ("beat_review:{beat_id}:{id}: a buyer's review of a beat", (
        ("id", "TEXT", "the review id"),
        ("beat_id", "TEXT", "the beat reviewed"),
        ("user_id", "TEXT", "the reviewer"),
        ("rating", "INTEGER", "1-5"),
        ("text", "TEXT", "the review's text"),
        ("created_at", "TIMESTAMPTZ", "when it was written"),
    )),
    "digital_goods": ("digital_good:public:{id}: a sample pack, drum kit, preset… for sale", (
        ("id", "TEXT", "the good's id"),
        ("producer_id", "TEXT", "the seller (an artist id)"),
        ("producer_name", "VARCHAR(255)", "the seller's name as shown"),
        ("title", "VARCHAR(255)", "its title"),
        ("category", "VARCHAR(50)", "drum_kit | loop | preset | …"),
        ("description", "TEXT", "its description"),
        ("price", "DECIMAL(10,2)", "price, RUB"),
        ("rating", "DECIMAL(4,2)", "average rating 0-5"),
        ("sales", "INTEGER", "sales counted by the marketplace"),
        ("views", "INTEGER", "views counted by the marketplace"),
        ("file_size", "VARCHAR(50)", "file size as written (\"320 MB\")"),
        ("format", "VARCHAR(20)", "file format (WAV, …)"),
        ("tags", "JSONB", "tags, a list of strings"),
        ("status", "VARCHAR(20)", "active | …"),
        ("created_at", "TIMESTAMPTZ", "when it was listed"),
    )),
    "digital_purchases": ("digital_purchase:{id}: a digital good bought (revenue line, 10 %)", (
        ("id", "TEXT", "the purchase id"),
        ("good_id", "TEXT", "the digital good bought"),
        ("title", "VARCHAR(255)", "the good's title at purchase"),
        ("buyer_id", "TEXT", "who bought it"),
        ("producer_id", "TEXT", "who sold it"),
        ("price", "DECIMAL(10,2)", "what the buyer paid, RUB"),
        ("commission", "DECIMAL(10,2)", "the platform's commission (10 %), RUB"),
        ("producer_payout", "DECIMAL(10,2)", "what the seller gets, RUB"),
        ("status", "VARCHAR(20)", "completed (created so)"),
        ("created_at", "TIMESTAMPTZ", "when it was bought"),
    )),
    "producer_services": ("producer_service:public:{id}: a service a producer offers (mixing, mastering…)", (
        ("id", "TEXT", "the service id"),
        ("producer_id", "TEXT", "the producer (an artist id)"),
        ("producer_name", "VARCHAR(255)", "the producer's name as shown"),
        ("type", "VARCHAR(50)", "mixing | mastering | arrangement | …"),
        ("title", "VARCHAR(255)", "its title"),
        ("description", "TEXT", "its description"),
        ("base_price", "DECIMAL(10,2)", "price at normal urgency, RUB"),
        ("min_price", "DECIMAL(10,2)", "lowest price shown, RUB"),
        ("max_price", "DECIMAL(10,2)", "highest price shown, RUB"),
        ("delivery_days", "INTEGER", "days to deliver"),
        ("revisions", "INTEGER", "revisions included"),
        ("rating", "DECIMAL(4,2)", "average rating 0-5"),
        ("orders", "INTEGER", "orders counted by the marketplace"),
        ("includes", "JSONB", "what is included, a list"),
        ("requirements", "TEXT", "what the client must supply"),
        ("status", "VARCHAR(20)", "active | …"),
        ("created_at", "TIMESTAMPTZ", "when it was listed"),
    )),
    "service_orders": ("service_order:{id}: a client's order of a producer service (revenue when completed)", (
        ("id", "TEXT", "the order id"),
        ("service_id", "TEXT", "the service ordered"),
        ("service_title", "VARCHAR(255)", "the service's title"),
        ("service_type", "VARCHAR(50)", "mixing | mastering | …"),
        ("producer_id", "TEXT", "the producer"),
        ("producer_name", "VARCHAR(255)", "the producer's name"),
        ("client_id", "TEXT", "the client (demo-user when the caller sent no id)"),
        ("client_name", "VARCHAR(255)", "the client's name"),
        ("message", "TEXT", "the client's message"),
        ("urgency", "VARCHAR(20)", "normal | fast | urgent (price ×1, ×1.5, ×2)"),
        ("price", "DECIMAL(10,2)", "what the client pays, RUB"),
        ("commission", "DECIMAL(10,2)", "the platform's commission (10 %), RUB"),
        ("producer_payout", "DECIMAL(10,2)", "what the producer gets, RUB"),
        ("status", "VARCHAR(20)", "pending → accepted | rejected → in_progress → revision | completed"),
        ("progress", "INTEGER", "progress in percent"),
        ("delivery_days", "INTEGER", "days to deliver"),
        ("deadline", "TIMESTAMPTZ", "when it is due"),
        ("created_at", "TIMESTAMPTZ", "when it was ordered"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "contracts": ("contract:{order_id}: a service order paid in milestones", (
        ("id", "TEXT", "the contract id"),
        ("order_id", "TEXT", "the service order it belongs to"),
        ("service_title", "VARCHAR(255)", "the service's title"),
        ("producer_id", "TEXT", "the producer"),
        ("producer_name", "VARCHAR(255)", "the producer's name"),
        ("client_id", "TEXT", "the client"),
        ("client_name", "VARCHAR(255)", "the client's name"),
        ("total_amount", "DECIMAL(10,2)", "the whole contract, RUB"),
        ("paid_amount", "DECIMAL(10,2)", "paid so far (approved milestones), RUB"),
        ("status", "VARCHAR(20)", "active → completed"),
        ("milestones", "JSONB", "the milestones as stored (one row each in contract_milestones)"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "contract_milestones": ("contract:{order_id} milestones[]: one row per milestone (derived after each build)", (
        ("contract_id", "TEXT", "the contract"),
        ("order_id", "TEXT", "the service order"),
        ("id", "TEXT", "the milestone id"),
        ("position", "INTEGER", "its place in the contract, from 0"),
        ("title", "VARCHAR(255)", "what is delivered"),
        ("amount", "DECIMAL(10,2)", "its price, RUB (10 % to the platform when approved)"),
        ("status", "VARCHAR(20)", "pending → in_progress → submitted → approved | revision"),
        ("due_date", "TIMESTAMPTZ", "when it is due"),
        ("paid_at", "TIMESTAMPTZ", "when the client approved (paid) it"),
    )),
    "producer_profiles": ("producer_profile:{id}: a producer's public profile (seed only)", (
        ("id", "TEXT", "the producer id"),
        ("user_id", "TEXT", "the producer's artist/user id"),
        ("producer_name", "VARCHAR(255)", "name as shown"),
        ("specializations", "JSONB", "services offered, a list"),
        ("genres", "JSONB", "genres, a list"),
        ("city", "VARCHAR(100)", "city"),
        ("country", "VARCHAR(100)", "country"),
        ("average_rating", "DECIMAL(4,2)", "average rating 0-5"),
        ("review_count", "INTEGER", "reviews counted"),
        ("experience_years", "INTEGER", "years of experience"),
        ("hourly_rate", "DECIMAL(10,2)", "hourly rate, RUB"),
        ("total_earnings", "DECIMAL(12,2)", "earnings as the profile states them, RUB"),
        ("total_services", "INTEGER", "services offered"),
        ("total_orders", "INTEGER", "orders counted"),
        ("availability", "VARCHAR(20)", "available | busy | …"),
        ("accepts_rush_orders", "BOOLEAN", "takes urgent orders"),
        ("bio", "TEXT", "about the producer"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
    )),
    "producer_reviews": ("producer_review:{producer_id}:{id}: a client's review of a producer (seed only)", (
        ("id", "TEXT", "the review id"),
        ("producer_id", "TEXT", "the producer reviewed"),
        ("reviewer_name", "VARCHAR(255)", "who wrote it"),
        ("service_type", "VARCHAR(50)", "the service reviewed"),
        ("rating", "INTEGER", "1-5"),
        ("quality_score", "INTEGER", "1-5"),
        ("communication_score", "INTEGER", "1-5"),
        ("timeliness_score", "INTEGER", "1-5"),
        ("would_recommend", "BOOLEAN", "recommends the producer"),
        ("review_text", "TEXT", "the review"),
        ("created_at", "TIMESTAMPTZ", "when it was written"),
    )),
    "producer_orders": ("producer_order:{producer_id}:{id}: an order in a producer's studio (seed only, no writer)", (
        ("id", "TEXT", "the order id"),
        ("producer_id", "TEXT", "the producer"),
        ("producer_user_id", "TEXT", "the producer's artist/user id"),
        ("client_id", "TEXT", "the client"),
        ("client_name", "VARCHAR(255)", "the client's name (field client)"),
        ("service_type", "VARCHAR(50)", "the service"),
        ("service_title", "VARCHAR(255)", "the service's title"),
        ("price", "DECIMAL(10,2)", "price, RUB"),
        ("status", "VARCHAR(20)", "pending | in_progress | review | revision | completed | cancelled"),
        ("progress", "INTEGER", "progress in percent"),
        ("deadline", "TIMESTAMPTZ", "when it is due"),
        ("created_at", "TIMESTAMPTZ", "when it was ordered"),
    )),
    "producer_wallets": ("producer_wallet:{producer_id}: a producer's earnings account (seed only)", (
        ("producer_id", "TEXT", "the producer"),
        ("balance", "DECIMAL(12,2)", "balance, RUB"),
        ("pending_payout", "DECIMAL(12,2)", "requested payouts not yet made, RUB"),
        ("total_earned", "DECIMAL(12,2)", "earned in all, RUB"),
        ("monthly_earnings", "DECIMAL(12,2)", "earned this month as stated, RUB"),
        ("commission_rate", "DECIMAL(5,2)", "the platform's commission, percent"),
        ("payout_methods", "JSONB", "payout methods as stored"),
        ("transactions", "JSONB", "the wallet's transactions as stored"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "producer_portfolio_items": ("portfolio:public:all[]: a work in the producers' public portfolio", (
        ("id", "TEXT", "the item id"),
        ("producer_id", "TEXT", "the producer"),
        ("producer_name", "VARCHAR(255)", "the producer's name"),
        ("title", "VARCHAR(255)", "the work"),
        ("type", "VARCHAR(50)", "Сведение | Мастеринг | …"),
        ("year", "INTEGER", "year of the work"),
    )),
    "collab_offers": ("collab_offers:{artist_id}[]: a producer's collaboration offer to an artist", (
        ("id", "TEXT", "the offer id"),
        ("artist_id", "TEXT", "the artist offered to"),
        ("artist_name", "VARCHAR(255)", "the artist's name"),
        ("producer_id", "TEXT", "the producer offering"),
        ("producer_name", "VARCHAR(255)", "the producer's name"),
        ("type", "VARCHAR(50)", "beat | mixing | collab_track | …"),
        ("title", "VARCHAR(255)", "the offer"),
        ("price", "DECIMAL(10,2)", "price, RUB (none for some offers)"),
        ("status", "VARCHAR(20)", "pending → accepted | declined | discussion (the artist answers)"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    # ---- bookings, DJs (KEYS.md §7)
    "bookings": ("booking:{id}: a venue's (or anyone's) booking of a performer", (
        ("id", "TEXT", "the booking id"),
        ("requester_id", "TEXT", "who books"),
        ("requester_type", "VARCHAR(20)", "venue | …"),
        ("requester_name", "VARCHAR(255)", "the requester's name"),
        ("performer_id", "TEXT", "who is booked (an artist or DJ id)"),
        ("performer_type", "VARCHAR(20)", "artist | dj"),
        ("performer_name", "VARCHAR(255)", "the performer's name"),
        ("event_type", "VARCHAR(50)", "live | dj_set | …"),
        ("event_title", "VARCHAR(255)", "the event"),
        ("venue_name", "VARCHAR(255)", "where"),
        ("venue_city", "VARCHAR(100)", "city"),
        ("event_date", "DATE", "the day of the event"),
        ("hours", "DECIMAL(5,2)", "hours booked"),
        ("offered_price", "DECIMAL(10,2)", "the fee offered (hourly rate × hours), RUB"),
        ("performer_fee", "DECIMAL(10,2)", "the performer's 90 %, RUB"),
        ("platform_commission", "DECIMAL(10,2)", "the platform's 10 %, RUB"),
        ("deposit_amount", "DECIMAL(10,2)", "the 30 % deposit, RUB"),
        ("status", "VARCHAR(20)", "pending → accepted | rejected → deposit_paid → confirmed; cancelled; "
                                  "completed (seed only)"),
        ("created_at", "TIMESTAMPTZ", "when it was requested"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "booking_payments": ("booking_payment:{id}: a deposit or final payment of a booking (mock gateway)", (
        ("id", "TEXT", "the payment id"),
        ("booking_id", "TEXT", "the booking paid"),
        ("payer_id", "TEXT", "who paid"),
        ("type", "VARCHAR(20)", "deposit | final"),
        ("amount", "DECIMAL(10,2)", "amount, RUB"),
        ("gateway", "VARCHAR(50)", "payment gateway (mock)"),
        ("status", "VARCHAR(20)", "completed"),
        ("created_at", "TIMESTAMPTZ", "when it was paid"),
    )),
    "dj_profiles": ("dj:profile:{id}: a DJ in the DJ marketplace", (
        ("id", "TEXT", "the DJ id"),
        ("user_id", "TEXT", "the DJ's user id, when known"),
        ("name", "VARCHAR(255)", "stage name"),
        ("photo_url", "TEXT", "photo (field photo)"),
        ("city", "VARCHAR(100)", "city"),
        ("genres", "JSONB", "genres, a list"),
        ("top_genre", "VARCHAR(100)", "main genre"),
        ("rating", "DECIMAL(4,2)", "average rating 0-5"),
        ("reviews_count", "INTEGER", "reviews counted"),
        ("price_from", "DECIMAL(10,2)", "lowest fee, RUB"),
        ("experience", "VARCHAR(50)", "experience as written (\"8 лет\")"),
        ("verified", "BOOLEAN", "verified by the platform"),
        ("available", "BOOLEAN", "takes bookings"),
        ("completed_gigs", "INTEGER", "gigs played"),
        ("bio", "TEXT", "about the DJ"),
        ("tags", "JSONB", "tags, a list"),
    )),
    "dj_mixes": ("dj:mixes:{dj_id}[]: a DJ's mix", (
        ("id", "TEXT", "the mix id"),
        ("dj_id", "TEXT", "the DJ"),
        ("title", "VARCHAR(255)", "title"),
        ("genre", "VARCHAR(100)", "genre"),
        ("duration", "INTEGER", "length in seconds (written h:mm:ss or m:ss)"),
        ("plays", "INTEGER", "plays"),
        ("likes", "INTEGER", "likes"),
    )),
    "dj_reviews": ("dj:reviews:{dj_id}[]: a client's review of a DJ", (
        ("id", "TEXT", "the review id"),
        ("dj_id", "TEXT", "the DJ"),
        ("author", "VARCHAR(255)", "who wrote it"),
        ("date_text", "VARCHAR(30)", "the date as written (\"14 янв 2026\": not a date the database reads)"),
        ("rating", "INTEGER", "1-5"),
        ("text", "TEXT", "the review"),
        ("event_type", "VARCHAR(50)", "the event (Свадьба, Корпоратив…)"),
    )),
    "dj_bookings": ("dj:booking:{id}: a booking request to a DJ", (
        ("id", "TEXT", "the booking id"),
        ("dj_id", "TEXT", "the DJ"),
        ("client_id", "TEXT", "who books"),
        ("client_name", "VARCHAR(255)", "the client's name"),
        ("event_type", "VARCHAR(50)", "the event"),
        ("event_date", "DATE", "the day"),
        ("price", "DECIMAL(10,2)", "fee, RUB"),
        ("status", "VARCHAR(20)", "pending (the only status the code sets)"),
        ("created_at", "TIMESTAMPTZ", "when it was requested"),
    )),
    "dj_subscriptions": ("dj:subscription:{dj_id}: a DJ's plan (revenue line DJ subscription, 100 %)", (
        ("dj_id", "TEXT", "the DJ"),
        ("plan_id", "VARCHAR(20)", "starter | pro | agency"),
        ("plan_name", "VARCHAR(100)", "the plan's name"),
        ("status", "VARCHAR(20)", "active | …"),
        ("price", "DECIMAL(10,2)", "price per interval, RUB (code: 990/9900, 2990/29900)"),
        ("currency", "VARCHAR(5)", "₽ (code) or RUB (seed)"),
        ("billing_interval", "VARCHAR(10)", "month | year (field interval)"),
        ("start_date", "TIMESTAMPTZ", "period start"),
        ("end_date", "TIMESTAMPTZ", "period end"),
        ("limits", "JSONB", "the plan's limits"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    # ---- radio (pmf, KEYS.md §11)
    "radio_stations": ("radio_station:{user_id}: a radio station's profile", (
        ("id", "TEXT", "the station id (used in the other radio keys)"),
        ("user_id", "TEXT", "the station owner's user id"),
        ("station_name", "VARCHAR(255)", "name"),
        ("frequency", "VARCHAR(50)", "frequency (FM 100.5)"),
        ("city", "VARCHAR(100)", "city"),
        ("country", "VARCHAR(100)", "country"),
        ("formats", "JSONB", "formats, a list"),
        ("audience_size", "INTEGER", "audience as stated"),
        ("description", "TEXT", "description"),
        ("logo_url", "TEXT", "logo"),
        ("stream_url", "TEXT", "live stream"),
        ("is_online", "BOOLEAN", "on air"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "radio_ad_slots": ("radio_ad_slot:{station_id}:{id}: an advertising slot a station sells", (
        ("id", "TEXT", "the slot id"),
        ("station_id", "TEXT", "the station"),
        ("time_slot", "VARCHAR(20)", "hours (06:00-10:00)"),
        ("price", "DECIMAL(10,2)", "price, RUB"),
        ("duration", "INTEGER", "spot length in seconds"),
        ("status", "VARCHAR(20)", "available | booked | …"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "radio_venue_requests": ("radio_venue_requests:{station_id}[]: a venue's ad order on a station (revenue 15 %)", (
        ("id", "TEXT", "the request id"),
        ("station_id", "TEXT", "the station"),
        ("venue_id", "TEXT", "the venue ordering"),
        ("venue_name", "VARCHAR(255)", "the venue's name"),
        ("package_type", "VARCHAR(20)", "15sec | 30sec | …"),
        ("duration", "INTEGER", "spot length in seconds"),
        ("total_price", "DECIMAL(10,2)", "what the venue pays, RUB"),
        ("platform_fee", "DECIMAL(10,2)", "the platform's 15 %, RUB"),
        ("station_payout", "DECIMAL(10,2)", "the station's 85 %, RUB"),
        ("total_plays", "INTEGER", "plays ordered"),
        ("completed_plays", "INTEGER", "plays aired"),
        ("impressions", "INTEGER", "impressions"),
        ("status", "VARCHAR(20)", "pending → approved | rejected → in_progress → completed (paid)"),
        ("submitted_at", "TIMESTAMPTZ", "when it was ordered"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "radio_artist_requests": ("radio_artist_requests:{station_id}[]: an artist's request for airplay", (
        ("id", "TEXT", "the request id"),
        ("station_id", "TEXT", "the station"),
        ("artist_id", "TEXT", "the artist"),
        ("artist_name", "VARCHAR(255)", "the artist's name"),
        ("genre", "VARCHAR(100)", "genre"),
        ("track_title", "VARCHAR(255)", "the track"),
        ("message", "TEXT", "the artist's message"),
        ("status", "VARCHAR(20)", "pending → accepted | rejected (the station answers)"),
        ("created_at", "TIMESTAMPTZ", "when it was sent"),
    )),
    "radio_finances": ("radio_finance:{station_id}: a station's money figures as the seed states them", (
        ("station_id", "TEXT", "the station"),
        ("total_revenue", "DECIMAL(12,2)", "all-time revenue, RUB"),
        ("monthly_revenue", "DECIMAL(12,2)", "this month, RUB"),
        ("ad_revenue", "DECIMAL(12,2)", "from advertising, RUB"),
        ("subscription_revenue", "DECIMAL(12,2)", "from subscriptions, RUB"),
        ("pending_payments", "DECIMAL(12,2)", "not yet paid out, RUB"),
        ("growth", "DECIMAL(6,2)", "growth, percent"),
    )),
    "radio_transactions": ("radio_transactions:{station_id}[]: a station's money movement (empty in the sample)", (
        ("id", "TEXT", "the transaction id"),
        ("station_id", "TEXT", "the station"),
        ("type", "VARCHAR(50)", "kind of movement"),
        ("amount", "DECIMAL(10,2)", "amount, RUB"),
        ("description", "TEXT", "what it was"),
        ("status", "VARCHAR(20)", "status"),
        ("created_at", "TIMESTAMPTZ", "when"),
    )),
    # ---- venues (pmf, KEYS.md §12)
    "venue_profiles": ("venue_profile:{user_id}: a venue (bar, club…) on the platform", (
        ("id", "TEXT", "the venue id (venue-{userId} by default)"),
        ("user_id", "TEXT", "the venue owner's user id"),
        ("venue_name", "VARCHAR(255)", "name"),
        ("venue_type", "VARCHAR(50)", "bar | lounge | club | …"),
        ("address", "TEXT", "address"),
        ("city", "VARCHAR(100)", "city"),
        ("country", "VARCHAR(100)", "country"),
        ("capacity", "INTEGER", "guests"),
        ("genres", "JSONB", "genres, a list"),
        ("description", "TEXT", "description"),
        ("logo_url", "TEXT", "logo"),
        ("cover_image_url", "TEXT", "cover image"),
        ("status", "VARCHAR(20)", "active | …"),
        ("verified", "BOOLEAN", "verified by the platform"),
        ("subscription_status", "VARCHAR(20)", "the venue plan's status"),
        ("subscription_plan", "VARCHAR(50)", "the venue plan"),
        ("subscription_start_date", "DATE", "plan start"),
        ("subscription_end_date", "DATE", "plan end"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "venue_analytics": ("venue_analytics:{venue_id}: a venue's figures as the platform states them (synthetic)", (
        ("venue_id", "TEXT", "the venue"),
        ("total_playlists", "INTEGER", "playlists"),
        ("total_tracks", "INTEGER", "tracks in them"),
        ("average_rating", "DECIMAL(4,2)", "rating 0-5"),
        ("total_impressions", "INTEGER", "ad impressions"),
        ("monthly_spending", "DECIMAL(12,2)", "spending this month, RUB"),
        ("avg_roi", "DECIMAL(8,2)", "return on ads, percent (field avgROI)"),
        ("engagement_rate", "DECIMAL(6,2)", "engagement, percent"),
    )),
    "venue_spending": ("venue_spending:{venue_id}[]: what a venue spent on a day", (
        ("venue_id", "TEXT", "the venue"),
        ("day_text", "VARCHAR(10)", "the day as written, DD.MM.YYYY (field date; not ISO)"),
        ("amount", "DECIMAL(10,2)", "spent that day, RUB"),
    )),
    "venue_campaigns": ("venue_campaigns:{venue_id}[] and venue_ad_campaigns:{venue_id}[]: a venue's campaigns", (
        ("id", "TEXT", "the campaign id"),
        ("venue_id", "TEXT", "the venue"),
        ("kind", "VARCHAR(20)", "campaign (venue_campaigns) | radio_ad (venue_ad_campaigns)"),
        ("station_id", "TEXT", "the station, for a radio ad buy"),
        ("title", "VARCHAR(255)", "the campaign"),
        ("budget", "DECIMAL(10,2)", "budget or price, RUB"),
        ("status", "VARCHAR(20)", "pending | …"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
    )),
    "venue_playlists": ("venue_playlists:{venue_id}[]: a playlist a venue plays", (
        ("id", "TEXT", "the playlist id"),
        ("venue_id", "TEXT", "the venue (from the key: the seed's own venueId field says venue1)"),
        ("title", "VARCHAR(255)", "title"),
        ("track_count", "INTEGER", "tracks"),
        ("total_duration", "INTEGER", "length in seconds"),
        ("is_public", "BOOLEAN", "public"),
        ("status", "VARCHAR(20)", "active | draft"),
        ("content_items", "JSONB", "the items as stored"),
    )),
    "content_orders": ("content_order:{id}: a venue's order of content (jingles, playlists…)", (
        ("id", "TEXT", "the order id"),
        ("venue_id", "TEXT", "the venue"),
        ("type", "VARCHAR(50)", "kind of content"),
        ("title", "VARCHAR(255)", "the order"),
        ("description", "TEXT", "what is wanted"),
        ("price", "DECIMAL(10,2)", "price from the client, RUB"),
        ("status", "VARCHAR(20)", "pending | processing | review | ready | approved | revision | completed | "
                                  "cancelled"),
        ("created_at", "TIMESTAMPTZ", "when it was ordered"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    # ---- track tests (KEYS.md §10)
    "track_test_requests": ("track_test:requests:{id}: a paid expert test of a track (1000 RUB, 100 % platform)", (
        ("id", "TEXT", "the request id"),
        ("user_id", "TEXT", "the artist (NULL for a guest)"),
        ("track_id", "TEXT", "the track tested"),
        ("track_title", "VARCHAR(255)", "the track's title"),
        ("artist_name", "VARCHAR(255)", "the artist's name"),
        ("genre", "VARCHAR(100)", "genre"),
        ("guest_email", "VARCHAR(255)", "a guest's e-mail"),
        ("guest_name", "VARCHAR(255)", "a guest's name"),
        ("status", "VARCHAR(30)", "pending_payment → pending_moderation → pending_expert_assignment | "
                                  "moderation_rejected → experts_assigned → review_in_progress → "
                                  "pending_admin_review → completed (pmf: payment_succeeded, in_review, "
                                  "analysis_generated)"),
        ("payment_status", "VARCHAR(20)", "pending | completed | refunded"),
        ("payment_amount", "DECIMAL(10,2)", "paid, RUB (1000)"),
        ("payment_transaction_id", "TEXT", "the payment transaction"),
        ("required_expert_count", "INTEGER", "experts wanted (5, at most 10)"),
        ("completed_reviews_count", "INTEGER", "reviews done"),
        ("assigned_experts", "JSONB", "the experts, a list"),
        ("category_averages", "JSONB", "average score per category"),
        ("average_rating", "DECIMAL(4,2)", "the result, 1-10"),
        ("admin_approval_status", "VARCHAR(20)", "pending | approved | rejected (final review, pmf)"),
        ("moderation_notes", "TEXT", "the moderator's note"),
        ("rejection_reason", "TEXT", "why it was rejected"),
        ("consolidated_feedback", "TEXT", "the experts' summary"),
        ("created_at", "TIMESTAMPTZ", "when it was submitted"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
        ("completed_at", "TIMESTAMPTZ", "when the result was final"),
    )),
    "track_test_reviews": ("track_test:reviews:{id}: one expert's review in a track test", (
        ("id", "TEXT", "the review id"),
        ("request_id", "TEXT", "the track test"),
        ("expert_email", "VARCHAR(255)", "the expert"),
        ("expert_name", "VARCHAR(255)", "the expert's name"),
        ("expert_role", "VARCHAR(50)", "dj | producer | engineer | …"),
        ("status", "VARCHAR(20)", "pending | completed"),
        ("mixing_mastering_score", "INTEGER", "1-10"),
        ("arrangement_score", "INTEGER", "1-10"),
        ("originality_score", "INTEGER", "1-10"),
        ("commercial_potential_score", "INTEGER", "1-10"),
        ("overall_score", "INTEGER", "1-10"),
        ("general_feedback", "TEXT", "the expert's feedback"),
        ("recommendations", "TEXT", "the expert's advice"),
        ("reward_points", "INTEGER", "coins for the expert (50)"),
        ("reward_paid", "BOOLEAN", "reward paid"),
        ("created_at", "TIMESTAMPTZ", "when it was assigned"),
        ("completed_at", "TIMESTAMPTZ", "when it was written"),
    )),
    "track_test_expert_stats": ("track_test:expert_stats:{expert_id}: an expert's counts", (
        ("expert_id", "TEXT", "the expert"),
        ("total_assigned", "INTEGER", "tests assigned"),
        ("total_completed", "INTEGER", "tests done"),
        ("total_coins", "INTEGER", "coins earned"),
        ("rating_bonus", "DECIMAL(5,2)", "rating bonus"),
    )),
    # ---- the AI news agent's articles (pmf ai-agent, KEYS.md §14 news:articles:*)
    "news_articles": ("news:articles:{status}[]: an article the AI news agent collected; the list it is in is its "
                      "status (approve moves it from pending to published, reject to rejected)", (
        ("id", "TEXT", "the article id (art_{ts}_{n}_{rand})"),
        ("title", "VARCHAR(500)", "headline"),
        ("tag", "VARCHAR(50)", "topic (Индустрия, Технологии, События…)"),
        ("excerpt", "TEXT", "the lead paragraph"),
        ("content", "TEXT", "the text"),
        ("source", "VARCHAR(255)", "the outlet it was collected from"),
        ("cover_image", "TEXT", "cover image URL"),
        ("status", "VARCHAR(20)", "pending | published | rejected: the list news:articles:{status} holding it"),
        ("processed_at", "TIMESTAMPTZ", "when the agent collected it"),
        ("published_at", "TIMESTAMPTZ", "when a moderator approved it"),
        ("rejected_at", "TIMESTAMPTZ", "when a moderator rejected it"),
    )),
    # ---- publishing, e-mail campaigns (KEYS.md §9, §5)
    "publish_orders": ("publish_order:{id}: an order to publish a video or concert (paid plans)", (
        ("id", "TEXT", "the order id"),
        ("user_id", "TEXT", "the artist"),
        ("type", "VARCHAR(20)", "video | concert"),
        ("title", "VARCHAR(255)", "what is published"),
        ("plan", "VARCHAR(20)", "free | standard | premium"),
        ("price", "DECIMAL(10,2)", "price, RUB (video 0/990/2990, concert 0/1490/4990)"),
        ("currency", "VARCHAR(5)", "RUB"),
        ("status", "VARCHAR(20)", "draft → pending_review → in_review → approved (pending_payment | published) | "
                                  "revision | rejected; paid → published"),
        ("moderator_id", "TEXT", "who reviewed it"),
        ("moderator_comment", "TEXT", "the reviewer's comment"),
        ("paid_at", "TIMESTAMPTZ", "when it was paid"),
        ("published_at", "TIMESTAMPTZ", "when it was published"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "concert_email_campaigns": ("campaign:{artist_id}:{id}: an e-mail about a concert to the artist's fans", (
        ("id", "TEXT", "the campaign id"),
        ("artist_id", "TEXT", "the artist"),
        ("concert_id", "TEXT", "the concert"),
        ("subject", "VARCHAR(500)", "subject"),
        ("content", "TEXT", "the text"),
        ("recipient_count", "INTEGER", "recipients"),
        ("open_rate", "DECIMAL(6,2)", "opened, percent (mock)"),
        ("click_rate", "DECIMAL(6,2)", "clicked, percent (mock)"),
        ("status", "VARCHAR(20)", "draft → sent"),
        ("sent_at", "TIMESTAMPTZ", "when it was sent"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
    )),
    "email_preferences": ("email_subscription:{user_id}: which e-mails a user wants", (
        ("user_id", "TEXT", "the user"),
        ("notifications", "JSONB", "per event: wanted or not"),
        ("newsletter", "JSONB", "per newsletter: wanted or not"),
        ("frequency", "VARCHAR(20)", "realtime | daily | weekly"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    # ---- ticketing (cab, KEYS.md §6)
    "ticket_providers": ("ticket_provider:{artist_id}:{id}: a ticket vendor an artist connected (API key not kept)", (
        ("id", "TEXT", "the vendor id (kassir, ticketland, …)"),
        ("artist_id", "TEXT", "the artist"),
        ("name", "VARCHAR(255)", "the vendor's name"),
        ("enabled", "BOOLEAN", "in use"),
        ("commission", "DECIMAL(5,2)", "the vendor's commission, percent"),
        ("logo_url", "TEXT", "logo (field logo)"),
        ("connected_at", "TIMESTAMPTZ", "when it was connected"),
    )),
    "ticket_sales": ("ticket_sale:{concert_id}:{id}: tickets sold for a concert through a vendor", (
        ("id", "TEXT", "the sale id"),
        ("concert_id", "TEXT", "the concert"),
        ("artist_id", "TEXT", "the artist"),
        ("provider", "VARCHAR(50)", "the ticket vendor"),
        ("quantity", "INTEGER", "tickets"),
        ("price", "DECIMAL(10,2)", "price per ticket, RUB"),
        ("total_amount", "DECIMAL(12,2)", "what buyers paid, RUB"),
        ("commission", "DECIMAL(12,2)", "the vendor's commission (not the platform's), RUB"),
        ("net_amount", "DECIMAL(12,2)", "what the artist gets, RUB"),
        ("buyer_email", "VARCHAR(255)", "the buyer"),
        ("status", "VARCHAR(20)", "confirmed (counts) → cancelled"),
        ("purchased_at", "TIMESTAMPTZ", "when"),
        ("metadata", "JSONB", "extra data (test: true from the test generator)"),
    )),
    # ---- pmf payments (KEYS.md §4)
    "payment_balances": ("payments:balance:{user_id}: a user's money balance on the platform", (
        ("user_id", "TEXT", "the user (platform for the platform's own)"),
        ("available", "DECIMAL(12,2)", "available, RUB"),
        ("pending", "DECIMAL(12,2)", "pending, RUB"),
        ("total", "DECIMAL(12,2)", "total, RUB"),
    )),
    "withdrawals": ("payments:withdrawals:{user_id}[]: a payout a user asked for", (
        ("id", "TEXT", "the withdrawal id"),
        ("user_id", "TEXT", "the user"),
        ("amount", "DECIMAL(12,2)", "amount, RUB"),
        ("method", "VARCHAR(50)", "payout method"),
        ("status", "VARCHAR(20)", "pending (never advanced by the code)"),
        ("created_at", "TIMESTAMPTZ", "when it was asked"),
    )),
    "platform_revenue_entries": ("platform:revenue:log[]: one revenue record of the platform (pmf recordRevenue)", (
        ("id", "TEXT", "the record id"),
        ("channel", "VARCHAR(50)", "the revenue line (dj_booking, marketplace_service, radio_venue, …)"),
        ("gross_amount", "DECIMAL(12,2)", "what the payer paid, RUB"),
        ("platform_revenue", "DECIMAL(12,2)", "the platform's share, RUB"),
        ("payout_amount", "DECIMAL(12,2)", "paid on to the payee, RUB"),
        ("commission_rate", "DECIMAL(6,4)", "the platform's share as a fraction"),
        ("payer_id", "TEXT", "who paid"),
        ("payee_id", "TEXT", "who is paid"),
        ("status", "VARCHAR(20)", "completed"),
        ("created_at", "TIMESTAMPTZ", "when"),
    )),
    # ---- accounting (pmf, KEYS.md §13): singleton arrays
    "accounting_reports": ("accounting:reports[]: a tax report", (
        ("id", "TEXT", "the report id"),
        ("type", "VARCHAR(20)", "vat | profit | usn | …"),
        ("period", "VARCHAR(20)", "the period as written (2026-Q1, 2026-01, 2025)"),
        ("status", "VARCHAR(20)", "draft | ready | sent | accepted"),
        ("amount", "DECIMAL(14,2)", "the tax base, RUB"),
        ("tax_amount", "DECIMAL(14,2)", "tax, RUB"),
        ("deadline", "DATE", "due"),
    )),
    "accounting_documents": ("accounting:documents[]: an invoice, act or receipt", (
        ("id", "TEXT", "the document id"),
        ("type", "VARCHAR(20)", "invoice | act | receipt"),
        ("number", "VARCHAR(50)", "its number"),
        ("date", "DATE", "its date"),
        ("counterparty", "VARCHAR(255)", "the other party"),
        ("amount", "DECIMAL(14,2)", "amount, RUB"),
        ("status", "VARCHAR(20)", "draft | issued | paid"),
    )),
    "accounting_ledger_entries": ("accounting:ledger[]: a ledger posting", (
        ("id", "TEXT", "the entry id"),
        ("date", "DATE", "posting date"),
        ("document_number", "VARCHAR(50)", "the document"),
        ("counterparty", "VARCHAR(255)", "the other party"),
        ("debit_account", "VARCHAR(20)", "debit account (field debit)"),
        ("credit_account", "VARCHAR(20)", "credit account (field credit)"),
        ("amount", "DECIMAL(14,2)", "amount, RUB"),
        ("description", "TEXT", "what it was"),
    )),
    "accounting_counterparties": ("accounting:counterparties[]: a customer or supplier", (
        ("id", "TEXT", "the counterparty id"),
        ("name", "VARCHAR(255)", "name"),
        ("inn", "VARCHAR(12)", "taxpayer number (ИНН)"),
        ("type", "VARCHAR(20)", "customer | supplier"),
        ("total_received", "DECIMAL(14,2)", "received from them in all, RUB"),
        ("balance", "DECIMAL(14,2)", "balance, RUB"),
        ("status", "VARCHAR(20)", "active | …"),
    )),
    "accounting_calendar_events": ("accounting:calendar[]: a tax deadline", (
        ("id", "TEXT", "the event id"),
        ("title", "VARCHAR(255)", "what is due"),
        ("date", "DATE", "when"),
        ("type", "VARCHAR(20)", "vat | profit | insurance | …"),
        ("completed", "BOOLEAN", "done"),
        ("amount", "DECIMAL(14,2)", "amount, RUB"),
    )),
    # ---- artists' statistics and the seeded catalogue (KEYS.md §2, §C)
    "track_totals": ("analytics:{user_id}:track:{track_id}: a track's running totals (the platform keeps no series)", (
        ("user_id", "TEXT", "the artist"),
        ("track_id", "TEXT", "the track (its track row may be gone)"),
        ("plays", "INTEGER", "plays so far (the only counter that moves)"),
        ("likes", "INTEGER", "likes so far (never written: 0)"),
        ("downloads", "INTEGER", "downloads so far (never written: 0)"),
        ("shares", "INTEGER", "shares so far (never written: 0)"),
        ("comments", "INTEGER", "comments so far (never written: 0)"),
        ("daily_stats", "JSONB", "the platform's dailyStats list (always empty so far)"),
    )),
    "artists": ("artist:{id}: a seeded demo artist of the public catalogue (figures are seed values)", (
        ("id", "TEXT", "the artist id (artist-{slug})"),
        ("name", "VARCHAR(255)", "name"),
        ("slug", "VARCHAR(100)", "URL name"),
        ("genre", "VARCHAR(100)", "genre"),
        ("city", "VARCHAR(100)", "city"),
        ("subscribers", "INTEGER", "subscribers as seeded"),
        ("monthly_listeners", "INTEGER", "monthly listeners as seeded"),
        ("total_plays", "BIGINT", "plays as seeded"),
        ("is_verified", "BOOLEAN", "verified"),
        ("accent_color", "VARCHAR(20)", "page colour"),
        ("bio", "TEXT", "about the artist"),
        ("avatar_url", "TEXT", "avatar"),
        ("cover_image_url", "TEXT", "cover image"),
        ("social_links", "JSONB", "social links"),
        ("created_at", "TIMESTAMPTZ", "when it was seeded"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "artist_slugs": ("artist_slug:{slug}: which artist a URL name points to", (
        ("slug", "VARCHAR(100)", "the URL name"),
        ("artist_id", "TEXT", "the artist"),
    )),
    "guide_venues": ("guide:venue:{id}: a venue in the public city guide (seed)", (
        ("id", "TEXT", "the guide entry id"),
        ("name", "VARCHAR(255)", "name"),
        ("type", "VARCHAR(50)", "bar | lounge | club | …"),
        ("address", "TEXT", "address"),
        ("city", "VARCHAR(100)", "city"),
        ("lat", "DECIMAL(9,6)", "latitude"),
        ("lng", "DECIMAL(9,6)", "longitude"),
        ("rating", "DECIMAL(4,2)", "rating 0-5"),
        ("capacity", "INTEGER", "guests"),
        ("genres", "JSONB", "genres, a list"),
        ("is_open", "BOOLEAN", "open now"),
        ("verified", "BOOLEAN", "verified"),
        ("premium", "BOOLEAN", "paid placement"),
        ("description", "TEXT", "description"),
    )),
    # ---- the platform team's own tracker (pmf DevLab)
    "devlab_tasks": ("devlab:task:{id}: a task in the platform team's tracker", (
        ("id", "TEXT", "the task id"),
        ("title", "VARCHAR(255)", "title"),
        ("description", "TEXT", "description"),
        ("status", "VARCHAR(20)", "backlog | in_progress | done | …"),
        ("priority", "VARCHAR(20)", "low | medium | high | critical"),
        ("tags", "JSONB", "tags, a list"),
        ("assignee", "VARCHAR(100)", "who works on it"),
        ("in_sprint", "BOOLEAN", "in the current sprint"),
        ("created_at", "TIMESTAMPTZ", "when it was made"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
    "devlab_sprints": ("devlab:sprint:{id}: a sprint of the platform team", (
        ("id", "TEXT", "the sprint id"),
        ("name", "VARCHAR(255)", "name"),
        ("goal", "TEXT", "goal"),
        ("start_date", "TIMESTAMPTZ", "start"),
        ("end_date", "TIMESTAMPTZ", "end"),
        ("updated_at", "TIMESTAMPTZ", "last change"),
    )),
}

# Columns the deployed platform adds to reference tables (after the reference columns, before source_key).
REFERENCE_EXTENSION_SPECS: dict[str, tuple[Column, ...]] = {
    "profiles": (
        ("subscribers", "INTEGER", "subscribers as the artist entered them in the profile (profile:{u})"),
    ),
    "tracks": (
        ("downloads", "INTEGER", "downloads so far (the deployed track keeps plays, likes and downloads totals)"),
    ),
    "subscriptions": (
        ("price", "DECIMAL(10,2)", "price per interval, RUB (a paid tier's revenue, 100 % platform)"),
        ("currency", "VARCHAR(5)", "RUB"),
        ("billing_interval", "VARCHAR(10)", "month | year (field interval)"),
        ("plan_name", "VARCHAR(100)", "the tier's name as shown (tierName, planName)"),
    ),
    "payment_transactions": (
        ("category", "VARCHAR(50)", "what the money was for (pmf payments:transactions category)"),
        ("related_entity_type", "VARCHAR(50)", "what a payment paid for (track_test_request: cab payments:{u}:tx)"),
        ("related_entity_id", "TEXT", "the id of what it paid for (a track test request's id)"),
    ),
}

PLATFORM_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    table: tuple((c, t) for c, t, _ in columns) for table, (_, columns) in PLATFORM_TABLE_SPECS.items()
}
# Every entity table a layout may fill: the reference tables (with the platform's extra columns) and the platform's.
ENTITY_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    **{table: cols + tuple((c, t) for c, t, _ in REFERENCE_EXTENSION_SPECS.get(table, ()))
       for table, cols in REFERENCE_TABLES.items()},
    **PLATFORM_TABLES,
}
# One line per table (its KV key and what a row is) and per column, for the README, the data health page and people.
TABLE_DESCRIPTIONS: dict[str, str] = {table: text for table, (text, _) in PLATFORM_TABLE_SPECS.items()}
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    **{table: {c: d for c, _, d in columns} for table, columns in REFERENCE_EXTENSION_SPECS.items()},
    **{table: {c: d for c, _, d in columns} for table, (_, columns) in PLATFORM_TABLE_SPECS.items()},
}
# Tables filled after the build from other tables' rows (not by a layout entry): see dashboard/ingest/series.py.
DERIVED_TABLES: tuple[str, ...] = ("contract_milestones",)


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
MODERATED_TABLES = tuple(t for t in moderated_tables() if t in ENTITY_TABLES)
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
    # every track's running totals at each ingest or sync (written by dashboard.ingest.series): the platform keeps only
    # totals, so plays per day are the differences between consecutive records (queries/artist/artist_series_*.sql)
    "track_totals_history": (("run_id", "TEXT"), ("recorded_at", "TIMESTAMPTZ"), ("track_id", "TEXT"),
                             ("user_id", "TEXT"), ("plays", "BIGINT"), ("likes", "BIGINT"), ("downloads", "BIGINT")),
    # append-only reviews of suspicious-activity flags (written by dashboard.anomalies.reviews): each row is one
    # dismiss/confirm with its note; a flag's state is its latest row, kept across re-ingests by the flag's stable id
    "anomaly_reviews": (("id", "TEXT"), ("flag_id", "TEXT"), ("at", "TIMESTAMPTZ"), ("actor", "TEXT"),
                        ("action", "TEXT"), ("from_status", "TEXT"), ("to_status", "TEXT"), ("note", "TEXT"),
                        ("kind", "TEXT"), ("artist_id", "TEXT")),
    # who has a queue item open (written by dashboard.moderation.claims): one row per claim, until it ends (the
    # holder's decision or next item) or expires; others see the name and their next-item flow skips the item
    "moderation_claims": (("entity", "TEXT"), ("source_key", "TEXT"), ("entity_id", "TEXT"), ("holder", "TEXT"),
                          ("actor", "TEXT"), ("claimed_at", "TIMESTAMPTZ"), ("expires_at", "TIMESTAMPTZ")),
    # who may sign in, with which role (written by dashboard.access.accounts, the `users` command)
    "accounts": (("email", "TEXT"), ("role", "TEXT"), ("artist_id", "TEXT"), ("name", "TEXT"), ("disabled", "BOOLEAN"),
                 ("created_at", "TIMESTAMPTZ"), ("updated_at", "TIMESTAMPTZ")),
    # a synced store's position in the platform's change log (dashboard/sync/feed.py): one row, written by every full
    # sync (in its swap) and every incremental batch (in the batch's transaction). ``snapshot`` is the platform's
    # pg_snapshot the store's content equals; the rest is what the app shows (data as of, lag, the follower).
    "sync_feed": (("source", "TEXT"), ("kv_table", "TEXT"), ("layout", "TEXT"), ("generation", "TEXT"),
                  ("trimmed_below", "TEXT"), ("snapshot", "TEXT"), ("last_change_id", "BIGINT"),
                  ("last_change_at", "TIMESTAMPTZ"), ("checked_at", "TIMESTAMPTZ"), ("applied_at", "TIMESTAMPTZ"),
                  ("mode", "TEXT"), ("changes", "BIGINT"), ("batches", "BIGINT"), ("batch_changes", "BIGINT"),
                  ("lag_p50_ms", "BIGINT"), ("lag_p95_ms", "BIGINT"), ("follower", "TEXT"),
                  ("series_at", "TIMESTAMPTZ"), ("note", "TEXT")),
}

# Rollups (issue 21): small tables the store-wide pages read instead of scanning the entity tables, built from those
# tables in the same load and swap as them (``dashboard/rollups.py``, run as a durable append of every ingest and
# sync build) and kept in step by every write that changes what they summarise: a decision or an undo (in its own
# transaction), an incremental sync batch and a conflict's refresh (for the changed keys). Replaced as a whole by
# every ingest, like the entity tables; not counted in an ingest's table counts (they hold no input record).
ROLLUP_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    # every item that waits for a decision: one row per item of a moderated entity whose status is pending for the
    # store's layout (queries/shared/pending_base.sql); the queue, its summary and its age bands read it
    "pending_rollup": (
        ("entity", "TEXT"),  # the moderated entity (dashboard/moderated_entities.json)
        ("kind", "TEXT"),  # the artist pages' word for it (track, video, …)
        ("entity_id", "TEXT"),  # the item's id in its table
        ("source_key", "TEXT"),  # the KV key the item's row came from
        ("status", "TEXT"),  # its pending status
        ("title", "TEXT"),  # what the queue shows as its title
        ("description", "TEXT"),  # the queue's second line
        ("artist_id", "TEXT"),  # whose it is
        ("created_at", "TIMESTAMPTZ"),  # when it was submitted (its wait and age band start here)
        ("image_url", "TEXT"),  # cover, thumbnail or banner
        ("audio_url", "TEXT"),  # a track's audio
        ("video_url", "TEXT"),  # a video's file
        ("link_url", "TEXT"),  # a concert's tickets, a banner's target
        ("is_promoted", "BOOLEAN"),  # concerts and news: promoted
    ),
    # every artist (a user owning a track, a video or a concert) with the name and city the pickers show; the
    # artist pickers' search, the artist count and the known artists read it (dashboard/rollups.py, DIRECTORY)
    "artist_directory": (
        ("artist_id", "TEXT"),  # the user's id
        ("name", "TEXT"),  # the profile's name, else the id
        ("city", "TEXT"),  # the profile's location (tells equal names apart)
    ),
    # the coin transactions with an amount per user (one row for those without a user): data health's balance check
    # and Revenue → Coins read it instead of the ledger
    "coins_by_user": (
        ("user_id", "TEXT"),  # the user (NULL: the transactions without one)
        ("tx_rows", "BIGINT"),  # how many transactions
        ("tx_sum", "BIGINT"),  # the sum of their amounts
        ("tx_earned", "BIGINT"),  # the sum of the positive amounts
        ("tx_spent", "BIGINT"),  # the sum of the negative amounts, as a positive number
        ("tx_key", "TEXT"),  # the first KV key holding them
        ("tx_keys", "BIGINT"),  # how many KV keys hold them
    ),
    # the coin transactions with a non-zero amount per Moscow day, kind and related entity type; Revenue → Coins'
    # flow reads it
    "coins_daily": (
        ("day", "DATE"),  # the transactions' Moscow day
        ("kind", "TEXT"),  # purchased | spent | returned | earned
        ("entity", "TEXT"),  # related_entity_type ('' when none)
        ("transactions", "BIGINT"),  # how many
        ("coins", "BIGINT"),  # their absolute amounts summed
    ),
    # the completed RUB donations (queries/shared/completed_rub_donations.sql) per Moscow day; the overview's
    # donations figures and chart read it
    "donations_daily": (
        ("day", "DATE"),  # the donations' Moscow day
        ("donations", "BIGINT"),  # how many
        ("donations_with_id", "BIGINT"),  # how many have an id (the overview counts those)
        ("amount_rub", "DECIMAL(18,2)"),  # their sum, RUB
    ),
    # the revenue lines of the directory's artists per Moscow day and artist (dashboard/rollups.py,
    # artist_lines_select: summed from revenue_artist_daily); Revenue → Artists reads it
    "artist_lines_daily": (
        ("day", "DATE"),  # the lines' Moscow day
        ("artist_id", "TEXT"),  # an artist of artist_directory: who paid, or whom a donation went to
        ("lines", "BIGINT"),  # how many lines, any status and currency
        ("donations", "BIGINT"),  # how many completed RUB donations received
        ("donations_net", "DECIMAL(18,2)"),  # their sum
        ("platform_net", "DECIMAL(18,2)"),  # the completed RUB payments the artist made (every other stream)
    ),
    # data health's orphaned analytics rows (dashboard/rollups.py, orphan_analytics_select): the rows of
    # queries/health/health_orphan_analytics.sql, kept by every build and sync batch
    "orphan_analytics_rollup": (
        ("artist_id", "TEXT"),  # the key's user, where the key names one
        ("kv_key", "TEXT"),  # the analytics row's key
        ("kind", "TEXT"),  # track | concert
        ("parent_id", "TEXT"),  # the missing track or concert id (NULL when the row names none)
        ("day", "DATE"),  # the daily row's day
    ),
    # data health's list ids with no record (dashboard/rollups.py, dangling_select): the rows of
    # queries/health/health_dangling_list_ids.sql, kept by every build, sync batch and decision that edits a list
    "dangling_ids_rollup": (
        ("artist_id", "TEXT"),  # the list's owner (NULL for a global list)
        ("kv_key", "TEXT"),  # the list's key
        ("item_id", "TEXT"),  # the id the list holds (NULL when the entry has none)
        ("position", "INTEGER"),  # its place in the list, from 0
        ("target", "TEXT"),  # the table the list's ids belong to
    ),
    # data health's donations to artists that do not exist (dashboard/rollups.py, orphan_donations_select)
    "orphan_donations_rollup": (
        ("artist_id", "TEXT"),  # the missing artist
        ("kv_key", "TEXT"),
        ("item_id", "TEXT"),  # the donation id
        ("amount", "DECIMAL(10,2)"),
        ("currency", "VARCHAR(3)"),
    ),
    # the revenue lines (queries/shared/revenue_lines.sql) summed per Moscow day and every column Revenue groups by;
    # the headline, streams, methods, currencies, the timeline and the data range read it
    "revenue_daily": (
        ("day", "DATE"),  # the lines' Moscow day
        ("stream", "TEXT"),  # donations, coins, beats, bookings, tickets, …
        ("detail", "TEXT"),  # promotion: banner | campaign | pitching; subscriptions: artist | dj; services: …
        ("currency", "TEXT"),  # RUB unless the line says otherwise
        ("status", "TEXT"),  # completed | refunded | failed | pending | …
        ("payment_method", "TEXT"),  # how the buyer paid (unknown where not recorded)
        ("provider", "TEXT"),  # the payment or ticket provider
        ("lines", "BIGINT"),  # how many lines
        ("amount", "DECIMAL(18,2)"),  # what buyers paid
        ("platform_share", "DECIMAL(18,2)"),  # the platform's part of amount
        ("third_party", "DECIMAL(18,2)"),  # ticket vendors' commission
    ),
    # the revenue lines per Moscow day, payer (for donations: the artist who received) and revenue_daily's columns;
    # Revenue → Artists reads it, and revenue_daily is summed from it at each build
    "revenue_artist_daily": (
        ("day", "DATE"),  # the lines' Moscow day
        ("user_id", "TEXT"),  # who paid, or the artist a donation went to
        ("stream", "TEXT"),  # as in revenue_daily
        ("detail", "TEXT"),  # as in revenue_daily
        ("currency", "TEXT"),  # as in revenue_daily
        ("status", "TEXT"),  # as in revenue_daily
        ("payment_method", "TEXT"),  # as in revenue_daily
        ("provider", "TEXT"),  # as in revenue_daily
        ("lines", "BIGINT"),  # how many lines
        ("amount", "DECIMAL(18,2)"),  # what was paid
        ("platform_share", "DECIMAL(18,2)"),  # the platform's part of amount
        ("third_party", "DECIMAL(18,2)"),  # ticket vendors' commission
    ),
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
    ("track_totals", ("user_id",)), ("ticket_sales", ("artist_id",)),
    ("ticket_sales", ("concert_id",)), ("bookings", ("performer_id",)), ("beat_purchases", ("producer_id",)),
    ("digital_purchases", ("producer_id",)), ("service_orders", ("producer_id",)), ("contracts", ("producer_id",)),
    ("track_test_requests", ("user_id",)), ("publish_orders", ("user_id",)),
    # issue 21: the rollups' periods, and the ids the data health's list check looks up per kind of list
    ("revenue_daily", ("day",)), ("revenue_artist_daily", ("day",)), ("kv_double_encoded", ("key",)),
    ("artist_directory", ("name", "artist_id")), ("artist_directory", ("artist_id",)), ("donations_daily", ("day",)),
    ("pending_rollup", ("created_at", "entity", "entity_id")), ("coins_by_user", ("user_id",)),
    ("coins_daily", ("day",)),
    ("videos", ("id",)), ("news", ("id",)),
    ("donations", ("id",)), ("banner_ads", ("id",)), ("promotion_campaigns", ("id",)),
    ("pitching_submissions", ("id",)), ("conversations", ("id",)), ("tickets", ("id",)), ("notifications", ("id",)),
    # issue 21: an incremental sync batch finds the rows under other keys whose revenue line its rows decide about
    # (dashboard/rollups.py, _DEPENDENTS)
    ("payment_transactions", ("id",)), ("payment_transactions", ("related_entity_id",)),
    ("donations", ("transaction_id",)), ("service_orders", ("id",)), ("contract_milestones", ("contract_id",)),
    # issue 21: a batch's orphan rows are found again by the parents it touched (dashboard/rollups.py, orphans)
    ("track_totals", ("track_id",)), ("orphan_analytics_rollup", ("parent_id",)),
    ("artist_lines_daily", ("day",)), ("artist_lines_daily", ("artist_id",)), ("revenue_artist_daily", ("user_id",)),
    ("orphan_analytics_rollup", ("kv_key",)), ("orphan_donations_rollup", ("artist_id",)),
    ("orphan_donations_rollup", ("kv_key",)),
    # a decision or a sync batch makes a list's rows again by its key, and forgets an id whose record appeared
    ("dangling_ids_rollup", ("kv_key",)), ("dangling_ids_rollup", ("item_id",)),
)


# PostgreSQL indexes with an operator class or on an expression: (table, the index's parenthesised spec, trusted
# text). Data health's list check reads each kind of list by its key's prefix, LIKE 'tracks:%', which a btree index
# serves only with text_pattern_ops whatever the database's collation (queries/health/health_dangling_list_ids.sql)
#
# Partial indexes (issue 21): data health's checks for missing required fields and guest payments read only the rows
# they report (a few), where PostgreSQL scanned each table whole (0.8 s at 10M keys). Each predicate is the check's
# own condition (queries/health/health_missing_required_fields.sql, health_guest_payments.sql), word for word, so
# the planner can prove the index covers it.
# PostgreSQL only, applied with the indexes (ingest.postgres_load.add_keys_and_indexes): (table, ALTER TABLE clause).
# Revenue → Artists sums artist_lines_daily per artist over a period (490k rows into 213k artists for 28 days at 10M
# keys): its ids are compared byte by byte (the "C" collation: ids are ASCII, so the order is the same as the
# database's UTF-8 collation, which compares through strcoll and made the grouping sort 2.5x slower), and it is
# read by one backend (a parallel plan sorted each worker's part and merged 334k partial groups: 1.0 s against
# 0.65 s; the page reads its two queries at once, one backend each).
PG_TABLE_SETTINGS: tuple[tuple[str, str], ...] = (
    ("artist_lines_daily", 'ALTER COLUMN artist_id TYPE TEXT COLLATE "C"'),
    ("artist_lines_daily", "SET (parallel_workers = 0)"),
)
PG_EXPRESSION_INDEXES: tuple[tuple[str, str], ...] = (
    ("kv_index", "(list_key text_pattern_ops)"),
    *((table, "(source_key) WHERE title IS NULL OR TRIM(title) = ''") for table in ("tracks", "videos", "concerts",
                                                                                      "news")),
    ("concerts", "(source_key) WHERE date IS NULL"),
    ("donations", "(source_key) WHERE amount IS NULL"),
    ("donations", "(source_key) WHERE artist_id IS NULL OR TRIM(artist_id) = ''"),
    ("payment_transactions", "(source_key) WHERE amount IS NULL"),
    ("coins_transactions", "(source_key) WHERE amount IS NULL"),
    ("payment_transactions", "(source_key) WHERE user_id IS NULL OR TRIM(user_id) = ''"),
    # Revenue → Coins: the coin purchases linked to their payments (queries/revenue/revenue_coins_liability.sql)
    ("coins_transactions", "(related_entity_id) WHERE type = 'purchase' AND amount > 0"),
)


def sql_type(declared: str, dialect: str) -> str:
    """The column type to declare on ``dialect`` ("duckdb" or "postgresql") for a reference type."""
    if declared == "TIMESTAMPTZ":
        return "TIMESTAMP WITH TIME ZONE"
    if declared == "JSONB" and dialect == "duckdb":
        return "JSON"
    return declared


def entity_columns(table: str) -> tuple[tuple[str, str], ...]:
    """The columns of an entity table (reference or platform), then ``source_key``, then for moderated content the
    last decision."""
    extra = MODERATION_COLUMNS if table in MODERATED_TABLES else ()
    return ENTITY_TABLES[table] + ((SOURCE_KEY, "TEXT"),) + extra


def table_columns(table: str) -> tuple[tuple[str, str], ...]:
    if table in ENTITY_TABLES:
        return entity_columns(table)
    if table in BOOKKEEPING_TABLES:
        return BOOKKEEPING_TABLES[table]
    if table in ROLLUP_TABLES:
        return ROLLUP_TABLES[table]
    return DURABLE_TABLES[table]


# DuckDB: columns stored uncompressed. kv_index's list keys and ids are nearly all distinct (DuckDB picks DICT_FSST,
# whose decoding was most of data health's list check: one LIKE over the list keys per kind of list, 15 of them,
# 4 ms each at 1M keys, against 1.4 ms uncompressed); the column is ~9 MB larger at 1M keys.
# The artist pages filter tracks and the derived series' records by owner (user_id) and join them by track id on
# every cold run: decoding those DICT_FSST columns was half of each series query (artist_plays_by_day 32 → 14 ms,
# artist_track_by_day 33 → 13 ms on the deployed 1M demo); ~17 MB larger there.
# Written uncompressed because compressing them cost the ingest more than the pages gain: every entity row's
# source_key (the KV key it came from: nearly all distinct, read by the moderation and health queries as a join key
# or one row at a time) and kv_double_encoded's keys (read whole by the write-back and the refresh). Compressing
# them was DICT_FSST's analysis of ~1.9M distinct strings on every ingest of the deployed 1M demo (0.31 → 0.09 s
# for kv_double_encoded's 517k keys alone); the store is ~60 MB larger there.
DUCKDB_UNCOMPRESSED = frozenset({
    ("kv_index", "list_key"), ("kv_index", "item_id"),
    ("tracks", "id"), ("tracks", "user_id"),
    ("track_totals_history", "track_id"), ("track_totals_history", "user_id"),
    ("kv_double_encoded", "key"),
})


def duckdb_uncompressed(table: str, col: str) -> bool:
    """Whether DuckDB stores ``table.col`` uncompressed (DUCKDB_UNCOMPRESSED, and every entity table's source_key)."""
    return (table, col) in DUCKDB_UNCOMPRESSED or (col == SOURCE_KEY and table in ENTITY_TABLES)


def create_table_sql(table: str, dialect: str, name: str | None = None) -> str:
    def storage(col: str) -> str:
        return " USING COMPRESSION uncompressed" if dialect == "duckdb" and duckdb_uncompressed(table, col) else ""

    cols = ", ".join(f'"{c}" {sql_type(t, dialect)}{storage(c)}' for c, t in table_columns(table))
    return f"CREATE TABLE IF NOT EXISTS {name or table} ({cols})"


def replaceable_tables() -> list[str]:
    """Every table whose content one ingest run replaces as a whole."""
    return list(BOOKKEEPING_TABLES) + list(ENTITY_TABLES) + list(ROLLUP_TABLES)
