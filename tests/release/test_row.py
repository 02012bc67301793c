"""The release row schema: typed from the taxonomy, one span = one struct, and the row
converter that decides what each mode may carry."""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value
from release_helpers import POST, RESPONSE, synthetic_record

from curate.records import Span
from curate.release.row import build_features, encode, label_hash
from curate.schema import load_taxonomy


def test_features_are_typed_from_the_taxonomy() -> None:
    taxonomy = load_taxonomy()
    features = build_features(taxonomy)
    assert features["culture"] == ClassLabel(names=list(taxonomy.cultures))
    for family in taxonomy.families.values():
        column = features[family.name]
        # a list of structs, not Sequence(dict) (which would become a dict of lists)
        assert isinstance(column, List) and isinstance(column.feature, dict)
        assert column.feature[family.attribute] == ClassLabel(names=list(family.values))
        assert column.feature["start"] == Value("int32")
    assert features["empathy"] == Value("int8")
    kinds = taxonomy.demographic_kinds
    assert features["demographics"]["age"] == Value("int32") and kinds["age"] == "integer"
    assert features["demographics"]["gender"] == Value("string")
    # the YAML round trip of the card keeps every type
    assert Features.from_dict(features.to_dict()) == features


def test_a_new_culture_in_the_taxonomy_needs_no_code() -> None:
    features = build_features(load_taxonomy(("Klingon",)))
    assert features["culture"].names[-1] == "Klingon"


def test_text_row_has_texts_and_offsets_but_no_source(store) -> None:
    taxonomy = load_taxonomy()
    record = synthetic_record(store, "a1", "German")
    row = encode(record, taxonomy, "text", store.id_salt)
    assert row["post"] == {"title": "Lonely", "text": POST}
    assert row["response"] == {"text": RESPONSE}
    assert row["url"] is None
    span = row["emotional_distress"][0]
    assert POST[span["start"] : span["end"]] == span["text"] == "so lonely"
    assert span["intensity"] == "moderate"
    assert "srcid" not in repr(row)
    # annotators are accounts (e-mail addresses): a stable pseudonym, never the address
    annotator = row["emotional_support"][0]["annotator"]
    assert annotator.startswith("ann-") and "example.org" not in repr(row)
    again = encode(record, taxonomy, "text", store.id_salt)["emotional_support"][0]
    assert again["annotator"] == annotator
    # the converted row is exactly what the typed features accept
    encoded = build_features(taxonomy).encode_example(row)
    assert encoded["culture"] == taxonomy.cultures.index("German")


def test_reference_row_has_url_and_phrases_but_no_text(store) -> None:
    taxonomy = load_taxonomy()
    record = synthetic_record(store, "a1", "German")
    row = encode(record, taxonomy, "reference", store.id_salt)
    assert row["post"] == {"title": None, "text": None} and row["response"] == {"text": None}
    assert row["url"] == "https://www.reddit.com/comments/srcid-a1"
    assert [s["text"] for s in row["cultural_signal"]] == ["mother"]
    # offsets point into texts the release does not have
    assert all(s["start"] is None and s["end"] is None for s in row["emotional_distress"])


def test_values_outside_the_taxonomy_become_null(store) -> None:
    """Only reachable when a failed expectation was allowed: the typed column must not
    break, and an unknown family has no column to go to."""
    taxonomy = load_taxonomy()
    record = synthetic_record(store, "a1", "German")
    record.spans[0].attributes = {"intensity": "None"}
    record.spans.append(Span("post", "hope", "x", None, None, {"kind": "y"}))
    record.empathy = 7
    record.demographics["age"] = "twenty"
    row = encode(record, taxonomy, "text", store.id_salt)
    assert row["emotional_distress"][0]["intensity"] is None
    assert "hope" not in row
    assert row["empathy"] is None and row["demographics"]["age"] is None
    build_features(taxonomy).encode_example(row)  # does not raise


def test_label_hash_sees_labels_not_offsets(store) -> None:
    record = synthetic_record(store, "a1", "German")
    before = label_hash(record)
    record.spans[0].start, record.spans[0].end = 0, 9  # a new de-identification moved it
    record.post_text = "changed text"
    assert label_hash(record) == before
    record.spans[0].attributes = {"intensity": "high"}
    assert label_hash(record) != before
    record.spans[0].attributes = {"intensity": "moderate"}
    record.empathy = 2
    assert label_hash(record) != before
