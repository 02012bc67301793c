"""The GX release gate: a clean workspace passes; each planted defect fails exactly the
expectation meant to catch it (so the suites neither miss defects nor double-report)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SHARED_CULTURECARE, make_record

from curate.deid import tables as deid_tables
from curate.records import RawText, Record, Span
from curate.schema import load_taxonomy
from curate.store import Store
from curate.validate.runner import validate
from curate.validate.suites import VALIDATIONS_DIR, stale_generated_suites, write_generated_suites
from curate.validate.tables import tables

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
    frames = tables(store, load_taxonomy())
    records, spans = frames["records"], frames["spans"]
    assert frames["splits"].empty and frames["split_stats"].empty  # nothing assigned yet
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
        f"{VALIDATIONS_DIR} is stale: run `python -m curate.validate.suites --generate`"
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


# -- residual personal data, splits, the release gate -----------------------------------
def _deidentified(store, plant: Callable[[Record], None] | None = None) -> list[Record]:
    """Three clean records marked de-identified (release candidates); `plant` spoils the
    second one after the fact, as a faulty stage would."""
    _fill(store)
    records = list(store.iter_records())
    if plant is not None:
        plant(records[1])
    deid_tables.save_deid(store, [(r, []) for r in records], "test-policy")
    return records


def _assign(store, rows: list[tuple[str, str, str]]) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO splits VALUES (?, ?, ?, 'German', 0, '1.0.0', 0)",
            [(rid, group, split) for rid, split, group in rows],
        )


def test_residual_pii_fails_only_its_expectation(store, config, deid_engine) -> None:
    def leak(r: Record) -> None:
        r.response_text = RESPONSE + " Mail me: jonas.weber@example.com"

    records = _deidentified(store, leak)
    report = validate(store, config.taxonomy(), config=config, release=True, engine=deid_engine)
    assert report.pii_scanned
    assert [(f["name"], f["record_ids"]) for f in report.failures] == [
        ("no_residual_pii", [records[1].id])
    ]
    assert "jonas" not in repr(report.failures).lower()  # ids and counts, never values


def test_clean_release_candidates_pass_with_pii_scan(store, config, deid_engine) -> None:
    records = _deidentified(store)
    _assign(
        store,
        [
            (records[0].id, "train", "g0"),
            (records[1].id, "train", "g1"),
            (records[2].id, "test", "g2"),
        ],
    )
    report = validate(store, config.taxonomy(), config=config, release=True, engine=deid_engine)
    assert report.ok, report.failures


SPLIT_DEFECTS = {
    # a thread straddling two splits: both of its records are reported
    "split.disjoint_by_thread": (("train", "g0"), ("test", "g0"), ("train", "g2")),
    "split.known": (("train", "g0"), ("holdout", "g1"), ("train", "g2")),
    # every record of the culture in test: far from 80/10/10 even for three records
    "split.proportions_within_bounds": (("test", "g0"), ("test", "g1"), ("test", "g2")),
}


@pytest.mark.parametrize("name", sorted(SPLIT_DEFECTS))
def test_split_defect_fails_only_its_expectation(store, config, name: str) -> None:
    records = _deidentified(store)
    rows = SPLIT_DEFECTS[name]
    _assign(store, [(r.id, split, group) for r, (split, group) in zip(records, rows, strict=True)])
    report = validate(store, config.taxonomy(), config=config, release=True, scan_pii=False)
    assert [f["name"] for f in report.failures] == [name], report.failures


def test_item_in_two_splits_is_refused_by_the_store(store) -> None:
    """One split per item is enforced twice: by the store (primary key) and by the
    `split.disjoint_by_item` expectation on what is validated."""
    import sqlite3

    records = _deidentified(store)
    _assign(store, [(records[0].id, "train", "g0")])
    with pytest.raises(sqlite3.IntegrityError):
        _assign(store, [(records[0].id, "test", "g0")])


def test_gate_refuses_names_and_allows_only_with_reason(store, config, deid_engine) -> None:
    from curate.errors import CurateError
    from curate.validate.gate import GateError, run_gate

    def leak(r: Record) -> None:
        r.post_text = POST + " Call +49 30 1234567"

    _deidentified(store, _record_attr("empathy", None))
    taxonomy = config.taxonomy()
    with pytest.raises(GateError) as err:
        run_gate(store, taxonomy, config, engine=deid_engine)
    assert "empathy.present_when_response_annotated" in str(err.value)
    with pytest.raises(CurateError, match="needs --reason"):
        run_gate(store, taxonomy, config, allow=["empathy.present_when_response_annotated"])
    with pytest.raises(CurateError, match="did not fail"):
        run_gate(store, taxonomy, config, allow=["span.unique"], reason="x", engine=deid_engine)
    result = run_gate(
        store,
        taxonomy,
        config,
        allow=["empathy.present_when_response_annotated"],
        reason="score lost in the source; annotators asked",
        engine=deid_engine,
    )
    assert result.allowed == ["empathy.present_when_response_annotated"]
    assert result.reason and result.to_dict()["failures"][0]["count"] == 1

    # residual personal data: refused, and no override is accepted
    records = list(store.iter_records())
    leak(records[0])
    deid_tables.save_deid(store, [(records[0], [])], "test-policy")
    with pytest.raises(CurateError, match="never be allowed"):
        run_gate(store, taxonomy, config, allow=["no_residual_pii"], reason="please")
    with pytest.raises(GateError, match="no_residual_pii"):
        run_gate(
            store,
            taxonomy,
            config,
            allow=["empathy.present_when_response_annotated"],
            reason="as above",
            engine=deid_engine,
        )
