"""Finding an artist by name for the pickers ("view as" in demo mode, staff's artist on the artist pages): a server
query with a LIMIT, and each artist labelled so that equal names are told apart."""

from __future__ import annotations

from ui.data_access import query

PICKER_MATCHES = 50  # an artist picker lists at most this many matches of what was typed


def artist_label(artist_id: str, name: object, city: object) -> str:
    """An artist as a picker shows them: the whole name, the city and the id (equal names told apart)."""
    parts = [str(name) if isinstance(name, str) and name else artist_id]
    if isinstance(city, str) and city:
        parts.append(city)
    if parts[0] != artist_id:
        parts.append(artist_id)
    return " · ".join(parts)


def artist_matches(search: str, keep: str | None) -> dict[str, tuple[str, str]]:
    """artist_id → (name, label) for the artists matching ``search`` (a server query with a LIMIT), plus ``keep``
    (the artist chosen before, if the store has them), so that a choice survives a new search."""
    found = query("artists_matching", search=search.strip(), limit=PICKER_MATCHES)
    matches = {str(a): (str(n), artist_label(str(a), n, c))
               for a, n, c in zip(found["artist_id"], found["name"], found["city"], strict=True)}
    if keep and keep not in matches:  # only an artist the store has (a link may name anyone)
        exact = query("artists_matching", search=keep, limit=PICKER_MATCHES)
        exact = exact[exact["artist_id"] == keep]
        if not exact.empty:
            name, city = exact["name"].iloc[0], exact["city"].iloc[0]
            matches = {keep: (str(name), artist_label(keep, name, city))} | matches
    return matches
