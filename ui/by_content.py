"""What a page makes from a table's rows (its text on screen, its CSV bytes), kept by the rows' content: a page
shows the same rows on every rerun until the store changes, so the work is done once, not on every run. Kept in
this process for the last ``KEPT`` results, shared by every session (the key is the content, never the person)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd

KEPT = 256
T = TypeVar("T")
_made: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
_lock = threading.Lock()


def fingerprint(frame: pd.DataFrame) -> bytes | None:
    """A digest of the table's columns, types and cells, or None when its cells cannot be hashed."""
    digest = hashlib.blake2b(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode(), digest_size=20)
    try:
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return digest.digest()


def made_once(frame: pd.DataFrame, how: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """``make()``, the result of what ``how`` names done to ``frame``, kept by the frame's content and ``how``;
    ``how`` must name everything else the result depends on (the language, the labels). The result is shared:
    callers must not change it. Made afresh each time when the frame's cells cannot be hashed."""
    digest = fingerprint(frame)
    if digest is None:
        return make()
    key = (digest, *how)
    with _lock:
        if key in _made:
            _made.move_to_end(key)
            return _made[key]  # type: ignore[return-value]
    result = make()
    with _lock:
        _made[key] = result
        while len(_made) > KEPT:
            _made.popitem(last=False)
    return result
