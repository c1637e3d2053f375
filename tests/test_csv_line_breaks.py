"""Issue 27 item 9: a line break inside a value neither starts a new spreadsheet row nor hides a formula."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from ui.csv_export import FORMULA_STARTS, neutralize, safe_csv

HOSTILE = ["\r=1+1", "Иван\n=HYPERLINK(\"http://x\")", "a\r\n@SUM(A1)", "ok\r-2+3", "\n\t=cmd", "Песня 🔥"]


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_every_cell_with_a_line_break_is_quoted_and_keeps_its_row() -> None:
    frame = pd.DataFrame({"donor": HOSTILE, "amount": range(len(HOSTILE))})
    data = safe_csv(frame)
    rows = _rows(data)
    assert len(rows) == 1 + len(HOSTILE)  # the header and one row per record: no line break started a row
    assert [r[1] for r in rows[1:]] == [str(n) for n in range(len(HOSTILE))]
    text = data.decode("utf-8-sig")
    assert [r[0] for r in rows[1:]] == [neutralize(v) for v in HOSTILE]
    for value in HOSTILE[:-1]:  # every line-break cell is written inside quotes
        assert '"' + str(neutralize(value)).replace('"', '""') + '"' in text
    # a spreadsheet that splits physical lines still sees no line that starts a formula
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@")), line


@pytest.mark.parametrize("value", HOSTILE)
def test_every_line_of_a_cell_is_checked(value: str) -> None:
    shown = str(neutralize(value))
    lines = shown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert not [line for line in lines if line.startswith(FORMULA_STARTS)], shown
    assert shown.replace("'", "") == value.replace("'", "")  # only apostrophes are added
