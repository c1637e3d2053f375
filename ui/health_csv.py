"""The data health page's report with each check's CSV bytes and its table's column widths, made together
(``ui.data_access.computed`` caches them once per store version and language, so a rerun neither formats the findings
nor measures their columns). Outside the page, which may import no store type (tests/test_app_shell.py)."""

from __future__ import annotations

from typing import Any

from dashboard.health.report import health_report
from dashboard.i18n.translations import t
from dashboard.store.connect import Store
from ui import table_widths
from ui.by_content import made_once
from ui.csv_export import csv_of

# a check's findings sit in a bordered box: a little less room than a table on the page
BOXED_ROOM_PX = 880


def finding_widths(shown: Any, lang: str) -> dict[str, int]:
    """All five columns of a check's findings (headers in ``lang``) in a 1400 px window, the fix included: the long
    texts (what is wrong, the keys, the fix) share what is left (a cell's full text shows on hover, and the CSV has
    it whole)."""
    long_texts = [t(f"health.col.{c}", lang) for c in ("fix", "problem", "keys")]
    return table_widths.fit(shown, long_texts, room=BOXED_ROOM_PX, texts=[t("health.col.artist", lang)])


def report_with_csv(store: Store, lang: str, max_rows: int) -> dict[str, dict[str, Any]]:
    """``health_report(store, lang, max_rows)`` plus ``csv`` (each check's export frame as CSV bytes) and ``widths``
    (each check's shown columns, headers in ``lang``, in pixels). The bytes are kept by the check's own rows, the
    language and the names its words use (``ui.by_content``): a rerun after a write that changed no finding makes no
    CSV, and hashing the rows costs half of hashing the worded export (16 → 8 ms at 1M keys)."""
    report = health_report(store, lang, max_rows)
    csv = {name: made_once(report["rows"][name], ("health_csv", name, lang, report["names"][name]),
                           lambda frame=frame: csv_of(frame))
           for name, frame in report["export"].items()}
    widths = {name: finding_widths(frame.rename(columns=lambda c: t(f"health.col.{c}", lang)), lang)
              for name, frame in report["shown"].items()}
    return {**report, "csv": csv, "widths": widths}
