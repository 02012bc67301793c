"""The free-text values of a record come from the record schema (`x-free-text`), not from
a list in the code: what de-identification, the residual scan, the release gate and the
vault purge all cover."""

from __future__ import annotations

import copy
import json

import pytest

from curate.deid import tables as deid_tables
from curate.records import (
    Provenance,
    RawText,
    Record,
    Source,
    Span,
    free_text_items,
    free_texts,
    path_name,
    pseudonymous_id,
    replace_free_texts,
)
from curate.schema import FreeTextPath, free_text_paths, load_taxonomy, record_json_schema

PROFESSION = "nurse, mail jonas.weber@example.de"


def _record(salt: bytes = b"s") -> Record:
    return Record(
        id=pseudonymous_id(salt, "test", "ft1"),
        culture="German",
        source=Source("test", "ft1"),
        provenance=Provenance("x", 1, "culturecare", content_hash="0" * 64),
        language="en",
        spans=[
            Span("post", "emotional_distress", "Jonas left", attributes={"intensity": "high"}),
            Span(
                "post",
                "emotional_distress",
                "so alone",
                attributes={"intensity": "ask Jonas, jonas.weber@example.de"},
            ),
        ],
        demographics={
            "age": 34,  # a number
            "gender": "female",  # a value of the normalization table
            "religion": "Pastafarian, ask Jonas",  # outside the table: kept as given
            "profession": PROFESSION,  # a text field
            "education": None,
            "social_class": "unknown",  # the placeholder for unknown
        },
        demographics_raw={"age": "34", "gender": "Weiblich", "profession": PROFESSION},
    )


def test_the_free_text_places_are_read_from_the_record_schema() -> None:
    paths = {p.parts: p.vocabulary for p in free_text_paths()}
    assert paths == {
        ("post", "title"): None,
        ("post", "text"): None,
        ("response", "text"): None,
        ("spans", "[]", "text"): None,
        ("spans", "[]", "attributes", "*"): "span-attribute",
        ("demographics", "*"): "demographic",
        ("demographics_raw", "*"): "demographic",
    }


def test_a_property_marked_in_the_schema_becomes_free_text() -> None:
    schema = copy.deepcopy(record_json_schema(load_taxonomy()))
    before = free_text_paths(schema)
    schema["properties"]["notes"] = {"type": "string", "x-free-text": True}
    schema["properties"]["source"]["properties"]["community"]["x-free-text"] = True
    after = free_text_paths(schema)
    assert set(after) - set(before) == {
        FreeTextPath(("notes",)),
        FreeTextPath(("source", "community")),
    }
    doc = _record().to_dict()
    doc["notes"] = "Jonas wrote this"
    doc["source"]["community"] = "germany"
    found = {path_name(k): v for k, v in free_text_items(doc, paths=after)}
    assert found["notes"] == "Jonas wrote this" and found["source.community"] == "germany"
    assert "notes" not in {path_name(k) for k, _ in free_text_items(doc, paths=before)}


def test_labels_numbers_and_placeholders_are_not_free_text() -> None:
    assert dict(free_texts(_record())) == {
        "spans[0].text": "Jonas left",
        "spans[1].text": "so alone",
        "spans[1].attributes.intensity": "ask Jonas, jonas.weber@example.de",
        "demographics.religion": "Pastafarian, ask Jonas",
        "demographics.profession": PROFESSION,
        "demographics_raw.profession": PROFESSION,
    }


def test_an_unknown_vocabulary_in_the_schema_is_an_error() -> None:
    paths = (FreeTextPath(("demographics", "*"), "no-such-vocabulary"),)
    with pytest.raises(ValueError, match="no-such-vocabulary"):
        list(free_text_items(_record().to_dict(), paths=paths))


def test_values_are_written_back_by_path() -> None:
    record = _record()
    replace_free_texts(
        record,
        {"demographics.profession": "nurse", "spans[1].attributes.intensity": "<X_1>"},
    )
    assert record.demographics["profession"] == "nurse"
    assert record.demographics_raw["profession"] == PROFESSION  # its own path
    assert record.spans[1].attributes["intensity"] == "<X_1>"
    with pytest.raises(KeyError, match=r"demographics\.age"):
        replace_free_texts(record, {"demographics.age": "x"})  # a number: not free text


def test_the_policy_fingerprint_follows_the_marked_places(monkeypatch) -> None:
    import curate.schema
    from curate.deid.policy import load_policy

    before = load_policy().fingerprint
    doc = json.loads(curate.schema._record_schema_text())
    doc["properties"]["source"]["properties"]["community"]["x-free-text"] = True
    monkeypatch.setattr(curate.schema, "_record_schema_text", lambda: json.dumps(doc))
    assert load_policy().fingerprint != before  # records done before are re-done


def test_one_pseudonym_memory_for_texts_and_demographics(deid_engine) -> None:
    from curate.deid.stage import apply_output, deid_input

    record = _record()
    raw = RawText(text="My name is Jonas Weber and I write from jonas.weber@example.de.")
    inp = deid_input(record, raw)
    assert "demographics.profession" in inp.fields and "spans[0].text" not in inp.fields
    (out,) = deid_engine.run([inp])
    done, decisions, _, _ = apply_output(record, out)
    assert done.post_text == "My name is <PERSON_1> and I write from <EMAIL_ADDRESS_1>."
    assert done.demographics["profession"] == "nurse, mail <EMAIL_ADDRESS_1>"
    assert done.demographics_raw["profession"] == "nurse, mail <EMAIL_ADDRESS_1>"
    assert done.demographics["religion"] == "Pastafarian, ask <PERSON_1>"
    assert done.spans[1].attributes["intensity"] == "ask <PERSON_1>, <EMAIL_ADDRESS_1>"
    assert done.demographics["gender"] == "female" and done.demographics["age"] == 34
    assert {"demographics.profession", "demographics_raw.profession"} <= {
        d["field"] for d in decisions
    }


def test_vault_purge_blanks_the_free_text_as_ingested(workspace) -> None:
    from curate.store import Store

    with Store.open(workspace) as store:
        record = _record(store.id_salt)
        run = store.begin_run("test", {})
        store.put_batch([(record, RawText(text="text"))], run)
        store.vault.purge()
        (kept,) = store.iter_records()
        assert kept.demographics["age"] == 34 and kept.demographics["gender"] == "female"
    for path in workspace.iterdir():
        if path.is_file():
            data = path.read_bytes()
            assert b"jonas.weber" not in data and b"Pastafarian" not in data, path


def test_pull_keeps_the_deidentified_demographics(workspace) -> None:
    from curate.annotate.pull import _merge_into_records
    from curate.store import Store

    with Store.open(workspace) as store:
        record = _record(store.id_salt)
        store.put_batch([(record, RawText(text="text"))], store.begin_run("test", {}))
        replace_free_texts(record, {"demographics.profession": "nurse, mail <EMAIL_ADDRESS_1>"})
        deid_tables.save_deid(store, [(record, [])], "fp")
        doc = {"spans": [], "empathy": None, "demographics": {"education": "nursing school"}}
        store.conn.execute(
            "INSERT INTO annotations (annotation_id, project_key, record_id, task_id, annotator,"
            " updated_at, status, result_hash, doc, stale, pulled_run) VALUES (1, 'German', ?,"
            " 1, 'a@x', '2025', 'submitted', 'h', ?, 0, 'run')",
            (record.id, json.dumps(doc)),
        )
        _merge_into_records(store, {record.id}, load_taxonomy())
        merged = store.get(record.id)
    assert merged.demographics["profession"] == "nurse, mail <EMAIL_ADDRESS_1>"
    assert merged.demographics["education"] == "nursing school"  # the annotators' value
