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


MOSCOW = "datetime64[us, Europe/Moscow]"


def _times(micros: list[int]) -> pd.Series:
    """Times from 1900 to 2050 (Moscow's offsets: +02:30:17 before 1919, summer times, +04:00 of 2011–2014), with
    the given microseconds, one of them missing."""
    seconds = [-2_200_000_000 + i * 37_000_003 for i in range(len(micros))]
    values = pd.Series(pd.to_datetime([s * 1_000_000 + m for s, m in zip(seconds, micros, strict=True)], unit="us",
                                      utc=True).tz_convert("Europe/Moscow")).astype(MOSCOW)
    values[3] = pd.NaT
    return values


@pytest.mark.parametrize("micros", [
    [0] * 200,  # whole seconds: no fraction
    [(i % 7) * 1_000 for i in range(200)],  # milliseconds: three digits on every value
    [(i % 7) * 123_457 for i in range(200)],  # microseconds: six digits on every value
    [5_000 if i == 9 else 0 for i in range(200)],  # one value with a fraction gives every value one
])
def test_times_are_written_as_pandas_writes_them(micros: list[int]) -> None:
    """safe_csv words a zoned time column itself (for speed); the file is byte for byte what pandas writes."""
    frame = pd.DataFrame({"created_at": _times(micros), "n": range(len(micros))})
    expected = frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    assert safe_csv(frame) == expected
    rows = _rows(expected)
    assert rows[1 + 3][0] == ""  # the missing time
    assert {r[0][-6:] for r in rows[1:] if r[0]} >= {"+03:00", "+04:00"}
    assert any(r[0].endswith("+02:30:17") for r in rows[1:])


def test_a_column_of_missing_times_is_empty() -> None:
    frame = pd.DataFrame({"created_at": pd.Series([pd.NaT, pd.NaT], dtype=MOSCOW)})
    assert _rows(safe_csv(frame)) == [["created_at"], [""], [""]]


def test_text_and_mixed_columns_are_neutralized_alike() -> None:
    """A text column is checked whole, a column of mixed objects cell by cell: the same cells change."""
    cells = [*HOSTILE, "-5", "plain", None, "tab\tinside", "@x"]
    mixed = pd.Series([*cells, 12, 3.5], dtype=object)
    text = pd.Series(cells, dtype="str")
    out_mixed = _rows(safe_csv(pd.DataFrame({"v": mixed})))[1:]
    out_text = _rows(safe_csv(pd.DataFrame({"v": text})))[1:]
    expected = [str(neutralize(c)) if c is not None else "" for c in cells]
    assert [r[0] for r in out_text] == expected
    assert [r[0] for r in out_mixed] == [*expected, "12", "3.5"]
