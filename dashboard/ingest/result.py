"""The outcome of an ingest or sync: counts, rejects, unmapped patterns and the summary printed for people.

Its own module so that ``sync``, ``status`` and the CLI read results without importing the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.moderation.config import layout_rules


class IngestError(Exception):
    """A fatal ingest problem; the message is one line for the user."""


@dataclass
class IngestResult:
    run_id: str
    store: str
    layout: str
    files: list[dict[str, Any]]
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_unmapped: int = 0
    duplicates: int = 0
    table_counts: dict[str, int] = field(default_factory=dict)
    coercion_nulls: dict[str, int] = field(default_factory=dict)
    unmapped_by_pattern: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    # the readers' notes on a file's structure that are not records: a stray ], an array never closed (issue 20)
    notes: list[str] = field(default_factory=list)
    # keys whose value has a number that lost digits as a double (ingest/precision.py, issue 27 item 11)
    rounded_keys: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        lines = [
            f"ingest {self.run_id[:8]} into {self.store} (layout {self.layout}): "
            f"{self.rows_read:,} records read, {self.rows_loaded:,} keys loaded, {self.rows_rejected:,} rejected, "
            f"{self.rows_unmapped:,} unmapped, {self.duplicates:,} duplicates superseded, in {self.seconds:.1f} s",
        ]
        lines.append("  " + layout_rules(self.layout)[0])
        tables = ", ".join(f"{t} {n:,}" for t, n in self.table_counts.items() if n)
        lines.append(f"  tables: {tables or 'none'}")
        if self.rejects_by_reason:
            lines.append("  rejects: " + ", ".join(f"{r} {n:,}" for r, n in self.rejects_by_reason.items()))
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.rounded_keys:
            n = len(self.rounded_keys)
            more = f" and {n - 5:,} more" if n > 5 else ""
            keys = ", ".join(self.rounded_keys[:5])
            lines.append(f"  numbers rounded to double precision: {n:,} (keys {keys}{more})")
        if self.unmapped_by_pattern:
            top = sorted(self.unmapped_by_pattern.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = ", ".join(f"{p} {n:,}" for p, n in top[:12])
            more = f" (+{len(top) - 12} more patterns)" if len(top) > 12 else ""
            lines.append(f"  unmapped: {shown}{more}")
        if self.coercion_nulls:
            lines.append(
                "  set to NULL (could not coerce): "
                + ", ".join(f"{c} {n:,}" for c, n in sorted(self.coercion_nulls.items()))
            )
        return lines
