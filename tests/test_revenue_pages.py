"""The revenue page in AppTest, on the demo stores and on a hand-written snapshot. The page shows one view at a
time, picked with the ``rev_view`` selector; each test opens every view it checks."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n.formatting import rub
from dashboard.i18n.translations import t
from dashboard.store.connect import Store
from tests.apptest import open_page, parsed, texts
from tests.conftest import StoreFactory
from tests.sql import scalar
from tests.test_revenue import hand_store, moscow_bounds

PAGE = "ui/views/revenue.py"
DEMO_END = dt.date(2026, 10, 31)  # the demo's as_of is 2026-11-01 00:00 Moscow: its last payment day
ENGINES = ["duckdb", "postgresql"]
VIEWS = ("headline", "streams", "methods", "currencies", "subscriptions", "coins", "artists", "payments")


def revenue_page(store: Store, end: dt.date | None = None, preset: str | None = None,
                 custom: tuple[dt.date, dt.date] | None = None, role: str = "manager", lang: str = "ru") -> AppTest:
    at = open_page(store, PAGE, role=role, lang=lang)
    if preset:
        at.selectbox(key="rev_preset").set_value(preset).run()
    if custom:
        at.date_input(key="rev_custom").set_value(custom).run()
    if end:
        at.date_input(key="rev_end").set_value(end).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_view(at: AppTest, view: str) -> AppTest:
    """Pick ``view`` in the page's view selector and rerun; the page then shows that view only."""
    at.segmented_control(key="rev_view").set_value(view).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.segmented_control(key="rev_view").value == view
    return at


def metrics(at: AppTest, view: str) -> dict[str, str]:
    return {m.label: m.value for m in open_view(at, view).metric}


def independent_headline(store: Store, start: dt.date, end: dt.date) -> dict[str, float]:
    """Gross, refunds, net, failed for RUB written without the page's queries: payments, plus donations that no
    payment carries (by transaction_id), filtered by Moscow timestamps."""
    low, high = moscow_bounds(start, end)
    lines = """
        SELECT amount, status, currency FROM payment_transactions WHERE created_at >= :low AND created_at < :high
        UNION ALL
        SELECT amount, status, currency FROM donations AS d
        WHERE created_at >= :low AND created_at < :high
          AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p WHERE p.id = d.transaction_id)"""

    def total(statuses: str) -> float:
        return float(scalar(store, f"SELECT COALESCE(SUM(amount), 0) FROM ({lines}) AS l "
                                   f"WHERE status IN ({statuses}) AND COALESCE(currency, 'RUB') = 'RUB'",
                            low=low, high=high))
    gross, refunds = total("'completed', 'refunded'"), total("'refunded'")
    return {"gross": gross, "refunds": refunds, "net": gross - refunds, "failed": total("'failed'")}


@pytest.mark.parametrize("engine", ENGINES)
def test_headline_equals_independent_sql(demo_stores: dict[str, Store], engine: str) -> None:
    store = demo_stores[engine]
    at = revenue_page(store, end=DEMO_END)  # the default preset: the last 28 days (dashboard.period_presets)
    start = DEMO_END - dt.timedelta(days=27)
    now, before = independent_headline(store, start, DEMO_END), independent_headline(
        store, start - dt.timedelta(days=28), start - dt.timedelta(days=1))
    assert now["gross"] > 0 and now["refunds"] > 0 and now["net"] < now["gross"]
    shown = metrics(at, "headline")
    for key in ("gross", "refunds", "net"):
        assert shown[t(f"revenue.{key}")] == rub(now[key])
        assert t("revenue.previous", amount=rub(before[key])) in texts(at)
    assert shown[t("revenue.failed")] == rub(now["failed"])
    selector = at.segmented_control(key="rev_view")
    assert selector.options == [t(f"revenue.tab.{v}") for v in VIEWS] and selector.value == "headline"


def chart_traces(at: AppTest) -> list[list[str]]:
    """The trace names of each Plotly chart on the page, in page order."""
    return [[str(trace.get("name", "")) for trace in json.loads(c.proto.spec)["data"]]
            for c in at.get("plotly_chart")]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_view_renders_on_demo_data(demo_stores: dict[str, Store], engine: str) -> None:
    at = revenue_page(demo_stores[engine], end=DEMO_END, preset="90d")
    # headline (the default view): 4 money metrics and what the platform earned, the gross/refunds/net timeline and
    # its table, nothing of the others
    assert at.segmented_control(key="rev_view").value == "headline"
    assert len(at.metric) == 5 and len(at.dataframe) == 1
    assert at.metric[4].label == t("revenue.platform")
    assert chart_traces(at) == [[t(f"revenue.{m}") for m in ("gross", "refunds", "net")]]
    headline_net = float(at.metric[2].value.replace("\u00a0", "").removesuffix("₽"))
    platform_earned = float(at.metric[4].value.replace("\u00a0", "").removesuffix("₽"))
    # streams: the stacked chart and the stream table with every stream, adding up to the headline net
    open_view(at, "streams")
    assert not at.metric and len(at.dataframe) == 2  # where the money comes from, then who gets it (issue 24)
    stream_table = parsed(at.dataframe[0].value)
    main_streams = [t(f"revenue.stream.{s}") for s in ("donations", "coins", "subscriptions", "promotion")]
    assert set(main_streams) <= set(stream_table[t("revenue.col.stream")])
    assert stream_table[t("revenue.col.net")].iloc[:4].sum() == pytest.approx(headline_net, abs=4)
    # the platform's share: everything but donations in the documented layout; the column sums to the headline's
    assert stream_table[t("revenue.col.platform.short")].iloc[:4].sum() == pytest.approx(platform_earned, abs=4)
    donations = stream_table.set_index(t("revenue.col.stream")).loc[t("revenue.stream.donations")]
    assert donations[t("revenue.col.platform.short")] == 0  # "Платформе, ₽": the share, its full name on hover
    assert chart_traces(at)[0][:4] == main_streams  # stacked in the fixed stream order
    # methods: one table per method and per provider, with rates
    open_view(at, "methods")
    method, provider = (parsed(df.value) for df in at.dataframe)
    assert {t("method.card"), t("method.sbp"), t("method.yoomoney")} <= set(method[t("revenue.col.payment_method")])
    assert t("provider.yookassa") in set(provider[t("revenue.col.provider")])
    assert len(at.get("plotly_chart")) == 2  # payments by outcome, per method and per provider
    # currencies: RUB first, the others listed on their own
    open_view(at, "currencies")
    currencies = parsed(at.dataframe[0].value)
    assert len(at.dataframe) == 1
    assert currencies[t("revenue.col.currency")].iloc[0] == "RUB"
    assert {"USD", "EUR"} & set(currencies[t("revenue.col.currency")])
    # subscriptions: 5 metrics, active-by-tier and MRR charts, tier table with configured prices
    open_view(at, "subscriptions")
    assert len(at.metric) == 5
    tiers = parsed(at.dataframe[0].value).set_index(t("revenue.col.tier"))
    assert tiers.loc[t("tier.pro"), t("revenue.col.price")] == 1490
    active_chart, mrr_chart = chart_traces(at)
    assert t("tier.pro") in active_chart and len(mrr_chart) == 1
    # coins: purchased vs spent, spend by entity type
    open_view(at, "coins")
    assert len(at.metric) == 3
    entities = set(parsed(at.dataframe[0].value)[t("revenue.col.entity")])
    assert {t(f"coin_entity.{e}") for e in ("banner", "pitching", "promotion", "boost")} <= entities
    assert chart_traces(at) == [[t("revenue.coins_kind.purchased"), t("revenue.coins_kind.spent")]]
    # artists: ARPU and two top lists
    open_view(at, "artists")
    assert len(at.metric) == 3 and len(at.dataframe) == 2
    assert not parsed(at.dataframe[0].value).empty


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_period_renders(demo_stores: dict[str, Store], engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ui.date_pickers.REACH_DAYS", 10_000)  # the pickers reach 2020 (two years back otherwise)
    at = revenue_page(demo_stores[engine], preset="custom", custom=(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    shown = metrics(at, "headline")
    assert shown[t("revenue.gross")] == shown[t("revenue.net")] == "0\u00a0₽"
    assert t("revenue.no_data") in texts(at)
    for view in VIEWS[1:]:  # every view opens without errors (open_view checks) and shows nothing of the period
        open_view(at, view)
        assert view not in ("streams", "coins") or t("revenue.no_data") in texts(at)
    assert metrics(at, "artists")[t("revenue.arpu")] == "—"


def test_hand_snapshot_on_the_page(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    at = revenue_page(store, end=dt.date(2026, 10, 31), preset="this_month")
    head = metrics(at, "headline")
    assert (head[t("revenue.gross")], head[t("revenue.refunds")], head[t("revenue.net")],
            head[t("revenue.failed")]) == (rub(4738), rub(649), rub(4089), rub(490))
    currencies = parsed(open_view(at, "currencies").dataframe[0].value).set_index(t("revenue.col.currency"))
    assert list(currencies.index) == ["RUB", "USD"]  # USD on its own row, never in RUB
    assert currencies.loc["USD", t("revenue.col.net_cur")] == 10.0
    assert currencies.loc["RUB", t("revenue.col.net_cur")] == 4089.0
    subs = metrics(at, "subscriptions")
    assert (subs[t("revenue.subs_mrr")], subs[t("revenue.subs_churn")]) == (rub(1490), "100,0\u00a0%")
    assert t("revenue.subs_unpriced", tiers="vip") in texts(at)
    coins = metrics(at, "coins")
    assert (coins[t("revenue.coins_purchased")], coins[t("revenue.coins_spent")]) == ("1\u00a0000", "500")
    assert metrics(at, "artists")[t("revenue.arpu")] == rub(1750)
    top = parsed(at.dataframe[0].value)  # still on the artists view
    assert top[t("revenue.col.name")].iloc[0].startswith("=HYPERLINK")  # shown as text; CSV export neutralizes it


def test_english_and_role_gate(demo_duckdb: Store) -> None:
    at = revenue_page(demo_duckdb, end=DEMO_END, role="admin", lang="en")
    assert at.title[0].value == "Platform revenue"
    assert t("revenue.gross", "en") in metrics(at, "headline")
    assert at.segmented_control(key="rev_view").options == [t(f"revenue.tab.{v}", "en") for v in VIEWS]
    cyrillic = re.compile("[\u0400-\u04ff]")
    for view in VIEWS:  # labels, headings and table headers in English (user content, e.g. names, may be Cyrillic)
        open_view(at, view)
        labels = [m.label for m in at.metric] + [h.value for h in at.subheader]
        labels += [c.value for c in at.caption]  # the shell's "data as of" included: its zone reads MSK
        labels += [str(col) for df in at.dataframe for col in df.value.columns]
        assert labels and not [text for text in labels if cyrillic.search(text)], view
    artist = str(scalar(demo_duckdb, "SELECT MIN(user_id) FROM tracks"))
    for role, artist_id in (("moderator", None), ("artist", artist)):  # a link resolves, the page refuses them
        refused = open_page(demo_duckdb, PAGE, role=role, artist_id=artist_id)
        assert not refused.exception
        assert [e.value for e in refused.error] == ["Эта страница недоступна для вашей роли."]
        assert not refused.metric and not refused.dataframe


def cards(at: AppTest) -> dict[str, tuple[str, str]]:
    """Each metric card's value and its change against the previous period."""
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_coins_and_artists_views_compare_with_the_previous_period(new_store: StoreFactory, tmp_path: Path) -> None:
    """By hand. Coins, 13–31 October against 24 September – 12 October: purchased 0 against 1 000 (−100 %), spent
    200 against 300 (−33,3 %). Artists, October against September: art-1 received 1 450 ₽ in donations and paid
    300 ₽ (1 750 ₽) against the 1 000 ₽ subscription it paid in September (+75 %); one active artist in both."""
    store = hand_store(new_store, tmp_path)
    coins = cards(open_view(revenue_page(store, preset="custom",
                                         custom=(dt.date(2026, 10, 13), dt.date(2026, 10, 31))), "coins"))
    assert coins[t("revenue.coins_purchased")] == ("0", "\u2212100,0\u00a0%")
    assert coins[t("revenue.coins_spent")] == ("200", "\u221233,3\u00a0%")
    assert coins[t("revenue.coins_balance")][1] == ""  # a snapshot of now: nothing to compare
    at = open_view(revenue_page(store, end=dt.date(2026, 10, 31), preset="this_month"), "artists")
    artists = cards(at)
    assert artists[t("revenue.arpu")] == (rub(1750), "+75,0\u00a0%")
    assert artists[t("revenue.artist_revenue")] == (rub(1750), "+75,0\u00a0%")
    assert artists[t("revenue.active_artists")] == ("1", "0\u00a0%")  # no change: a grey "0 %", no arrow
    assert t("revenue.previous", amount=rub(1000)) in texts(at)


def test_payments_search_narrows_the_rows(new_store: StoreFactory, tmp_path: Path) -> None:
    """October holds 11 payments; searching a payment method shown in the table (SBP: p2 and p3) leaves those two,
    searching a full payment id (shown shortened, or not at all) leaves one."""
    at = open_view(revenue_page(hand_store(new_store, tmp_path), end=dt.date(2026, 10, 31), preset="this_month"),
                   "payments")
    table = at.dataframe[0].value
    assert len(table) == 11 and "11 платежей" in [c.value for c in at.caption]
    method = t("method.sbp")
    assert method in set(table[t("revenue.col.payment_method")])  # the search value, as the table shows it
    at.text_input(key="rev_payments_search").set_value(method.lower()).run()
    narrowed = at.dataframe[0].value
    assert len(narrowed) == 2 and set(narrowed[t("revenue.col.payment_method")]) == {method}
    assert "2 платежа" in [c.value for c in at.caption]
    at.text_input(key="rev_payments_search").set_value("promo2").run()
    one = at.dataframe[0].value
    assert len(one) == 1 and one[t("revenue.col.status")].iloc[0] == t("payment_status.refunded")
    at.text_input(key="rev_payments_search").set_value("").run()
    assert len(at.dataframe[0].value) == 11


def plotly_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_the_currency_chart_is_drawn(new_store: StoreFactory, tmp_path: Path) -> None:
    """The currencies view draws payments per currency: RUB 11, USD 1 (its own bar, never in RUB)."""
    at = open_view(revenue_page(hand_store(new_store, tmp_path), end=dt.date(2026, 10, 31), preset="this_month"),
                   "currencies")
    (spec,) = plotly_specs(at)
    (bars,) = spec["data"]
    assert bars["type"] == "bar" and bars["orientation"] == "h"
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {"RUB": 11, "USD": 1}
    assert spec["layout"]["xaxis"]["tickformat"] == ",d" and spec["layout"]["xaxis"]["title"]["text"] == t(
        "revenue.col.payments")
    assert t("revenue.currencies_chart_note") in [c.value for c in at.caption]


def test_count_charts_on_the_page_have_whole_number_axes(new_store: StoreFactory, tmp_path: Path) -> None:
    """Payments by outcome, active subscriptions and coins are counts: whole-number ticks from 0; one tick per unit
    while they are small (5 active subscriptions at most, so never "0,5 of a subscription")."""
    at = revenue_page(hand_store(new_store, tmp_path), end=dt.date(2026, 10, 31), preset="this_month")
    for spec in plotly_specs(open_view(at, "methods")):
        axis = spec["layout"]["xaxis"]
        assert axis["tickformat"] == ",d" and axis["rangemode"] == "tozero"
    active, mrr = plotly_specs(open_view(at, "subscriptions"))
    assert active["layout"]["yaxis"]["tickformat"] == ",d" and active["layout"]["yaxis"]["dtick"] == 1
    assert active["layout"]["yaxis"]["rangemode"] == "tozero"
    assert mrr["layout"]["yaxis"]["tickformat"] == ",.0f"  # money, not a count
    (coins,) = plotly_specs(open_view(at, "coins"))
    assert coins["layout"]["yaxis"]["tickformat"] == ",d" and coins["layout"]["yaxis"]["rangemode"] == "tozero"
