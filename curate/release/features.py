"""The typed row of a release (`datasets.Features`) and the Record -> row converter.

Why typed features built from the taxonomy: the Parquet files carry the schema (the
`huggingface` metadata key), so whoever loads them gets label names back
(`ClassLabel.int2str`) without this code base, and a label added to `schemas/` flows into
the release with no code change. Nothing here names a label by hand.

Choices that are not obvious:
- Span lists are `List({...})`, a list of structs. `Sequence({...})` would turn into a
  dict of lists (`{"start": [...], "end": [...]}`), which loses the "one span = one
  object" shape every consumer expects.
- The empathy score is a nullable `int8` holding the 1-5 score itself, not a
  `ClassLabel`: a ClassLabel is nominal and zero-based (the score 1 would be stored as 0,
  and 1 < 5 would mean nothing to a consumer), and a missing score must stay null rather
  than become a sixth "unknown" class. The meaning of each value is in the taxonomy
  (score 1 to 5, each with its label) and in the card.
- One schema for both modes: text mode fills `post`/`response` and leaves `url` null;
  reference mode fills `url` and leaves the texts null (a consumer who hydrates the posts
  fills the same columns). Span offsets point into the de-identified texts, so in
  reference mode (no texts) they are null as well.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from curate.demographics import RELEASE_INTEGER_TYPE
from curate.records import Record
from curate.schema import Taxonomy

# A span's text is in `row[span["field"]]["text"]`; these are the text columns.
TEXT_COLUMNS = {"post": ("title", "text"), "response": ("text",)}


def build_features(taxonomy: Taxonomy):  # -> datasets.Features
    """The features of every config (the same for all configs and both modes)."""
    from datasets import ClassLabel, Features, List, Value

    features: dict[str, Any] = {
        "id": Value("string"),
        "culture": ClassLabel(names=list(taxonomy.cultures)),
        "language": Value("string"),
        "post": {name: Value("string") for name in TEXT_COLUMNS["post"]},
        "response": {name: Value("string") for name in TEXT_COLUMNS["response"]},
        "url": Value("string"),
    }
    for family in taxonomy.families.values():
        features[family.name] = List(
            {
                "field": Value("string"),
                "start": Value("int32"),
                "end": Value("int32"),
                "text": Value("string"),
                family.attribute: ClassLabel(names=list(family.values)),
                "annotator": Value("string"),
            }
        )
    features["empathy"] = Value("int8")
    features["demographics"] = {
        name: Value(
            RELEASE_INTEGER_TYPE if taxonomy.demographic_kinds[name] == "integer" else "string"
        )
        for name in taxonomy.demographic_fields
    }
    return Features(features)


def annotator_pseudonym(salt: bytes, annotator: str | None) -> str | None:
    """Annotators are Label Studio accounts (e-mail addresses): a release carries a
    stable per-workspace pseudonym instead, so agreement can still be studied."""
    if annotator is None:
        return None
    return "ann-" + hmac.new(salt, annotator.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def _demographic(value: Any, kind: str) -> int | str | None:
    """Normalized values only. A value of the wrong kind (let through the gate by an
    explicit override) becomes null rather than breaking the typed column."""
    if value is None:
        return None
    if kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return str(value)


def to_row(record: Record, taxonomy: Taxonomy, mode: str, salt: bytes) -> dict[str, Any]:
    """One release row. Labels are given as names (`datasets` encodes them to ids).

    `mode` "text": de-identified texts, no URL; "reference": URL, no texts, no offsets.
    Values outside the taxonomy (only possible when a failed expectation was allowed)
    become null, and spans of an unknown family are not exported.
    """
    text_mode = mode == "text"
    row: dict[str, Any] = {
        "id": record.id,
        "culture": record.culture if record.culture in taxonomy.cultures else None,
        "language": record.language,
        "post": {
            "title": record.post_title if text_mode else None,
            "text": record.post_text if text_mode else None,
        },
        "response": {"text": record.response_text if text_mode else None},
        "url": None if text_mode else record.source.url,
    }
    for family in taxonomy.families.values():
        spans = []
        for span in record.spans:
            if span.label != family.name:
                continue
            value = span.attributes.get(family.attribute)
            spans.append(
                {
                    "field": span.field,
                    "start": span.start if text_mode else None,
                    "end": span.end if text_mode else None,
                    "text": span.text,
                    family.attribute: value if value in family.values else None,
                    "annotator": annotator_pseudonym(salt, span.annotator),
                }
            )
        row[family.name] = spans
    row["empathy"] = record.empathy if record.empathy in taxonomy.empathy else None
    row["demographics"] = {
        name: _demographic(record.demographics.get(name), taxonomy.demographic_kinds[name])
        for name in taxonomy.demographic_fields
    }
    return row


def label_hash(record: Record) -> str:
    """What "relabelled" compares between versions: spans (field, label, attribute,
    phrase, annotator), empathy and demographics. Not the texts and not the offsets: a new
    de-identification policy moves offsets without relabelling anything, while a moved
    span boundary changes the phrase."""
    spans = sorted(
        json.dumps(
            [s.field, s.label, s.text, s.attributes, s.annotator],
            sort_keys=True,
            ensure_ascii=False,
        )
        for s in record.spans
    )
    payload = {"spans": spans, "empathy": record.empathy, "demographics": record.demographics}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
