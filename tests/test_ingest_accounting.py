"""Every record a reader sees is accounted for (issue 20 item 1, issue 27 items 1-3): read = loaded + rejected,
with the record number of each reject, on both engines; a file whose records cannot be told apart, or that is cut
short, is refused in one line and the store keeps what it held."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest.build import ingest
from dashboard.ingest.readers import UNCLOSED_QUOTE, InputError, SourceFile, read_batches, too_large_reason
from dashboard.ingest.result import IngestResult
from dashboard.store.connect import Store
from dashboard.sync.run import sync
from dashboard.sync.source import resolve_source
from tests.conftest import REPO, StoreFactory, reader_cases
from tests.sql import rows, scalar
from tests.sync_platform import TABLE, platform_execute
from tests.test_sync import ENV, platform  # noqa: F401  (platform: the fixture)

quiet = lambda _m: None  # noqa: E731


def _line(key: str, value: object) -> str:
    return json.dumps({"key": key, "value": value}, ensure_ascii=False)


def _tracks(n: int) -> list[str]:
    return [_line(f"tracks:u1:t{i}", {"id": f"t{i}", "title": f"трек {i}"}) for i in range(n)]


def _accounted(result: IngestResult, store: Store, written: int, loaded: int, rejects: list[int]) -> None:
    """read = loaded + rejected = the records written; the rejects are exactly these record numbers."""
    assert result.rows_read == written == result.rows_loaded + result.rows_rejected + result.duplicates
    assert (result.rows_loaded, result.rows_rejected) == (loaded, len(rejects))
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == loaded
    assert [r[0] for r in rows(store, "SELECT record_no FROM kv_rejects ORDER BY record_no")] == rejects


UNTERMINATED = '{"key": "tracks:u1:t%d", "value": {"id": "t%d", "title": "никогда не закроется}}'


@pytest.mark.parametrize(("new_store", "style"), reader_cases(["lines", "indented"]), indirect=["new_store"])
def test_three_strings_that_never_close_cost_three_records(new_store: StoreFactory, tmp_path: Path,
                                                          style: str) -> None:
    store = new_store()
    bad_at = (5, 2500, 4990)
    if style == "lines":
        elements = _tracks(5000)
        for i in bad_at:
            elements[i] = UNTERMINATED % (i, i)
        text = "[\n" + ",\n".join(elements) + "\n]\n"
    else:  # json.dumps(indent=2), the string cut open inside a nested object
        marker = "ОБРЫВ"
        records = [{"key": f"tracks:u1:t{i}", "value": {"id": f"t{i}", "title": marker if i in bad_at else "ок"}}
                   for i in range(5000)]
        text = json.dumps(records, ensure_ascii=False, indent=2).replace(f'"{marker}"', f'"{marker}')
    path = tmp_path / "five-thousand.json"
    path.write_text(text, encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 5000, 4997, [i + 1 for i in bad_at])
    assert scalar(store, "SELECT COUNT(*) FROM tracks") == 4997
    assert set(result.rejects_by_reason) == {"malformed JSON"}


def test_array_left_open_at_the_end(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    path = tmp_path / "open.json"
    path.write_text("[\n" + ",\n".join([*_tracks(3), '{"key": "tracks:u1:cut", "value": {"id": "cut", "n": [1, 2'])
                    + "\n", encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 4, 3, [4])
    assert any("not closed" in n for n in result.notes)
    assert any("note: open.json: the array is not closed" in line for line in result.summary_lines())


def test_stray_closing_bracket_mid_file(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    a, b, c = _tracks(3)
    path = tmp_path / "stray.json"
    path.write_text(f"[{a}\n],\n{b},\n{c}]\n", encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 3, 3, [])
    assert result.notes == ["stray.json: a ] after record 1 closes the array early; the records after it were "
                            "read too"]


def test_records_after_the_closing_bracket(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    records = _tracks(5)
    path = tmp_path / "after.json"
    path.write_text("[" + ",\n".join(records[:3]) + "]\n" + "\n".join(records[3:]) + "\n", encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 5, 5, [])
    assert scalar(store, "SELECT COUNT(*) FROM tracks") == 5
    assert any("closes the array early" in n for n in result.notes)


def test_records_that_cannot_be_told_apart_refuse_the_file(new_store: StoreFactory, tmp_path: Path) -> None:
    """One line, no line breaks: after a string that never closes, quotes pair up wrongly to the end."""
    store = new_store()
    good = tmp_path / "good.ndjson"
    good.write_text("\n".join(_tracks(2)) + "\n", encoding="utf-8")
    ingest([good], store, "seed", say=quiet)
    elements = _tracks(10)
    elements[4] = UNTERMINATED % (4, 4)
    path = tmp_path / "compact.json"
    path.write_text("[" + ", ".join(elements) + "]", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be told apart; nothing was loaded") as info:
        ingest([path], store, "seed", say=quiet)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 2  # the store kept what it held


def test_csv_value_whose_quote_never_closes(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()

    def row(i: int) -> str:
        return f'tracks:u1:t{i},"{json.dumps({"id": f"t{i}"}).replace(chr(34), chr(34) * 2)}"\r\n'

    body = [row(i) for i in range(6)]
    body[2] = 'tracks:u1:t2,"{""id"": ""t2""}\r\n'  # the closing quote is missing
    body[5] = 'tracks:u1:t5,"{""id"": ""t5""\r\n'   # the last one too, at the end of the file
    path = tmp_path / "export.csv"
    path.write_text("key,value\r\n" + "".join(body), encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 6, 4, [4, 7])  # record numbers are line numbers (the header is line 1)
    assert result.rejects_by_reason == {UNCLOSED_QUOTE: 2}
    # a quoted value may still span lines when its lines make JSON
    multi = tmp_path / "multi.csv"
    multi.write_text('key,value\ntracks:u1:m,"{\n""id"": ""m""}"\ntracks:u1:n,"{""id"": ""n""}"\n', encoding="utf-8")
    result = ingest([multi], new_store(), "seed", say=quiet)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)


def _truncated_gz(path: Path, data: bytes) -> Path:
    packed = gzip.compress(data)
    path.write_bytes(packed[: len(packed) * 2 // 3])
    return path


@pytest.mark.parametrize(("new_store", "fmt"), reader_cases(["ndjson", "json", "csv"]), indirect=["new_store"])
def test_truncated_gzip_is_refused_in_one_line(new_store: StoreFactory, tmp_path: Path, fmt: str) -> None:
    store = new_store()
    records = _tracks(20_000)
    good = tmp_path / "good.ndjson"
    good.write_text("\n".join(records[:3]) + "\n", encoding="utf-8")
    ingest([good], store, "seed", say=quiet)
    if fmt == "ndjson":
        data = "\n".join(records) + "\n"
    elif fmt == "json":
        data = "[\n" + ",\n".join(records) + "\n]\n"
    else:
        data = "key,value\n" + "".join(
            f'tracks:u1:t{i},"{json.dumps({"id": f"t{i}"}).replace(chr(34), chr(34) * 2)}"\n' for i in range(20_000))
    path = _truncated_gz(tmp_path / f"cut.{fmt}.gz", data.encode())
    with pytest.raises(InputError, match="truncated") as info:
        ingest([path], store, "seed", say=quiet)
    assert "\n" not in str(info.value)
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 3


def test_truncated_parquet_gz_gives_one_line_from_the_cli(tmp_path: Path) -> None:
    parquet = tmp_path / "snap.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'tracks:u1:t' || i AS key, '{{\"id\": \"t' || i || '\"}}' AS value "
                f"FROM range(20000) t(i)) TO '{parquet}' (FORMAT parquet)")
    con.close()
    cut = _truncated_gz(tmp_path / "snap.parquet.gz", parquet.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(cut), "--db", str(tmp_path / "s.duckdb")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "truncated" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("name", ["head.ndjson.gz", "head.json.gz", "head.parquet.gz"])
def test_a_gzip_cut_in_its_first_block_is_refused_as_truncated(tmp_path: Path, name: str) -> None:
    """Cut before the reader's first 4 KB: said as any other cut (it was "cannot read (Compressed file ended …)")."""
    store = Store(str(tmp_path / "s.duckdb"))
    path = _truncated_gz(tmp_path / name, ("\n".join(_tracks(200)) + "\n").encode())
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(InputError) as info:
        ingest([path], store, "seed", say=quiet)
    assert str(info.value) == f"{path}: the compressed data ends early (the file is truncated); nothing was loaded"


LIMIT = 1_000_000
BIG_LIMIT = 2_500_000


@pytest.mark.parametrize(("new_store", "fmt"), reader_cases(["ndjson", "json", "csv", "parquet"]),
                         indirect=["new_store"])
def test_a_record_over_the_size_limit_is_rejected_with_its_size(new_store: StoreFactory, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """PROMO_MAX_VALUE_BYTES set small (2.5 MB) stands for the 32 MiB default: a 3 MB record is rejected with its
    size, a 1.5 MB one loads whole (over 1 MB, the reader hands its value to SQL apart from the key), and so does
    everything else."""
    monkeypatch.setenv("PROMO_MAX_VALUE_BYTES", str(BIG_LIMIT))
    store = new_store()
    records = [("tracks:u1:t0", {"id": "t0"}), ("tracks:u1:big", {"id": "big", "lyrics": "я" * 1_500_000}),
               ("tracks:u1:under", {"id": "under", "lyrics": "z" * 1_500_000}), ("tracks:u1:t3", {"id": "t3"})]
    lines = [_line(k, v) for k, v in records]
    if fmt == "ndjson":
        text = "\n".join(lines) + "\n"
        big_no, big_size = 2, len(lines[1].encode())
    elif fmt == "json":
        text = "[\n" + ",\n".join(lines) + "\n]\n"
        big_no, big_size = 2, len(lines[1].encode())
    else:
        cells = [(k, json.dumps(v, ensure_ascii=False)) for k, v in records]
        text = "key,value\n" + "".join(f'{k},"{v.replace(chr(34), chr(34) * 2)}"\n' for k, v in cells)
        big_no, big_size = (3 if fmt == "csv" else 2), len(cells[1][0].encode()) + len(cells[1][1].encode())
    path = tmp_path / f"big.{fmt}"
    if fmt == "parquet":  # read by DuckDB itself: the limit is applied in its staging SQL
        con = duckdb.connect()
        con.execute("CREATE TABLE t (key VARCHAR, value VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", cells)
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
        con.close()
    else:
        path.write_text(text, encoding="utf-8")
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 4, 3, [big_no])
    assert rows(store, "SELECT reason FROM kv_rejects") == [(too_large_reason(big_size, BIG_LIMIT),)]
    assert scalar(store, "SELECT COUNT(*) FROM tracks WHERE id IN ('t0', 'under', 't3')") == 3
    under = json.loads(scalar(store, "SELECT CAST(value AS TEXT) FROM kv_store WHERE key = 'tracks:u1:under'"))
    assert under == records[2][1]


@pytest.mark.postgres  # the platform table lives on the suite's PostgreSQL
def test_sync_rejects_a_platform_row_over_the_limit(request: pytest.FixtureRequest, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync streams the platform table to NDJSON and reads it with the same reader: the same rule."""
    platform_url = request.getfixturevalue("platform")
    monkeypatch.setenv("PROMO_MAX_VALUE_BYTES", str(LIMIT))
    platform_execute(platform_url, f"INSERT INTO {TABLE} VALUES ('big:one', %s::jsonb)",
                     [json.dumps({"lyrics": "я" * 1_000_000}, ensure_ascii=False)])
    store = Store(str(tmp_path / "synced.duckdb"))
    result = sync(resolve_source(f"env:{ENV}"), store, "deployed", say=quiet)
    assert result.rows_rejected == 1 and result.rows_read == result.rows_loaded + 1
    (reason,) = result.rejects_by_reason
    assert reason.startswith("record of 2,0") and "over the 1,000,000-byte limit" in reason
    assert scalar(store, "SELECT COUNT(*) FROM kv_store WHERE key = 'big:one'") == 0


@pytest.mark.parametrize(("new_store", "fmt"), reader_cases(["ndjson", "ndjson.gz", "json", "csv"]),
                         indirect=["new_store"])
def test_numbers_beyond_double_precision_are_reported(new_store: StoreFactory, tmp_path: Path, fmt: str) -> None:
    """The build holds a number with a fraction as a double: a longer one changes (both engines alike), and the
    summary says so with the keys. The shortest form of a double (as JavaScript writes it) and a lookalike in a
    string are not changes."""
    store = new_store()
    values = [("misc:a", '{"x": 0.1000000000000000055511151231257827, "n": 12345678901234567890123}'),
              ("misc:b", '{"x": 0.30000000000000004, "y": 4.666666666666667}'),
              ("misc:c", '{"s": "0.1000000000000000055511151231257827"}'),
              ("misc:d", "[1, 2.00000000000000000000001]")]
    if fmt == "csv":
        text = "key,value\n" + "".join(f'{k},"{v.replace(chr(34), chr(34) * 2)}"\n' for k, v in values)
    else:
        lines = [f'{{"key": "{k}", "value": {v}}}' for k, v in values]
        text = "\n".join(lines) + "\n" if fmt.startswith("ndjson") else "[\n" + ",\n".join(lines) + "\n]\n"
    path = tmp_path / f"precise.{fmt}"
    path.write_bytes(gzip.compress(text.encode()) if fmt.endswith(".gz") else text.encode())
    result = ingest([path], store, "seed", say=quiet)
    _accounted(result, store, 4, 4, [])
    assert result.rounded_keys == ["misc:a", "misc:d"]
    assert "  numbers rounded to double precision: 2 (keys misc:a, misc:d)" in result.summary_lines()
    stored = {k: json.loads(v) if isinstance(v, str) else v
              for k, v in rows(store, "SELECT key, CAST(value AS TEXT) FROM kv_store")}
    assert stored["misc:a"] == {"x": 0.1, "n": 12345678901234567890123}  # integers keep every digit
    assert stored["misc:b"] == {"x": 0.30000000000000004, "y": 4.666666666666667}
    assert stored["misc:c"] == {"s": "0.1000000000000000055511151231257827"}


def _fuzz_records(n: int, rnd: random.Random) -> list[dict[str, object]]:
    values = [{"id": "t", "title": 'трек, {x} [y]: "q"'}, [1, {"a": [2, 3]}, "s]"], "plain", 42,
              {"nested": {"deep": [{"k": "v\\\\"}]}}]
    return [{"key": f"k{i}", "value": rnd.choice(values)} for i in range(n)]


def _fuzz_break(text: str, rnd: random.Random) -> str:
    kind = rnd.choice(["unterminated", "unclosed", "unquoted"])
    if kind == "unterminated":  # drop the closing quote of one string
        closing = [i for i, c in enumerate(text) if c == '"'][1::2]
        j = rnd.choice(closing)
        return text[:j] + text[j + 1:]
    if kind == "unclosed":
        j = text.rfind("}")
        return text[:j] + text[j + 1:] if j >= 0 else text
    return text.replace('"key"', "key", 1)


@pytest.mark.parametrize("style", ["lines", "indented", "compact"])
def test_array_scanner_on_random_breakage(style: str) -> None:
    """300 random arrays with 1-3 broken elements each: in a file of one element per line or an indented one,
    every element comes back as one record with its own number and every intact one unchanged; an array on one
    line may be refused (its elements cannot always be told apart), and never loses an intact record."""
    for seed in range(300):
        rnd = random.Random(seed)
        recs = _fuzz_records(rnd.randint(5, 40), rnd)
        texts = [json.dumps(r, ensure_ascii=False, indent=2 if style == "indented" else None) for r in recs]
        if style == "indented":
            texts = ["  " + t.replace("\n", "\n  ") for t in texts]
        broken = set()
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(recs))
            texts[i] = _fuzz_break(texts[i], rnd)
            broken.add(i)
        doc = "[" + ", ".join(texts) + "]" if style == "compact" else "[\n" + ",\n".join(texts) + "\n]\n"
        try:
            got = [(no, raw, reason) for b in read_batches(SourceFile(_write(doc), "json", False, len(doc)))
                   for no, raw, reason in zip(b.record_no, b.raw, b.reason, strict=True)]
        except InputError:
            assert style == "compact", seed
            continue
        intact = {json.dumps(recs[i], sort_keys=True) for i in range(len(recs)) if i not in broken}
        loaded = set()
        for _no, raw, reason in got:
            if reason is None:
                with contextlib.suppress(ValueError):
                    loaded.add(json.dumps(json.loads(raw), sort_keys=True))
        assert intact <= loaded, seed
        if style != "compact":
            assert [no for no, _, _ in got] == list(range(1, len(recs) + 1)), seed
            for i in range(len(recs)):
                if i not in broken:
                    assert got[i][2] is None and json.loads(got[i][1]) == recs[i], (seed, i)


_FUZZ_FILE = Path(tempfile.gettempdir()) / f"promo-fuzz-{os.getpid()}.json"


def _write(doc: str) -> Path:
    _FUZZ_FILE.write_text(doc, encoding="utf-8")
    return _FUZZ_FILE
