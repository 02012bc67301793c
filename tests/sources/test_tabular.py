"""Generic JSONL, CSV and Parquet files read through a column mapping."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import write_lines

from curate.errors import CurateError
from curate.ingest import NO_CULTURE, ingest
from curate.quarantine import read_quarantine
from curate.store import Store

GERMAN = (
    "Seit dem Umzug nach Berlin fühle ich mich sehr einsam und traurig. Meine Familie ist "
    "weit weg, und ich weiß nicht, mit wem ich darüber sprechen kann."
)
ENGLISH = (
    "Since moving abroad I have been feeling very lonely and sad. My family is far away and "
    "I do not know who I can talk to about any of this."
)
RESPONSE = "Das klingt wirklich schwer, du bist damit nicht allein."


def _records(store: Store) -> dict:
    return {r.source.source_id: r for r in store.iter_records()}


def _check_counts(report) -> None:
    assert report.reconciles()
    for counts in report.cultures.values():
        assert counts["read"] == (
            counts["kept"] + counts["duplicate"] + counts["skipped"] + counts["quarantined"]
        )


def _counts(report) -> dict:
    return {
        k: {c: v[c] for c in ("read", "kept", "skipped", "quarantined")}
        for k, v in report.cultures.items()
    }


def _write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# -- JSONL ---------------------------------------------------------------------------------


def test_jsonl_with_mapping_nested_columns_and_culture_column(tmp_path: Path, config, store):
    lines = [
        {
            "uuid": "a1",
            "post": {"title": "Einsam", "body": GERMAN},
            "reply": RESPONSE,
            "cult": "German",
            "lang": "de-AT",
            "ts": "1700000000.5",
            "sub": "r/x",
        },
        {"uuid": "a2", "post": {"body": ENGLISH}, "cult": "Chinese", "ts": 1700000001},
        {"uuid": "a3", "post": {"body": "Hallo"}, "cult": "Arabic"},
    ]
    path = write_lines(tmp_path / "data.jsonl", lines)
    mapping = {
        "id": "uuid",
        "title": "post.title",
        "text": "post.body",
        "response": "reply",
        "culture": "cult",
        "language": "lang",
        "created_utc": "ts",
        "community": "sub",
    }
    report = ingest([path], config, store, mapping=mapping)
    _check_counts(report)
    recs = _records(store)
    assert set(recs) == {"a1", "a2", "a3"}
    a1, a2, a3 = recs["a1"], recs["a2"], recs["a3"]
    assert (a1.culture, a1.language, a1.language_confidence) == ("German", "de-AT", 1.0)
    assert a1.source.created_utc == 1700000000
    assert a1.source.community == "r/x"
    assert a1.source.platform == "file"
    assert a1.provenance.format == "jsonl"
    assert a1.provenance.line == 1
    raw = store.vault.get(a1.id)
    assert (raw.title, raw.text, raw.response) == ("Einsam", GERMAN, RESPONSE)
    assert (a2.culture, a2.language) == ("Chinese", "en")
    assert 0.8 <= a2.language_confidence <= 1.0
    assert a2.source.created_utc == 1700000001
    assert (a3.culture, a3.language, a3.language_confidence) == ("Arabic", "und", 0.0)
    assert report.totals["kept"] == 3


def test_jsonl_detected_language_german(tmp_path: Path, config, store):
    path = write_lines(tmp_path / "d.jsonl", [{"id": "g1", "text": GERMAN}])
    report = ingest([path], config, store, culture="German")
    assert report.cultures["German"]["kept"] == 1
    rec = _records(store)["g1"]
    assert rec.language == "de"
    assert rec.language_confidence >= 0.8


# -- CSV -------------------------------------------------------------------------------------


def test_csv_with_mapping_and_constant_culture(tmp_path: Path, config, store):
    path = _write_csv(
        tmp_path / "data.csv",
        ["uuid", "body", "answer", "language", "created_utc"],
        [
            ["c1", GERMAN, RESPONSE, "", "1700000000"],
            ["c2", ENGLISH, "", "en", ""],
            ["c3", "Hallo", "", "", ""],
        ],
    )
    report = ingest(
        [path],
        config,
        store,
        mapping={"id": "uuid", "text": "body", "response": "answer"},
        culture="German",
    )
    _check_counts(report)
    assert _counts(report) == {
        "German": {"read": 3, "kept": 3, "skipped": 0, "quarantined": 0},
    }
    recs = _records(store)
    assert recs["c1"].language == "de"
    assert recs["c1"].language_confidence >= 0.8
    assert recs["c1"].source.created_utc == 1700000000
    assert (recs["c2"].language, recs["c2"].language_confidence) == ("en", 1.0)
    assert recs["c2"].source.created_utc is None
    assert (recs["c3"].language, recs["c3"].language_confidence) == ("und", 0.0)
    assert {r.culture for r in recs.values()} == {"German"}
    assert [recs[k].provenance.line for k in ("c1", "c2", "c3")] == [2, 3, 4]
    assert store.vault.get(recs["c1"].id).response == RESPONSE
    assert not store.vault.get(recs["c2"].id).response  # empty cell: no response


def test_csv_invalid_utf8_row_is_quarantined(tmp_path: Path, config, store):
    good = f"ok1,{ENGLISH},German\n".encode()
    bad_row = "bad1,Gr\xfc\xdfe aus M\xfcnchen ich bin so einsam,German\n".encode("latin-1")
    path = tmp_path / "data.csv"
    path.write_bytes(b"id,text,culture\n" + good + bad_row + b"ok2,Another text,German\n")
    report = ingest([path], config, store)
    _check_counts(report)
    assert _counts(report) == {
        "German": {"read": 2, "kept": 2, "skipped": 0, "quarantined": 0},
        NO_CULTURE: {"read": 1, "kept": 0, "skipped": 0, "quarantined": 1},
    }
    assert set(_records(store)) == {"ok1", "ok2"}
    entries = read_quarantine(Path(report.quarantine_path))
    assert len(entries) == 1
    (entry,) = entries
    assert entry["line"] == 3
    assert entry["file"] == str(path)
    assert entry["reason"] == "not UTF-8"
    assert entry["payload_encoding"] == "base64"
    import base64

    decoded = base64.b64decode(entry["payload"])
    assert b"Gr\xfc\xdfe aus M\xfcnchen" in decoded


# -- Parquet ---------------------------------------------------------------------------------


def test_parquet_with_mapping_and_culture_column(tmp_path: Path, config, store):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "uuid": ["q1", "q2", "q3", "q4"],
            "body": [GERMAN, ENGLISH, "Hallo", ENGLISH + " Again."],
            "cult": ["German", "Jewish", "Arabic", "Klingon"],
            "lang": [None, None, None, "en"],
            "ts": [1700000000, None, 5, 7],
        }
    )
    path = tmp_path / "data.bin"  # detected by content (PAR1), not by name
    pq.write_table(table, path)
    mapping = {
        "id": "uuid",
        "text": "body",
        "culture": "cult",
        "language": "lang",
        "created_utc": "ts",
    }
    report = ingest([path], config, store, mapping=mapping)
    _check_counts(report)
    assert _counts(report) == {
        "German": {"read": 1, "kept": 1, "skipped": 0, "quarantined": 0},
        "Jewish": {"read": 1, "kept": 1, "skipped": 0, "quarantined": 0},
        "Arabic": {"read": 1, "kept": 1, "skipped": 0, "quarantined": 0},
        NO_CULTURE: {"read": 1, "kept": 0, "skipped": 0, "quarantined": 1},
    }
    recs = _records(store)
    assert {k: (r.culture, r.language) for k, r in recs.items()} == {
        "q1": ("German", "de"),
        "q2": ("Jewish", "en"),
        "q3": ("Arabic", "und"),
    }
    assert recs["q1"].source.created_utc == 1700000000
    assert recs["q2"].source.created_utc is None
    assert recs["q1"].provenance.format == "parquet"
    assert [recs[k].provenance.line for k in ("q1", "q2", "q3")] == [1, 2, 3]
    (entry,) = read_quarantine(Path(report.quarantine_path))
    assert entry["line"] == 4
    assert entry["reason"] == "culture not in the taxonomy (column 'cult')"


def test_parquet_constant_culture_overrides_column(tmp_path: Path, config, store):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["x1"], "text": [GERMAN], "culture": ["Arabic"]}), path)
    report = ingest([path], config, store, culture="German")
    assert report.cultures["German"]["kept"] == 1
    assert _records(store)["x1"].culture == "German"


# -- rejected rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path, config, store, kind):
    rows = [
        {"uuid": "ok", "body": ENGLISH, "cult": "German", "ts": "1700000000"},
        {"uuid": "", "body": ENGLISH, "cult": "German", "ts": ""},
        {"uuid": "no-text", "body": "   ", "cult": "German", "ts": ""},
        {"uuid": "klingon", "body": ENGLISH, "cult": "Klingon", "ts": ""},
        {"uuid": "bad-ts", "body": ENGLISH, "cult": "German", "ts": "yesterday"},
    ]
    if kind == "jsonl":
        path = write_lines(tmp_path / "d.jsonl", rows)
        first_line = 1
    else:
        header = list(rows[0])
        path = _write_csv(tmp_path / "d.csv", header, [[r[h] for h in header] for r in rows])
        first_line = 2
    mapping = {"id": "uuid", "text": "body", "culture": "cult", "created_utc": "ts"}
    report = ingest([path], config, store, mapping=mapping)
    _check_counts(report)
    assert _counts(report) == {
        "German": {"read": 1, "kept": 1, "skipped": 0, "quarantined": 0},
        NO_CULTURE: {"read": 4, "kept": 0, "skipped": 0, "quarantined": 4},
    }
    assert set(_records(store)) == {"ok"}
    entries = read_quarantine(Path(report.quarantine_path))
    got = [(e["line"], e["reason"]) for e in entries]
    assert got == [
        (first_line + 1, "missing id (column 'uuid')"),
        (first_line + 2, "missing or empty text (column 'body')"),
        (first_line + 3, "culture not in the taxonomy (column 'cult')"),
        (first_line + 4, "created_utc is not a number (column 'ts')"),
    ]
    for entry, row in zip(entries, rows[1:], strict=True):
        assert entry["file"] == str(path)
        assert entry["kind"] == "record"
        assert entry["payload_encoding"] == "text"
        assert json.loads(entry["payload"])["uuid"] == row["uuid"]


def test_missing_culture_without_constant_is_quarantined(tmp_path: Path, config, store):
    path = write_lines(tmp_path / "d.jsonl", [{"id": "n1", "text": ENGLISH}])
    report = ingest([path], config, store)
    assert report.totals["quarantined"] == 1
    (entry,) = read_quarantine(Path(report.quarantine_path))
    assert entry["reason"] == "culture not in the taxonomy (column 'culture')"


def test_unknown_mapping_field_and_culture_are_user_errors(tmp_path: Path, config, store):
    path = write_lines(tmp_path / "d.jsonl", [{"id": "n1", "text": ENGLISH}])
    with pytest.raises(CurateError, match="unknown field"):
        ingest([path], config, store, mapping={"body": "text"})
    with pytest.raises(CurateError, match="not in the taxonomy"):
        ingest([path], config, store, culture="Klingon")


def test_infinite_created_utc_is_quarantined_not_crashing(tmp_path: Path, config, store):
    path = _write_csv(
        tmp_path / "d.csv",
        ["id", "text", "created_utc"],
        [["ok", ENGLISH, "1700000000"], ["inf", ENGLISH, "1e400"]],
    )
    report = ingest([path], config, store, culture="German")
    _check_counts(report)
    assert report.totals["kept"] == 1
    assert report.totals["quarantined"] == 1
    (entry,) = read_quarantine(Path(report.quarantine_path))
    assert entry["line"] == 3
    assert entry["reason"] == "created_utc is not a number (column 'created_utc')"
