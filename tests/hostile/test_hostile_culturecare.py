"""Hostile CultureCare lines through the real `curate ingest`: a bad value costs only its
own field or line, and no label value ever reaches the output, the defects file or the
run log (issue 12, points 2, 4 and 8)."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

from helpers import ingest_cli, release_record, write_lines

from curate.config import load_config
from curate.records import describe_value
from curate.sources.base import LONE_SURROGATE, Location
from curate.sources.rows import guarded
from curate.store import DB_NAME, Store

# The case: an apostrophe defeated the old masking of single-quoted values.
LEAK = "Jonas's mail is jonas.weber@example.de"
LEAK_PARTS = ("Jonas", "jonas", "weber", "example.de", "mail is")


def _defect_lines(data: dict) -> list[dict]:
    return [json.loads(x) for x in Path(data["defects_file"]).read_text().splitlines()]


def _runs(workspace: Path) -> list[tuple]:
    """Every row of the runs table (each run's arguments and counts)."""
    with sqlite3.connect(workspace / DB_NAME) as conn:
        return conn.execute("SELECT run_id, args, status, counts FROM runs").fetchall()


def test_a_label_value_is_never_printed_nor_written(tmp_path: Path):
    path = write_lines(
        tmp_path / "German_data.jsonl",
        [
            release_record("p1"),
            release_record("p2", **{"post.emotional_distress.0.intensity": LEAK}),
            release_record("p3", **{"response.empathy_score": LEAK}),
            release_record("p4", **{"post.demographic_info.gender": LEAK}),
            release_record("p5", **{"response.emotional_support.0.strategy": LEAK}),
            release_record("p6", culture=LEAK),
        ],
    )
    ws = tmp_path / "ws"
    proc, _ = ingest_cli(ws, str(path), as_json=False)
    assert proc.returncode == 0, proc.stderr
    assert "intensity not in the taxonomy" in proc.stdout  # the defect is reported
    ((_, _, status, counts),) = _runs(ws)
    data = json.loads(counts)
    assert (status, data["reconciles"]) == ("completed", True)
    assert (data["total"]["kept"], data["total"]["quarantined"]) == (5, 1)
    # the unknown culture counts under "(none)", not as a culture named by the input
    assert set(data["cultures"]) == {"German", "(none)"}
    assert data["defects"]["post.emotional_distress[].intensity: intensity not in the taxonomy"]
    defects = _defect_lines(data)
    by_field = {d["field"]: d for d in defects}
    leaked = by_field["post.emotional_distress[0].intensity"]
    assert leaked["value_type"] == "str" and leaked["value_chars"] == len(LEAK)
    # equal values, equal keyed hashes: the same bad value can be grouped
    hashes = {d["value_hmac"] for d in defects if d.get("value_chars") == len(LEAK)}
    assert len(hashes) == 1
    with Store.open(ws) as store:
        assert hashes == {describe_value(LEAK, store.id_salt)["value_hmac"]}
        records = json.dumps([r.to_dict()["defects"] for r in store.iter_records()])
    outputs = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "defects file": Path(data["defects_file"]).read_text(),
        "run log": json.dumps(_runs(ws)),
        "defects on the records": records,
    }
    for where, text in outputs.items():
        for part in LEAK_PARTS:
            assert part not in text, (where, part)


def test_the_keyed_hash_differs_between_workspaces():
    one, two = describe_value(LEAK, b"salt-one"), describe_value(LEAK, b"salt-two")
    assert one["value_hmac"] != two["value_hmac"]
    assert describe_value("1", b"s")["value_hmac"] != describe_value(1, b"s")["value_hmac"]


AGES = {  # source id: (age, the problem reported)
    "nan": (math.nan, "not a finite number; kept raw only"),
    "inf": (math.inf, "not a finite number; kept raw only"),
    "-inf": (-math.inf, "not a finite number; kept raw only"),
    "1e20": (1e20, "number out of range (…); kept raw only"),
    "10**30": (10**30, "number out of range (…); kept raw only"),
}


def test_an_impossible_age_is_a_defect_and_the_record_exports(tmp_path: Path):
    path = write_lines(
        tmp_path / "German_data.jsonl",
        [
            release_record("good1"),
            *(release_record(k, **{"post.demographic_info.age": v}) for k, (v, _) in AGES.items()),
            release_record("good2"),
        ],
    )
    ws = tmp_path / "ws"
    proc, data = ingest_cli(ws, str(path))
    assert proc.returncode == 0, proc.stderr
    assert data["reconciles"] and data["total"]["kept"] == 2 + len(AGES)
    assert data["defects"] == {
        "post.demographics.age: not a finite number; kept raw only": 3,
        "post.demographics.age: number out of range (…); kept raw only": 2,
    }
    with Store.open(ws) as store:
        records = {r.source.source_id: r for r in store.iter_records()}
    for key in AGES:
        assert records[key].demographics["age"] is None
        assert [d["field"] for d in records[key].defects] == ["post.demographics.age"]
    assert records["good1"].demographics["age"] == records["good2"].demographics["age"] == 19
    # the values that crashed the export before now fit the release's typed columns
    from curate.release.row import build_features, encode

    taxonomy = load_config(None, ws).taxonomy()
    features = build_features(taxonomy)
    for record in records.values():
        features.encode_example(encode(record, taxonomy, "reference", b"salt"))


def test_a_lone_surrogate_quarantines_only_its_line(tmp_path: Path):
    good = json.dumps(release_record("p1"))
    bad = json.dumps(release_record("p2")).replace("mein Abitur", "mein \\ud83d Abitur")
    path = tmp_path / "German_data.jsonl"
    path.write_text(f"{good}\n{bad}\n{json.dumps(release_record('p3'))}\n")
    proc, data = ingest_cli(tmp_path / "ws", str(path))
    assert proc.returncode == 0, proc.stderr
    assert data["reconciles"] and data["total"]["kept"] == 2
    (entry,) = [json.loads(x) for x in Path(data["quarantine"]).read_text().splitlines()]
    assert (entry["line"], entry["reason"]) == (2, LONE_SURROGATE)
    assert entry["payload"] == bad  # the line as read


def test_an_unexpected_error_names_only_its_type():
    def parse():
        raise ValueError(f"cannot handle {LEAK}")

    item = guarded(parse, Location("f.jsonl", 7), lambda: b"{}")
    assert item.reason == "unexpected error (ValueError) while parsing"
    assert (item.location.line, item.payload) == (7, b"{}")
