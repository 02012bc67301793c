"""The CultureCare release format: synthetic records with each real defect, and (when
../shared/culturecare is there) the real release."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from helpers import SHARED_CULTURECARE, release_record, write_lines

from curate.ingest import ingest
from curate.schema import record_validator


@pytest.fixture
def release_file(tmp_path):
    empty_response = {"emotional_support": [], "cultural_signals": [], "empathy_score": ""}
    return write_lines(
        tmp_path / "German_data.jsonl",
        [
            release_record("p1"),
            release_record("p2", **{"post.emotional_distress.0.intensity": None}),
            release_record("p3", **{"response.emotional_support.0.strategy": None}),
            release_record(
                "p4", **{"response.cultural_signals": [{"phrase": "Brot", "type": "None"}]}
            ),
            release_record("p5", **{"response.empathy_score": ""}),
            release_record("p6", response=empty_response),
            release_record("p7", **{"post.demographic_info.age": 23}),
            release_record("p8", culture="Martian"),
        ],
    )


def test_import_keeps_every_annotation(release_file, config, store):
    report = ingest([release_file], config, store)
    assert report.reconciles()
    assert report.cultures["German"]["kept"] == 7
    assert report.totals["quarantined"] == 1  # p8: culture not in the taxonomy
    records = {r.source.source_id: r for r in store.iter_records()}
    assert set(records) == {f"p{i}" for i in range(1, 8)}
    p1 = records["p1"]
    assert p1.post_text is None and p1.source.url.endswith("/p1")
    assert [(s.field, s.label, s.attributes) for s in p1.spans] == [
        ("post", "emotional_distress", {"intensity": "high"}),
        ("post", "emotional_distress", {"intensity": "light"}),
        ("post", "cultural_signal", {"type": "Knowledge"}),
        ("response", "emotional_support", {"strategy": "Affirmation and Reassurance"}),
    ]
    assert all(s.start is None and s.end is None for s in p1.spans)
    assert p1.empathy == 4
    assert p1.demographics["gender"] == "male" and p1.demographics["age"] == 19
    assert p1.demographics_raw["gender"] == "Männlich"
    assert p1.defects == []
    validator = record_validator(config.taxonomy())
    for record in records.values():
        errors = [e.message for e in validator.iter_errors(record.to_dict())]
        assert errors == [], (record.source.source_id, errors)


def test_each_defect_is_reported_by_record_and_field(release_file, config, store):
    report = ingest([release_file], config, store)
    by_id = {r.source.source_id: r for r in store.iter_records()}
    fields = {pid: [d["field"] for d in r.defects] for pid, r in by_id.items()}
    assert fields["p2"] == ["post.emotional_distress[0].intensity"]
    assert by_id["p2"].spans[0].attributes == {"intensity": None}
    assert fields["p3"] == ["response.emotional_support[0].strategy"]
    assert fields["p4"] == ["response.cultural_signals[0].type"]
    assert by_id["p4"].spans[-1].attributes == {"type": None}
    assert fields["p5"] == ["response.empathy_score"]  # annotated response, no score
    assert fields["p6"] == []  # no response annotation at all: no score is legitimate
    assert by_id["p6"].empathy is None
    assert fields["p7"] == ["post.demographics.age"]
    assert by_id["p7"].demographics["age"] == 23
    lines = [json.loads(x) for x in open(report.defects_path, encoding="utf-8")]
    assert {(d["source_id"], d["field"]) for d in lines} == {
        (pid, f) for pid, fs in fields.items() for f in fs
    }
    assert all(d["file"] == str(release_file) and d["line"] >= 1 for d in lines)


def test_reingest_adds_nothing_and_changes_make_revisions(release_file, tmp_path, config, store):
    ingest([release_file], config, store)
    again = ingest([release_file], config, store)
    assert again.totals["new"] == 0 and again.totals["revised"] == 0
    assert again.totals["unchanged"] == 7
    edited = write_lines(
        tmp_path / "edited.jsonl",
        [release_record("p1", **{"response.empathy_score": "5 very empathetic"})],
    )
    third = ingest([edited], config, store)
    assert third.totals["revised"] == 1
    rec = next(r for r in store.iter_records() if r.source.source_id == "p1")
    assert rec.empathy == 5
    assert [r["revision"] for r in store.revisions(rec.id)] == [1, 2]
    assert store.count() == 7


@pytest.mark.skipif(not SHARED_CULTURECARE.is_dir(), reason="../shared/culturecare absent")
def test_real_release(config, store):
    files = sorted(SHARED_CULTURECARE.glob("*_data.jsonl"))
    report = ingest(files, config, store)
    assert report.reconciles()
    assert report.totals["read"] == 462 and report.totals["kept"] == 462
    assert {c: n["kept"] for c, n in report.cultures.items()} == {
        "Arabic": 110,
        "Chinese": 141,
        "German": 119,
        "Jewish": 92,
    }
    spans = Counter(s.label for r in store.iter_records() for s in r.spans)
    assert spans == {"emotional_distress": 1729, "cultural_signal": 1524, "emotional_support": 1043}
    records = list(store.iter_records())
    assert sum(r.empathy is None for r in records) == 44
    defects = Counter(
        d["field"].split("[")[0] + "|" + d["field"].rsplit(".", 1)[-1]
        for r in records
        for d in r.defects
    )
    assert defects["post.emotional_distress|intensity"] == 5
    assert defects["response.emotional_support|strategy"] == 1
    assert defects["response.cultural_signals|type"] == 4
    assert defects["response.empathy_score|empathy_score"] == 1
    assert defects["post.demographics.age|age"] > 0  # mixed int / string ages
    validator = record_validator(config.taxonomy())
    assert all(not list(validator.iter_errors(r.to_dict())) for r in records)
    assert ingest(files, config, store).totals["new"] == 0
