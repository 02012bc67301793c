"""Hostile generic JSONL, CSV and Parquet files through the real `curate ingest`: a bad
row is quarantined with its file, row and reason and the rest of the file is kept; a file
that cannot be read at all is one error line naming it (issue 12, points 4, 5 and 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ingest_cli, write_lines

from curate.quarantine import read_quarantine
from curate.sources.base import LONE_SURROGATE

TEXT = "Since moving abroad I have been feeling very lonely and sad and my family is far away."


def _toml(tmp_path: Path, max_record_bytes: int) -> Path:
    path = tmp_path / "curate.toml"
    path.write_text(f"[ingest]\nmax_record_bytes = {max_record_bytes}\n")
    return path


def _quarantined(data: dict) -> list[tuple[str, int, str]]:
    return [
        (Path(e["file"]).name, e["line"], e["reason"])
        for e in read_quarantine(Path(data["quarantine"]))
    ]


def _ingest_ok(workspace: Path, path: Path, config: Path | None = None) -> dict:
    """The --json report of an ingest that ended normally with reconciled counts."""
    proc, data = ingest_cli(workspace, str(path), config=config)
    assert proc.returncode == 0, proc.stderr
    assert data["reconciles"] is True
    return data


def _file_problem(tmp_path: Path, bad: Path, good: Path, *args: str, config=None) -> str:
    """Ingest a bad file beside a good one: the good file's rows are kept, the bad one is
    reported as a file problem (one warning line naming it, an entry in the report and in
    the quarantine), the run exits 0 and `--strict` exits 1. Returns the problem."""
    conf = {"config": config} if config else {}
    proc, data = ingest_cli(tmp_path / "ws", str(bad), str(good), *args, **conf)
    assert proc.returncode == 0, proc.stderr
    assert data["total"]["kept"] == 1 and data["reconciles"]
    problem = data["file_problems"][str(bad)]
    assert [w for w in proc.stderr.splitlines() if w.startswith("warning:")] == [
        f"warning: {bad}: {problem}"
    ]
    entries = read_quarantine(Path(data["quarantine"]))
    assert {"file": str(bad), "line": None, "kind": "file", "reason": problem}.items() <= (
        entries[-1].items()
    )
    strict, _ = ingest_cli(tmp_path / "ws-strict", str(bad), str(good), *args, "--strict", **conf)
    assert strict.returncode == 1, strict.stderr
    return problem


# -- CSV -------------------------------------------------------------------------------------


def test_csv_fields_over_the_csv_module_limit_and_a_50_mb_line(tmp_path: Path):
    """A field over the csv module's 128 KiB default is read; one over max_record_bytes
    (a 50 MB line among them) is quarantined, and the reader goes on after it."""
    big_note = "n" * 200_000  # over 128 KiB, under max_record_bytes: the row is kept
    path = tmp_path / "forum.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,text,culture,note\n")
        fh.write(f"a1,{TEXT},German,{big_note}\n")
        fh.write(f"a2,{TEXT},German,{'x' * 50_000_000}\n")  # a 50 MB line
        fh.write(f'a3,{TEXT},German,"{"q" * 1_500_000}\nstill the quoted field"\n')
        fh.write(f"a4,{TEXT} Again.,German,short\n")
    ws = tmp_path / "ws"
    data = _ingest_ok(ws, path, config=_toml(tmp_path, 1_000_000))
    assert data["total"]["kept"] == 2
    assert _quarantined(data) == [
        ("forum.csv", 3, "a field over 1000000 characters"),
        ("forum.csv", 4, "a field over 1000000 characters"),
        # the rest of the quoted field, on the next line, reads as a row of its own
        ("forum.csv", 5, "missing or empty text (column 'text')"),
    ]
    assert data["total"]["read"] == 5


def test_a_csv_header_that_cannot_be_read_is_a_file_problem(tmp_path: Path):
    path = tmp_path / "huge.csv"
    path.write_text("id," + "h" * 300_000 + "\nx1,y\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(f"id,text,culture\ng1,{TEXT},German\n", encoding="utf-8")
    problem = _file_problem(tmp_path, path, good, "--format", "csv",
                            config=_toml(tmp_path, 100_000))  # fmt: skip
    assert "header" in problem


def test_csv_with_a_byte_order_mark_keeps_every_row(tmp_path: Path):
    path = tmp_path / "excel.csv"
    rows = "".join(f"b{i},{TEXT} (row {i}),German\n" for i in range(3))
    path.write_bytes("\ufeffid,text,culture\n".encode() + rows.encode())
    data = _ingest_ok(tmp_path / "ws", path)
    assert data["total"]["kept"] == 3 and data["total"]["quarantined"] == 0


# -- Parquet -----------------------------------------------------------------------------------


def _parquet(path: Path, **columns) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize("damage", ["truncated", "magic only", "jsonl as parquet"])
def test_an_unreadable_parquet_file_is_a_file_problem(tmp_path: Path, damage: str):
    path = tmp_path / "data.parquet"
    if damage == "jsonl as parquet":
        write_lines(path, [{"id": "j1", "text": TEXT, "culture": "German"}])
    elif damage == "magic only":
        path.write_bytes(b"PAR1")
    else:
        _parquet(path, id=[f"t{i}" for i in range(50)], text=[TEXT] * 50, culture=["German"] * 50)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    good = _parquet(tmp_path / "good.parquet", id=["g1"], text=[TEXT], culture=["German"])
    problem = _file_problem(tmp_path, path, good, "--format", "parquet")
    assert "not a readable Parquet file" in problem


def test_lists_structs_and_bytes_in_parquet_text_columns(tmp_path: Path):
    """No Python repr ('[]', "b'...'") becomes text: UTF-8 bytes are decoded, anything
    else is quarantined naming the column."""
    import pyarrow as pa

    path = _parquet(
        tmp_path / "mixed.parquet",
        id=["ok", "utf8", "latin1", "list", "struct"],
        text=pa.array(
            [
                TEXT.encode(),
                "Grüße aus München, ich fühle mich so einsam hier, weit weg.".encode(),
                "Grüße aus München".encode("latin-1"),
                TEXT.encode(),
                TEXT.encode(),
            ],
            pa.binary(),
        ),
        title=pa.array([None, None, None, ["a", "b"], None], pa.list_(pa.string())),
        response=pa.array(
            [None, None, None, None, {"body": "x"}], pa.struct([("body", pa.string())])
        ),
        culture=["German"] * 5,
    )
    ws = tmp_path / "ws"
    data = _ingest_ok(ws, path)
    assert data["total"]["kept"] == 2
    assert _quarantined(data) == [
        ("mixed.parquet", 3, "column 'text' (text) holds bytes that are not UTF-8"),
        ("mixed.parquet", 4, "column 'title' (title) holds a list, not text"),
        ("mixed.parquet", 5, "column 'response' (response) holds a dict, not text"),
    ]
    from curate.store import Store

    with Store.open(ws) as store:
        texts = {r.source.source_id: store.vault.get(r.id).text for r in store.iter_records()}
    assert texts == {
        "ok": TEXT,
        "utf8": "Grüße aus München, ich fühle mich so einsam hier, weit weg.",
    }


# -- JSONL -------------------------------------------------------------------------------------


def test_lists_objects_and_surrogates_in_jsonl_text_fields(tmp_path: Path):
    good = {"id": "ok", "text": TEXT, "culture": "German"}
    path = tmp_path / "d.jsonl"
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "list", "text": []}),
        json.dumps({**good, "id": "obj", "title": {"a": 1}}),
        json.dumps({**good, "id": "num", "text": 12345678}),  # a scalar: kept as text
        json.dumps({**good, "id": "sur"}).replace("lonely", "lonely \\ud83d"),
        json.dumps({**good, "id": "ts", "created_utc": [1]}),
    ]
    path.write_text("\n".join(lines) + "\n")
    data = _ingest_ok(tmp_path / "ws", path)
    assert data["total"]["kept"] == 2
    assert _quarantined(data) == [
        ("d.jsonl", 2, "column 'text' (text) holds a list, not text"),
        ("d.jsonl", 3, "column 'title' (title) holds a dict, not text"),
        ("d.jsonl", 5, LONE_SURROGATE),
        ("d.jsonl", 6, "created_utc is not a number (column 'created_utc')"),
    ]
