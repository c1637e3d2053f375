"""The platform's timezone, on its own so that modules needing only its name (the store's sessions, the ingest) do
not import the formatting code (and pandas)."""

TIMEZONE = "Europe/Moscow"  # the platform's timezone: the one name every module (and every session) uses
