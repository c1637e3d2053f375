"""KPI cards with an honest comparison: every card that compares goes through ``kpi`` (the rule is
``dashboard.metrics.measures.change``; numbers through ``dashboard.i18n.formatting``)."""

from __future__ import annotations

from typing import Any

from dashboard.i18n.formatting import number, signed_percent
from dashboard.i18n.plural import plural
from dashboard.metrics.measures import MIN_PREVIOUS, MIN_PREVIOUS_SHARE, change, plain
from ui.language import current_lang, tr


def count(forms_key: str, n: object) -> str:
    """A number and its word in the right plural form, the number in the UI language: "1 234 платежа"."""
    whole = round(float(n or 0))  # type: ignore[arg-type]
    return f"{number(whole, current_lang())} {plural(whole, current_lang(), tr(forms_key))}"


def signed_delta(text: str, value: object, inverse: bool = False) -> dict[str, Any]:
    """``st.metric`` keyword arguments for a change shown as ``text`` ("+12,5 %", "−40": the one typographic minus,
    ``dashboard.i18n.formatting.MINUS``, which Streamlit does not read as negative): the arrow and the colour follow
    ``value`` itself. Up is good (green) unless ``inverse`` (more problems found is bad); no change: no arrow, grey."""
    moved = float(plain(value))  # type: ignore[arg-type]
    if not moved:
        return {"delta": text, "delta_color": "off", "delta_arrow": "off"}
    good = (moved > 0) != inverse
    return {"delta": text, "delta_color": "green" if good else "red", "delta_arrow": "up" if moved > 0 else "down"}


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
    return signed_delta(signed_percent(moved.pct, current_lang()), round(moved.pct, 1), inverse), ""


def kpi(col: Any, label: str, value: str, help_text: str, current: object = None, previous: object = None,
        inverse: bool = False) -> None:
    """A metric card; with ``current`` and ``previous`` also the change (a tiny previous value shows "—", and the
    tooltip says why)."""
    if current is None or previous is None:
        col.metric(label, value, help=help_text)
        return
    args, note = delta_args(current, previous, inverse)
    col.metric(label, value, help=f"{help_text}\n\n{note}" if note else help_text, **args)
