"""Marketplace (artist as a producer): beat and digital-good sales, service orders, contracts and their milestones,
with what buyers paid, the platform's 10 % and the artist's income. An artist who sells nothing there is told so."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import day_text, is_missing, rub
from dashboard.metrics import artist as am
from dashboard.metrics import artist_deals as deals
from ui import tables
from ui.artist_pages import artist_page
from ui.data_access import query
from ui.kpi import kpi
from ui.language import current_lang, tr

MONEY = {c: "amount" for c in ("price", "commission", "payout", "gross", "total", "paid", "amount")}


def text_or_dash(value: object) -> str:
    return "—" if is_missing(value) or not str(value).strip() else str(value)


artist_id = artist_page("artist_marketplace", "deals.market.title")
sales = query("artist_marketplace_sales", artist_id=artist_id)
orders = query("artist_service_orders", artist_id=artist_id)
contracts = query("artist_contracts", artist_id=artist_id)
if not deals.has_marketplace(sales, orders, contracts):
    st.info(tr("deals.market.empty"))
    st.stop()

lang = current_lang()
st.caption(tr("deals.market.help"))
lines = deals.marketplace_lines(sales, orders, contracts)
earning = lines[lines["line"] != "contract"]
c1, c2, c3, c4 = st.columns(4)
kpi(c1, tr("deals.kpi.market_gross"), rub(earning["gross"].sum(), lang), tr("deals.help.market_gross"))
kpi(c2, tr("deals.kpi.market_commission"), rub(earning["commission"].sum(), lang),
    tr("deals.help.market_commission"))
kpi(c3, tr("deals.kpi.market_payout"), rub(earning["payout"].sum(), lang), tr("deals.help.market_payout"))
kpi(c4, tr("deals.kpi.contracts_paid"), rub(lines.loc[lines["line"] == "contract", "gross"].sum(), lang),
    tr("deals.help.contracts_paid"))

st.subheader(tr("deals.market.lines"))
shown_lines = lines.copy()
shown_lines["line"] = shown_lines["line"].map(lambda k: tr(f"deals.kind.{k}"))
shown_lines["commission"] = deals.amounts(shown_lines["commission"])
shown_lines["payout"] = deals.amounts(shown_lines["payout"])
tables.table(shown_lines, "marketplace_lines", labels="deals.col", kinds={"sales": "count", **MONEY})

st.subheader(tr("deals.market.sales"))
if sales.empty:
    st.info(tr("deals.market.no_sales"))
else:
    records = sales.to_dict("records")
    tables.table(pd.DataFrame({
        "date": [day_text(r.get("created_at"), lang) for r in records],
        "kind": [tr(f"deals.kind.{r.get('kind')}") for r in records],
        "title": [text_or_dash(r.get("title")) for r in records],
        "license": [am.translated("deals.license", r.get("license_type"), lang) for r in records],
        "status": [am.translated("deals.sale_status", r.get("status"), lang) for r in records],
        "price": deals.amounts([r.get("price") for r in records]),
        "commission": deals.amounts([r.get("commission") for r in records]),
        "payout": deals.amounts([r.get("producer_payout") for r in records]),
    }), "marketplace_sales", labels="deals.col", kinds=MONEY)

st.subheader(tr("deals.market.orders"))
if orders.empty:
    st.info(tr("deals.market.no_orders"))
else:
    records = orders.to_dict("records")
    tables.table(pd.DataFrame({
        "date": [day_text(r.get("created_at"), lang) for r in records],
        "service": [text_or_dash(r.get("service_title")) for r in records],
        "client": [text_or_dash(r.get("client_name")) for r in records],
        "status": [am.translated("deals.order_status", r.get("status"), lang) for r in records],
        "progress": deals.amounts([r.get("progress") for r in records]),
        "deadline": [day_text(r.get("deadline"), lang) for r in records],
        "price": deals.amounts([r.get("price") for r in records]),
        "commission": deals.amounts([r.get("commission") for r in records]),
        "payout": deals.amounts([r.get("producer_payout") for r in records]),
        "contract": [tr("deals.yes") if bool(r.get("has_contract")) else tr("deals.no") for r in records],
    }), "service_orders", labels="deals.col", kinds={"progress": "count", **MONEY})

st.subheader(tr("deals.market.contracts"))
if contracts.empty:
    st.info(tr("deals.market.no_contracts"))
else:
    records = contracts.to_dict("records")
    tables.table(pd.DataFrame({
        "date": [day_text(r.get("created_at"), lang) for r in records],
        "service": [text_or_dash(r.get("service_title")) for r in records],
        "client": [text_or_dash(r.get("client_name")) for r in records],
        "status": [am.translated("deals.order_status", r.get("status"), lang) for r in records],
        "total": deals.amounts([r.get("total_amount") for r in records]),
        "paid": deals.amounts([r.get("paid_amount") for r in records]),
    }), "contracts", labels="deals.col", kinds=MONEY, wide=["service"])
    milestones = query("artist_contract_milestones", artist_id=artist_id)
    st.markdown(f"**{tr('deals.market.milestones')}**")
    if milestones.empty:
        st.info(tr("deals.market.no_milestones"))
    else:
        records = milestones.to_dict("records")
        tables.table(pd.DataFrame({
            "service": [text_or_dash(r.get("service_title")) for r in records],
            "milestone": [text_or_dash(r.get("title")) for r in records],
            "status": [am.translated("deals.milestone_status", r.get("status"), lang) for r in records],
            "amount": deals.amounts([r.get("amount") for r in records]),
            "due": [day_text(r.get("due_date"), lang) for r in records],
            "paid_at": [day_text(r.get("paid_at"), lang) for r in records],
        }), "contract_milestones", labels="deals.col", kinds=MONEY, wide=["service", "milestone"])
