"""Track tests (artist): the tests the artist ordered with their progress, and the results of the completed ones
(the overall rating, the four category averages, the summary and each expert's review)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import day_text, is_missing, number
from dashboard.metrics import artist as am
from dashboard.metrics import artist_deals as deals
from ui import tables
from ui.artist_pages import artist_page
from ui.data_access import query
from ui.kpi import kpi
from ui.language import current_lang, tr
from ui.plain_text import markdown_text

MAX_RESULTS = 10  # the latest completed tests shown in full; the list above has them all
SCORE = "pct"  # one decimal place, like the cards


def score(value: object) -> str:
    return "—" if is_missing(value) else number(value, current_lang(), 1)


artist_id = artist_page("artist_track_tests", "deals.tests.title")
tests = query("artist_track_tests", artist_id=artist_id)
if tests.empty:
    st.info(tr("deals.tests.empty"))
    st.stop()

lang = current_lang()
st.caption(tr("deals.tests.help"))
summary = deals.track_test_summary(tests)
c1, c2, c3, c4 = st.columns(4)
kpi(c1, tr("deals.kpi.tests_ordered"), number(summary["ordered"], lang), tr("deals.tests.help"))
kpi(c2, tr("deals.kpi.tests_completed"), number(summary["completed"], lang), tr("deals.tests.help"))
kpi(c3, tr("deals.kpi.tests_in_progress"), number(summary["in_progress"], lang),
    tr("deals.help.tests_in_progress"))
kpi(c4, tr("deals.kpi.mean_rating"), score(summary["mean_rating"]), tr("deals.help.mean_rating"))

st.subheader(tr("deals.tests.list"))
records = tests.to_dict("records")
tables.table(pd.DataFrame({
    "track": [r.get("track_title") for r in records],
    "genre": [r.get("genre") for r in records],
    "status": [am.translated("deals.test_status", r.get("status"), lang) for r in records],
    "reviews": [f"{number(deals.value(r.get('completed_reviews_count')), lang)} / "
                f"{number(deals.value(r.get('required_expert_count')), lang)}" for r in records],
    "created": [day_text(r.get("created_at"), lang) for r in records],
    "completed": [day_text(r.get("completed_at"), lang) for r in records],
    "rating": deals.amounts([r.get("average_rating") for r in records]),
}), "track_tests", labels="deals.col", kinds={"rating": SCORE}, wide=["track"])

st.subheader(tr("deals.tests.results"))
done = tests[tests["status"] == "completed"]
if done.empty:
    st.info(tr("deals.tests.no_results"))
    st.stop()
if len(done) > MAX_RESULTS:
    st.caption(tr("deals.tests.more", shown=MAX_RESULTS, total=len(done)))
reviews = query("artist_track_test_reviews", artist_id=artist_id)
for n, test in enumerate(done.head(MAX_RESULTS).to_dict("records")):
    st.markdown("#### " + markdown_text(tr("deals.tests.result_of", title=test.get("track_title") or "—",
                                                    date=day_text(test.get("completed_at"), lang))))
    columns = st.columns(5)
    for col, measure in zip(columns, ("average_rating", *deals.TEST_CATEGORIES), strict=True):
        col.metric(tr(f"deals.category.{measure}"), score(test.get(measure)))
    feedback = test.get("consolidated_feedback")
    if isinstance(feedback, str) and feedback.strip():
        st.markdown(f"**{tr('deals.tests.feedback')}:** " + markdown_text(feedback))
    mine = reviews[reviews["request_id"] == test["request_id"]] if not reviews.empty else reviews
    if mine.empty:
        st.caption(tr("deals.tests.no_reviews"))
        continue
    rows = mine.to_dict("records")
    tables.table(pd.DataFrame({
        "expert": [r.get("expert_name") for r in rows],
        "role": [am.translated("deals.expert_role", r.get("expert_role"), lang) for r in rows],
        **{c: deals.amounts([r.get(f"{c}_score") for r in rows])
           for c in (*deals.TEST_CATEGORIES, "overall")},
        "feedback": [r.get("general_feedback") for r in rows],
        "recommendations": [r.get("recommendations") for r in rows],
    }), f"track_test_reviews_{n}", labels="deals.col", kinds={c: "count" for c in (*deals.TEST_CATEGORIES, "overall")})
