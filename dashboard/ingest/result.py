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
        lines.extend(self.unmapped_lines())
        if self.coercion_nulls:
            lines.append(
                "  set to NULL (could not coerce): "
                + ", ".join(f"{c} {n:,}" for c, n in sorted(self.coercion_nulls.items()))
            )
        return lines

    def unmapped_lines(self) -> list[str]:
        """The unmapped keys in two groups: the layout's own ``unmodeled`` patterns (not modelled on purpose), each
        with its reason, and the keys no layout entry knows (unknown), by prefix."""
        if not self.unmapped_by_pattern:
            return []
        reasons = unmodeled_reasons(self.layout)
        on_purpose = sorted(((p, n) for p, n in self.unmapped_by_pattern.items() if p in reasons),
                            key=lambda kv: (-kv[1], kv[0]))
        unknown = sorted(((p, n) for p, n in self.unmapped_by_pattern.items() if p not in reasons),
                         key=lambda kv: (-kv[1], kv[0]))
        lines: list[str] = []
        if on_purpose:
            keys = sum(n for _, n in on_purpose)
            lines.append(f"  not modelled on purpose: {_n(keys, 'key')} in {_n(len(on_purpose), 'pattern')}")
            lines.extend(f"    {p} {n:,}: {reasons[p]}" for p, n in on_purpose)
        if unknown:
            keys = sum(n for _, n in unknown)
            shown = ", ".join(f"{p} {n:,}" for p, n in unknown[:12])
            more = f" (+{len(unknown) - 12} more patterns)" if len(unknown) > 12 else ""
            lines.append(f"  unknown (no layout entry): {_n(keys, 'key')}: {shown}{more}")
        return lines


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def unmodeled_reasons(layout_spec: str) -> dict[str, str]:
    """Pattern → reason of each ``unmodeled`` entry of the layout (empty when the layout cannot be read any more)."""
    from dashboard.ingest.layout import LayoutError, load_layout

    try:
        layout = load_layout(layout_spec)
    except LayoutError:
        return {}
    return {e.pattern: e.reason or "" for e in layout.entries if e.shape == "unmodeled"}
