"""The data health page's report with each check's CSV bytes, made together (``ui.data_access.computed`` caches the
pair once per store version and language, so a rerun neither formats the findings nor fingerprints their frames
for the CSV cache). Outside the page, which may import no store type (tests/test_app_shell.py)."""

from __future__ import annotations

from typing import Any

from dashboard.health.report import health_report
from dashboard.store.connect import Store
from ui.csv_export import safe_csv


def report_with_csv(store: Store, lang: str, max_rows: int) -> dict[str, dict[str, Any]]:
    """``health_report(store, lang, max_rows)`` plus ``csv``: each check's export frame as CSV bytes."""
    report = health_report(store, lang, max_rows)
    return {**report, "csv": {name: safe_csv(frame) for name, frame in report["export"].items()}}
