"""Data health (admins, moderators, managers): each check's count with the change since the previous ingest run, the
affected records (who, what is wrong, by how much), the KV keys and the fix in words, a CSV, and its definition.

The checks, their SQL and the fix proposals live in ``dashboard/health``; this page only reads. Element keys are
stable for browser tests: a container ``health_<check>`` per check, holding ``health_table_<check>`` and
``health_csv_<check>``; the summary table is ``health_summary``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.health.checks import CHECKS
from dashboard.health.history import count_change, previous_from_frame
from dashboard.i18n.formatting import moscow_time, number, signed_number
from ui.data_access import computed, query
from ui.health_csv import report_with_csv
from ui.identity import require_page
from ui.kpi import signed_delta
from ui.language import current_lang, tr
from ui.plain_text import markdown_text
from ui.sync_status import data_as_of
from ui.tables import column_config, csv_download

MAX_ROWS_SHOWN = 2_000
# rows tall enough for four lines: Streamlit wraps a cell's text only in rows over 64 px, so a long fix or key
# reads whole instead of being cut at the column's edge
WRAPPED_ROW_PX = 90


require_page("data_health")
st.title(tr("health.title"))
data_as_of()
st.caption(tr("health.intro"))

report = computed(report_with_csv, current_lang(), MAX_ROWS_SHOWN)  # per store version: a rerun formats nothing
found: dict[str, int] = report["found"]
# every store whose checks ran above has health_counts: an ingest creates it, and the checks read rollups that are
# younger than it (a store older than both got the one-line "re-ingest" from the first check)
previous = previous_from_frame(query("health_previous_counts"))
if previous is None:
    st.caption(tr("health.no_previous"))
else:
    st.caption(tr("health.previous_run", run=markdown_text(previous.run_id[:8]),
                     when=moscow_time(previous.finished_at, tr("freshness.zone"), current_lang())))

st.subheader(tr("health.summary"))
summary = pd.DataFrame({
    tr("health.col.check"): [tr(f"health.check.{c.name}.title") for c in CHECKS],
    tr("health.col.found"): [number(found[c.name], current_lang()) for c in CHECKS],
    tr("health.col.change"): [signed_number(count_change(c.name, found[c.name], previous), current_lang())
                              for c in CHECKS],
})
st.dataframe(summary, hide_index=True, width="stretch", key="health_summary",
             column_config=column_config(summary, right=list(summary.columns[1:])))
st.caption(tr("health.fixes_note"))

for check in CHECKS:
    delta = count_change(check.name, found[check.name], previous)
    with st.container(border=True, key=f"health_{check.name}"):
        st.subheader(tr(f"health.check.{check.name}.title"))
        st.caption(tr(f"health.check.{check.name}.definition"))
        st.metric(tr("health.found"), number(found[check.name], current_lang()),
                  **({} if delta is None else signed_delta(delta, inverse=True)),
                  help=tr(f"health.check.{check.name}.definition"))
        st.caption(tr("health.fixable" if check.fixable else "health.not_fixable"))
        if not found[check.name]:
            st.success(tr("health.none"))
            continue
        shown: pd.DataFrame = report["shown"][check.name]
        if found[check.name] > MAX_ROWS_SHOWN:
            st.caption(tr("health.shown_rows", shown=number(MAX_ROWS_SHOWN, current_lang()),
                             total=number(found[check.name], current_lang())))
        shown = shown.rename(columns=lambda c: tr(f"health.col.{c}"))
        # the widths were measured with the report (ui.health_csv.finding_widths: the fix included, in a 1400 px window)
        st.dataframe(shown, hide_index=True, width="stretch", key=f"health_table_{check.name}",
                     column_config=column_config(shown, right=[tr("health.col.by")],
                                                 widths=report["widths"][check.name]),
                     row_height=WRAPPED_ROW_PX)
        csv_download(report["export"][check.name], f"data_health_{check.name}.csv", key=f"health_csv_{check.name}",
                     data=report["csv"][check.name])
