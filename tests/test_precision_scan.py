"""The file scan for numbers that lose digits as doubles (precision.file_has_rounding): read in chunks into one
buffer, the end of each chunk carried to the next; a number is found wherever the chunks cut the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dashboard.ingest import precision
from dashboard.ingest.readers import detect

LOSES = "0.1000000000000000055511151231257827"  # reads back as 0.1
KEEPS = "0.30000000000000004"                   # JavaScript's shortest form of a double


def _snapshot(path: Path, number: str, at: int, lines: int = 60, gz: bool = False) -> Path:
    records = [f'{{"key": "k{i}", "value": {{"x": {KEEPS if i != at else number}, "pad": "{"я" * (i % 7)}"}}}}'
               for i in range(lines)]
    text = ("\n".join(records) + "\n").encode()
    path.write_bytes(gzip.compress(text) if gz else text)
    return path


@pytest.mark.parametrize("chunk", [37, 64, 100, 257, 4096])
@pytest.mark.parametrize("gz", [False, True])
def test_a_number_that_loses_digits_is_found_wherever_the_chunks_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      chunk: int, gz: bool) -> None:
    monkeypatch.setattr(precision, "CHUNK", chunk)
    for at in (0, 17, 59):
        name = f"s{at}.ndjson" + (".gz" if gz else "")
        assert precision.file_has_rounding(detect(_snapshot(tmp_path / name, LOSES, at, gz=gz))) is True
    clean = _snapshot(tmp_path / ("clean.ndjson" + (".gz" if gz else "")), KEEPS, 0, gz=gz)
    assert precision.file_has_rounding(detect(clean)) is False


def test_a_file_without_a_line_break_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One long line (a JSON array on one line): each chunk keeps only its last CARRY bytes for the next."""
    monkeypatch.setattr(precision, "CHUNK", 50)
    items = ", ".join(f'{{"key": "k{i}", "value": {KEEPS}}}' for i in range(40))
    path = tmp_path / "one.json"
    path.write_text(f"[{items}, {{\"key\": \"z\", \"value\": {LOSES}}}]")
    assert precision.file_has_rounding(detect(path)) is True
    path.write_text(f"[{items}]")
    assert precision.file_has_rounding(detect(path)) is False


def test_an_unreadable_gzip_is_left_to_the_careful_reader(tmp_path: Path) -> None:
    """A gzip cut after its first block: the scan does not judge it (the record-by-record reader says it is
    truncated)."""
    path = tmp_path / "cut.ndjson.gz"
    text = "".join(f'{{"key": "k{i}", "value": "{i * 7919 % 100003:x}{i}"}}\n' for i in range(100_000)).encode()
    packed = gzip.compress(text)
    path.write_bytes(packed[: len(packed) // 2])
    assert precision.file_has_rounding(detect(path)) is True
