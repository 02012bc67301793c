"""The GX release gate: a clean workspace passes; each planted defect fails exactly the
expectation meant to catch it (so the suites neither miss defects nor double-report)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SHARED_CULTURECARE, make_record

from curate.records import RawText, Record, Span
from curate.schema import load_taxonomy
from curate.store import Store
from curate.validate.run import (
    VALIDATIONS_DIR,
    stale_generated_suites,
    tables,
    validate,
    write_generated_suites,
)

POST = "I feel so lonely since moving to Berlin."
RESPONSE = "That sounds hard. Do you have friends there?"


def _span(field: str, label: str, text: str, attribute: dict[str, str]) -> Span:
    source = POST if field == "post" else RESPONSE
    start = source.index(text)
    return Span(field, label, text, start, start + len(text), attribute, "ann1")


def _clean(store, source_id: str) -> Record:
    return make_record(
        store,
        source_id,
        post_title="Lonely",
        post_text=POST,
        response_text=RESPONSE,
        spans=[
            _span("post", "emotional_distress", "so lonely", {"intensity": "moderate"}),
            _span("post", "cultural_signal", "Berlin", {"type": "Concepts"}),
            _span(
                "response",
                "emotional_support",
                "Do you have friends there?",
                {"strategy": "Questions"},
            ),
            Span(
                "post",
                "emotional_distress",
                "unaligned phrase",
                None,
                None,
                {"intensity": "light"},
                "ref",
            ),
        ],
        empathy=4,
        demographics={"age": 30, "gender": "female", "settlement": "Berlin"},
    )


def _fill(store, plant: Callable[[Record], None] | None = None) -> str:
    """Three clean records; `plant` spoils the second. Returns the spoiled record's id."""
    records = [_clean(store, f"s{i}") for i in range(3)]
    if plant is not None:
        plant(records[1])
    run = store.begin_run("test", {})
    store.put_batch([(r, RawText()) for r in records], run)
    return records[1].id


def _empty_text(r: Record) -> None:
    r.post_text, r.spans = "", [s for s in r.spans if s.field != "post"]


def _off_text(r: Record) -> None:
    r.spans[0].start, r.spans[0].end = 100, 109


def _set(attr: str, value: object, index: int = 0) -> Callable[[Record], None]:
    def plant(r: Record) -> None:
        setattr(r.spans[index], attr, value)

    return plant


def _zero_length(r: Record) -> None:
    r.spans[0].end, r.spans[0].text = r.spans[0].start, ""


def _duplicate(r: Record) -> None:
    r.spans.append(copy.deepcopy(r.spans[1]))


def _record_attr(name: str, value: object) -> Callable[[Record], None]:
    return lambda r: setattr(r, name, value)


def _duplicate_phrase(r: Record) -> None:
    r.spans.append(copy.deepcopy(r.spans[3]))  # the unaligned phrase, twice


def _raw_number(r: Record) -> None:
    r.demographics_raw = {"age": 30}  # a number where the source gives strings


def _age_text(r: Record) -> None:
    r.demographics["age"] = "twenty"


PLANTED = {
    "culture": (_record_attr("culture", "Martian"), "records.generated", "culture"),
    "empty_text": (_empty_text, "records.rules", "text_len"),
    "offsets_off_text": (_off_text, "spans.rules", "in_text"),
    "text_mismatch": (_set("text", "so lonelx"), "spans.rules", "text_matches"),
    "zero_length": (_zero_length, "spans.rules", "length"),
    "duplicate_span": (_duplicate, "spans.rules", "dup_key"),
    "unknown_label": (_set("label", "hope"), "spans.generated", "label"),
    "bad_attribute": (_set("attributes", {"type": "Vibes"}, 1), "spans.generated", "attribute"),
    "empathy_7": (_record_attr("empathy", 7), "records.generated", "empathy"),
    "demographic_not_normalized": (_age_text, "records.rules", "demographics_ok"),
    "missing_attribute": (_set("attributes", {"intensity": None}), "spans.rules", "attribute"),
    "duplicate_phrase": (_duplicate_phrase, "spans.rules", "dup_key"),
    "annotated_response_without_empathy": (
        _record_attr("empathy", None),
        "records.rules",
        "empathy_missing",
    ),
    "mixed_types": (_raw_number, "records.rules", "raw_number_types"),
}


def test_clean_workspace_passes(store, tmp_path: Path) -> None:
    _fill(store)
    report = validate(store, load_taxonomy(), docs_dir=tmp_path / "docs")
    assert report.ok, report.failures
    assert report.evaluated > 10
    assert report.docs_index is not None and report.docs_index.is_file()


def test_tables_shape(store) -> None:
    _fill(store)
    records, spans = tables(store, load_taxonomy())
    assert len(records) == 3 and len(spans) == 12
    assert records["demographics_ok"].all()
    unaligned = spans[spans["start"].isna()]
    assert len(unaligned) == 3 and unaligned["in_text"].isna().all()


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_defect_fails_only_its_expectation(store, name: str) -> None:
    plant, suite, column = PLANTED[name]
    bad_id = _fill(store, plant)
    report = validate(store, load_taxonomy())
    assert not report.ok
    assert [(f["suite"], f["column"]) for f in report.failures] == [(suite, column)], (
        report.failures
    )
    assert report.failures[0]["record_ids"] == [bad_id]


def test_generated_suites_not_stale(tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    assert stale_generated_suites(taxonomy) == [], (
        f"{VALIDATIONS_DIR} is stale: run `python -m curate.validate.run --generate`"
    )
    assert stale_generated_suites(taxonomy, tmp_path)  # missing files count as stale
    write_generated_suites(taxonomy, tmp_path)
    assert stale_generated_suites(taxonomy, tmp_path) == []
    extra = load_taxonomy(("Klingon",))
    assert stale_generated_suites(extra, tmp_path) == ["records.generated"]


@pytest.mark.skipif(not SHARED_CULTURECARE.is_dir(), reason="../shared/culturecare absent")
def test_real_release_defects_are_reported_by_record(tmp_path: Path) -> None:
    from curate.config import load_config
    from curate.ingest import ingest

    config = load_config(None, tmp_path / "ws")
    with Store.open(config.workspace) as st:
        ingest(sorted(SHARED_CULTURECARE.glob("*_data.jsonl")), config, st)
        report = validate(st, config.taxonomy())
    found = {(f["suite"], f["column"]): f["count"] for f in report.failures}
    assert found == {
        ("records.rules", "empathy_missing"): 1,  # strategies but no empathy score
        ("records.rules", "raw_number_types"): 42,  # ages / household sizes as numbers
        ("spans.rules", "attribute"): 10,  # 5 intensities, 1 strategy, 4 'None' types
        ("spans.rules", "dup_key"): 8,  # the same phrase twice with the same label
    }
