"""What pages make from a table's rows is made once per content (ui/by_content.py): the same rows and choices give
the made result again, any change of a cell, a column's type or a choice makes it afresh, and nothing is kept for
rows that cannot be hashed."""

from __future__ import annotations

import pandas as pd

from ui import by_content
from ui.by_content import made_once
from ui.csv_export import safe_csv


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"title": ["Весна 🌸", "=1+1"], "plays": [1234, 5]})


def test_the_same_rows_and_choices_are_made_once() -> None:
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text

    first = made_once(_frame(), ("test", "ru"), lambda: make("ru"))
    again = made_once(_frame(), ("test", "ru"), lambda: make("again"))
    assert first == again == "ru" and made == ["ru"]
    assert made_once(_frame(), ("test", "en"), lambda: make("en")) == "en"  # another choice
    changed = _frame()
    changed.loc[1, "plays"] = 6
    assert made_once(changed, ("test", "ru"), lambda: make("changed")) == "changed"  # another cell
    retyped = _frame().astype({"plays": "float64"})
    assert made_once(retyped, ("test", "ru"), lambda: make("float")) == "float"  # the same numbers, another type
    assert made == ["ru", "en", "changed", "float"]


def test_rows_that_cannot_be_hashed_are_made_each_time() -> None:
    frame = pd.DataFrame({"tags": [["a"], ["b"]]})
    made: list[int] = []
    for n in range(3):
        made_once(frame, ("lists",), lambda n=n: made.append(n))
    assert made == [0, 1, 2]


def test_only_the_last_results_are_kept() -> None:
    for n in range(by_content.KEPT + 10):
        made_once(pd.DataFrame({"n": [n]}), ("bound",), lambda n=n: n)
    assert len(by_content._made) == by_content.KEPT
    assert made_once(pd.DataFrame({"n": [0]}), ("bound",), lambda: "made again") == "made again"  # dropped first


def test_the_csv_of_the_same_rows_is_the_same_file() -> None:
    first, again = safe_csv(_frame()), safe_csv(_frame())
    assert first is again  # made once
    assert first.decode("utf-8-sig").splitlines() == ["title,plays", "Весна 🌸,1234", "'=1+1,5"]
