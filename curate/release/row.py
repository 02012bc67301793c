"""The release row, declared once: its typed `datasets.Features`, what each column
holds (the card's and Croissant's descriptions), the Record -> row encoder and the
row -> typed values decoder (what reading a release back needs).

Everything that writes or reads a release row (export, the card, croissant.json,
validation, `curate hydrate`) takes it from here instead of restating it.

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
from dataclasses import dataclass
from typing import Any

from curate.demographics import RELEASE_INTEGER_TYPE
from curate.records import ADJUDICATED, Record
from curate.release.facts import field_docs
from curate.schema import Taxonomy

# A span's text is in `row[span["field"]]["text"]`; these are the text columns.
TEXT_COLUMNS = {"post": ("title", "text"), "response": ("text",)}


@dataclass(frozen=True)
class Column:
    """One column of the release row (or one member of a struct column): its name, its
    `datasets` feature and what it holds (the card's and croissant.json's description)."""

    name: str
    feature: Any  # a datasets feature; for a list of structs, the List
    description: str
    members: tuple[Column, ...] = ()  # of a struct column, or of a list-of-structs' element


def columns(taxonomy: Taxonomy) -> tuple[Column, ...]:
    """The release row's columns, each declared with its type and its description: from
    the taxonomy (span families, the empathy score, demographics, cultures) and from
    `release/fields.yaml` (ids, texts, language, URL, the span members)."""
    from datasets import ClassLabel, List, Value

    docs = field_docs()
    text = {str(k): str(v) for k, v in (docs.get("columns") or {}).items()}
    span_docs = {str(k): str(v) for k, v in (docs.get("span") or {}).items()}

    def doc(path: str, default: str = "") -> str:
        # fields.yaml names a column ("url") or a struct member ("post.title") by path and
        # overrides what the taxonomy says
        return text.get(path, default)

    def struct(name: str, members: dict[str, Any]) -> Column:
        subs = tuple(Column(m, f, doc(f"{name}.{m}")) for m, f in members.items())
        return Column(name, {m.name: m.feature for m in subs}, doc(name), subs)

    cultures = list(taxonomy.cultures)
    out = [
        Column("id", Value("string"), doc("id")),
        Column(
            "culture",
            ClassLabel(names=cultures),
            (doc("culture") + " " if doc("culture") else "") + f"Values: {', '.join(cultures)}.",
        ),
        Column("language", Value("string"), doc("language")),
        struct("post", {name: Value("string") for name in TEXT_COLUMNS["post"]}),
        struct("response", {name: Value("string") for name in TEXT_COLUMNS["response"]}),
        Column("url", Value("string"), doc("url")),
    ]
    for family in taxonomy.families.values():
        span = family.name

        def member(name: str, feature: Any, span: str = span) -> Column:
            return Column(name, feature, doc(f"{span}.{name}", span_docs.get(name, "")))

        members = (
            member("field", Value("string")),
            member("start", Value("int32")),
            member("end", Value("int32")),
            member("text", Value("string")),
            Column(
                family.attribute,
                ClassLabel(names=list(family.values)),
                doc(
                    f"{span}.{family.attribute}",
                    f"The {family.attribute} of the {family.title.lower()} span "
                    f"(values and definitions under Label definitions).",
                ),
            ),
            member("annotator", Value("string")),
        )
        where = " and ".join(family.fields)
        out.append(
            Column(
                span,
                List({m.name: m.feature for m in members}),
                doc(span, f"{family.title} spans (annotated on the {where}): {family.description}"),
                members,
            )
        )
    empathy = taxonomy.raw.get("empathy", {})
    out.append(
        Column(
            "empathy",
            Value("int8"),
            doc(
                "empathy",
                f"{empathy.get('description', 'Empathy score.')} Scale under Label definitions.",
            ),
        )
    )
    demographics = taxonomy.raw["demographics"]
    described = {spec["name"]: str(spec["description"]) for spec in demographics["fields"]}
    members = tuple(
        Column(
            name,
            Value(
                RELEASE_INTEGER_TYPE if taxonomy.demographic_kinds[name] == "integer" else "string"
            ),
            doc(f"demographics.{name}", described.get(name, "")),
        )
        for name in taxonomy.demographic_fields
    )
    out.append(
        Column(
            "demographics",
            {m.name: m.feature for m in members},
            doc("demographics", " ".join(str(demographics["description"]).split())),
            members,
        )
    )
    return tuple(out)


def build_features(taxonomy: Taxonomy):  # -> datasets.Features
    """The features of every config (the same for all configs and both modes)."""
    from datasets import Features

    return Features({column.name: column.feature for column in columns(taxonomy)})


def descriptions(taxonomy: Taxonomy) -> dict[str, str]:
    """What each column holds, by path: "culture", "post.title", "emotional_distress.start"
    (a member of a span struct is named without "[]")."""
    out: dict[str, str] = {}
    for column in columns(taxonomy):
        out[column.name] = column.description
        for member in column.members:
            out[f"{column.name}.{member.name}"] = member.description
    return out


def annotator_pseudonym(salt: bytes, annotator: str | None) -> str | None:
    """Annotators are Label Studio accounts (e-mail addresses): a release carries a
    stable per-workspace pseudonym instead, so agreement can still be studied. A
    reviewer's adjudicated span keeps its marker (`adjudicated`), not a pseudonym."""
    if annotator is None or annotator == ADJUDICATED:
        return annotator
    return "ann-" + hmac.new(salt, annotator.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def _demographic(value: Any, kind: str) -> int | str | None:
    """Normalized values only. A value of the wrong kind (let through the gate by an
    explicit override) becomes null rather than breaking the typed column."""
    if value is None:
        return None
    if kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return str(value)


def encode(record: Record, taxonomy: Taxonomy, mode: str, salt: bytes) -> dict[str, Any]:
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


# -- the columns as the card lists them ------------------------------------------------
def features_from_dict(features: dict[str, Any]):  # -> datasets.Features
    """The `datasets.Features` of a release's stored form (`ReleaseInfo.to_dict`)."""
    from datasets import Features

    return Features.from_dict(features)


def _inner(feature: Any) -> Any:
    """The element feature of a list-like feature, else None."""
    from datasets import LargeList, List

    if isinstance(feature, (List, LargeList)):
        return feature.feature
    return None


def type_name(feature: Any) -> str:
    """A short, human-readable type of a `datasets` feature."""
    from datasets import ClassLabel, Value

    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, ClassLabel):
        return f"class label ({feature.num_classes} values)"
    inner = _inner(feature)
    if inner is not None:
        return "list of structs" if isinstance(inner, dict) else f"list of {type_name(inner)}"
    if isinstance(feature, dict):
        return "struct"
    return type(feature).__name__


def field_rows(features: Any, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """One row per column of `features` (a release's `datasets.Features`) and per member
    of a struct (or list-of-structs) column, with its path (`spans[].start`), type and
    declared description ("" for a column the release row does not declare)."""
    docs = descriptions(taxonomy)
    rows: list[dict[str, Any]] = []
    for name, feature in features.items():
        rows.append({"name": name, "type": type_name(feature), "description": docs.get(name, "")})
        inner = _inner(feature)
        members, joint = (inner, "[].") if isinstance(inner, dict) else (feature, ".")
        if isinstance(members, dict):
            for sub, sub_feature in members.items():
                rows.append(
                    {
                        "name": f"{name}{joint}{sub}",
                        "type": type_name(sub_feature),
                        "description": docs.get(f"{name}.{sub}", ""),
                    }
                )
    return rows


# -- reading a row back ----------------------------------------------------------------
def label_names(features: dict[str, Any], taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The class names of every label column of a stored row (`culture` and each span
    family's attribute, keyed by column name) as the file's own features give them, else
    the taxonomy's order (which is how `build_features` declares them)."""

    def names(*keys: str) -> list[str] | None:
        node: Any = features
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        found = node.get("names") if isinstance(node, dict) else None
        return list(found) if isinstance(found, list) else None

    out = {"culture": names("culture") or list(taxonomy.cultures)}
    for family in taxonomy.families.values():
        out[family.name] = names(family.name, "feature", family.attribute) or list(family.values)
    return out


def label(value: Any, names: list[str] | tuple[str, ...]) -> str | None:
    """A ClassLabel id back to its name (a string is taken as the name itself)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return names[value] if 0 <= value < len(names) else None
    return str(value)


def decode(row: dict[str, Any], names: dict[str, list[str]], taxonomy: Taxonomy) -> dict[str, Any]:
    """A stored row with its labels as names (`label_names` of its file): the culture,
    each span's attribute, as `label` reads them. Nothing is checked against the taxonomy
    here: the reader decides what an unknown value means."""
    out = dict(row)
    out["culture"] = label(row.get("culture"), names["culture"])
    for family in taxonomy.families.values():
        out[family.name] = [
            {**span, family.attribute: label(span.get(family.attribute), names[family.name])}
            for span in row.get(family.name) or []
        ]
    return out
