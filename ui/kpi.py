"""KPI cards with an honest comparison: every card that compares goes through ``kpi`` (the rule is
``dashboard.metrics.measures.change``; numbers through ``dashboard.i18n.formatting``)."""

from __future__ import annotations

from typing import Any

from dashboard.i18n.formatting import number, signed_number, signed_percent
from dashboard.i18n.plural import plural
from dashboard.metrics.measures import MIN_PREVIOUS, MIN_PREVIOUS_SHARE, change
from ui.language import current_lang, tr


def count(forms_key: str, n: object) -> str:
    """A number and its word in the right plural form, the number in the UI language: "1 234 платежа"."""
    whole = round(float(n or 0))  # type: ignore[arg-type]
    return f"{number(whole, current_lang())} {plural(whole, current_lang(), tr(forms_key))}"


def delta_args(current: object, previous: object, inverse: bool = False) -> tuple[dict[str, Any], str]:
    """``st.metric`` keyword arguments for the change against the previous period, and a note for the tooltip
    when the change is not shown as a percentage (nothing before, or too little to compare)."""
    moved = change(current, previous)
    if moved.why == "same":
        return {"delta": signed_percent(0.0, current_lang()), "delta_color": "off", "delta_arrow": "off"}, ""
    if moved.pct is None:
        note = tr("kpi.no_previous") if moved.why == "none" else tr(
            "kpi.tiny_previous", min=int(MIN_PREVIOUS), share=int(MIN_PREVIOUS_SHARE * 100))
        return {"delta": "—", "delta_color": "off", "delta_arrow": "off"}, note
    return {"delta": signed_percent(moved.pct, current_lang()), **direction(moved.why == "up", inverse)}, ""


def direction(up: bool, inverse: bool = False) -> dict[str, str]:
    """``st.metric``'s arrow and colour for a change, said outright: the text carries the minus sign U+2212, which
    Streamlit does not read as negative (it looks for "-")."""
    good = up != inverse
    return {"delta_arrow": "up" if up else "down", "delta_color": "green" if good else "red"}


def signed_delta(value: object, inverse: bool = False) -> dict[str, Any]:
    """``st.metric`` keyword arguments for a whole signed change (net coins, a count's change): "+1 200", "−40"
    with its arrow and colour; no arrow and grey for 0."""
    n = round(float(value or 0))  # type: ignore[arg-type]
    if n == 0:
        return {"delta": signed_number(0, current_lang()), "delta_arrow": "off", "delta_color": "off"}
    return {"delta": signed_number(n, current_lang()), **direction(n > 0, inverse)}


def kpi(col: Any, label: str, value: str, help_text: str, current: object = None, previous: object = None,
        inverse: bool = False) -> None:
    """A metric card; with ``current`` and ``previous`` also the change (a tiny previous value shows "—", and the
    tooltip says why)."""
    if current is None or previous is None:
        col.metric(label, value, help=help_text)
        return
    args, note = delta_args(current, previous, inverse)
    col.metric(label, value, help=f"{help_text}\n\n{note}" if note else help_text, **args)
