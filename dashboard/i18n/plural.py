"""Plural forms of a counted word: "1 элемент", "3 элемента", "5 элементов", "1,5 элемента"; "1 item", "3 items".

One helper for the whole UI, on CLDR's plural rules (Babel). A translation entry for a counted word holds its forms
separated by "|": Russian has three (one | few | many: CLDR's "other", a fraction, takes the "few" form), English two
(one | other).
"""

from __future__ import annotations

from dashboard.i18n.formatting import locale_of, number

# CLDR's plural category -> the position of its form in a "|"-separated translation entry
FORM_INDEX = {"ru": {"one": 0, "few": 1, "many": 2, "other": 1}, "en": {"one": 0, "other": 1}}


def plural_form(n: float, lang: str) -> int:
    """Which form ``n`` takes: 0 one, 1 few, 2 many (Russian); 0 one, 1 other (English). CLDR decides."""
    key = "en" if lang == "en" else "ru"
    category = locale_of(key).plural_form(abs(n))
    return FORM_INDEX[key].get(category, len(FORM_INDEX[key]) - 1)


def plural(n: float, lang: str, forms: str) -> str:
    """The word for ``n`` from ``forms`` ("элемент|элемента|элементов" or "item|items")."""
    options = forms.split("|")
    return options[min(plural_form(n, lang), len(options) - 1)]


def count_of(n: int, lang: str, forms: str) -> str:
    """The number (in the UI language's digits, "1 234") and its word: "3 элемента", "21 элемент", "1 item"."""
    return f"{number(n, lang)} {plural(n, lang, forms)}"
