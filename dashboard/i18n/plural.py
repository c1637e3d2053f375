"""Plural forms of a counted word: "1 элемент", "3 элемента", "5 элементов"; "1 item", "3 items".

One helper for the whole UI. A translation entry for a counted word holds its forms separated by "|": Russian
has three (one | few | many), English two (one | other).
"""

from __future__ import annotations


def plural_form(n: int, lang: str) -> int:
    """Which form ``n`` takes: 0 one, 1 few, 2 many (Russian rules); 0 one, 1 other (English)."""
    n = abs(int(n))
    if lang != "ru":
        return 0 if n == 1 else 1
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def plural(n: int, lang: str, forms: str) -> str:
    """The word for ``n`` from ``forms`` ("элемент|элемента|элементов" or "item|items")."""
    options = forms.split("|")
    return options[min(plural_form(n, lang), len(options) - 1)]


def count_of(n: int, lang: str, forms: str) -> str:
    """The number and its word: "3 элемента", "21 элемент", "1 item"."""
    return f"{n} {plural(n, lang, forms)}"
