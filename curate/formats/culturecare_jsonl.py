"""The authors' CultureCare release format (UKPLab/arxiv2025-culturecare,
`{Culture}_data.jsonl`): its reader (what `curate ingest` and `curate hydrate` read) and
its writer (`curate export --format culturecare-jsonl`).

Why both in one module: the writer must stay the reader's inverse (the same keys in the
same order, the same span lists), and both follow one table, `RELEASE_LISTS`.

Reading. The release has no texts: `post.text` holds the Reddit URL, and spans are
phrases without offsets. Every annotation is kept (offsets null until hydrated);
placeholder values ("None", null, "") become null, and each defect is recorded on the
record by field so that a curator sees it.

Writing. The authors' code reads these files with `pandas.read_json(path, lines=True)`;
writing the same layout lets it run unchanged on a curated workspace: `post.text` holding
the post URL, spans as `{phrase, <attribute>}` lists in their original order,
demographics as given in the source (`demographics_raw`), the empathy score as its
taxonomy label ("" when missing). What does not come back as it was (the
normalizations, documented in docs/export.md):
- phrases are the de-identified ones (a direct identifier becomes `<PERSON_1>` etc.);
- an attribute outside the taxonomy or a placeholder ("None", "", null) comes back null;
- an empathy score off the 1-5 scale comes back "" (as a missing one);
- a list missing in the source comes back empty, a numeric `post_id` as a string;
  records so broken that ingest quarantined them are not in the workspace at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from curate.demographics import is_missing_label, normalize_demographics
from curate.records import Provenance, RawText, Record, Source, Span, pseudonymous_id
from curate.schema import Taxonomy
from curate.sources.base import LONE_SURROGATE, Item, Location, Parsed, Rejected, decode_json_line
from curate.sources.io import iter_lines
from curate.sources.rows import guarded, has_lone_surrogate

FORMAT = "culturecare"

# Release JSON keys of each span family, per field: (field, family, list key, attr key).
RELEASE_LISTS = (
    ("post", "emotional_distress", "emotional_distress", "intensity"),
    ("post", "cultural_signal", "cultural_signals", "type"),
    ("response", "emotional_support", "emotional_support", "strategy"),
    ("response", "cultural_signal", "cultural_signals", "type"),
)


def looks_like(obj: dict[str, Any]) -> bool:
    return "post_id" in obj and isinstance(obj.get("post"), dict)


def read(
    paths: list[Path], *, taxonomy: Taxonomy, salt: bytes, max_bytes: int, on_progress=None
) -> Iterator[Item]:
    for path in paths:
        prog = None if on_progress is None else (lambda n, p=path: on_progress(p, n))
        for number, raw in iter_lines(path, prog):
            loc = Location(str(path), number)
            obj = decode_json_line(raw, loc, max_bytes)
            if isinstance(obj, Rejected):
                yield obj
                continue
            yield guarded(
                lambda o=obj, lc=loc, r=raw: parse(o, lc, taxonomy, salt, r), loc, lambda r=raw: r
            )


def parse(
    obj: dict[str, Any], loc: Location, taxonomy: Taxonomy, salt: bytes, payload: bytes
) -> Item:
    """One release line as a record (defects noted on it), or why it is rejected.
    `payload` is the line as read, quarantined as it was."""
    if has_lone_surrogate(obj):
        return Rejected(loc, LONE_SURROGATE, payload)
    post_id, post = obj.get("post_id"), obj.get("post")
    if not isinstance(post_id, str | int) or not str(post_id).strip():
        return Rejected(loc, "missing post_id", payload)
    if not isinstance(post, dict):
        return Rejected(loc, "missing post object", payload)
    culture = obj.get("culture")
    if culture not in taxonomy.cultures:
        # Neither in the reason nor as the count's culture: both are printed.
        return Rejected(loc, "culture is not in the taxonomy", payload)
    response = obj.get("response")
    url = post.get("text") if isinstance(post.get("text"), str) else None
    record = Record(
        id=pseudonymous_id(salt, "reddit", str(post_id)),
        culture=culture,
        source=Source(platform="reddit", source_id=str(post_id), url=url, thread_id=str(post_id)),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=FORMAT),
    )
    if url is None or not url.startswith("http"):
        record.add_defect("post.text", "expected the post URL")
    if response is not None and not isinstance(response, dict):
        return Rejected(loc, "response is not an object", payload, culture=culture)
    parts = {"post": post, "response": response or {}}
    for field, family, key, attr in RELEASE_LISTS:
        items = parts[field].get(key)
        if items is None:
            if field == "post" or response:
                record.add_defect(f"{field}.{key}", "missing list")
            continue
        if not isinstance(items, list):
            record.add_defect(f"{field}.{key}", f"not a list ({type(items).__name__})")
            continue
        _spans(record, items, field, taxonomy.family(family), key, attr, salt)
    _empathy(record, response, taxonomy, salt)
    demo_raw = post.get("demographic_info")
    if isinstance(demo_raw, dict):
        record.demographics_raw = demo_raw
        record.demographics, problems = normalize_demographics(demo_raw, taxonomy)
        for where, problem, *value in problems:
            record.add_defect(f"post.{where}", problem, *value, salt=salt)
    else:
        record.add_defect("post.demographic_info", "missing")
    hint = " ".join(s.text for s in record.spans if s.field == "post")
    return Parsed(record, RawText(), langid_hint=hint)


def _spans(
    record: Record, items: list[Any], field: str, family, key: str, attr: str, salt: bytes
) -> None:
    for i, item in enumerate(items):
        where = f"{field}.{key}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("phrase"), str):
            record.add_defect(where, "not a {phrase, label} object; dropped")
            continue
        phrase, value = item["phrase"], item.get(attr)
        if not phrase.strip():
            record.add_defect(where, "empty phrase")
        if is_missing_label(value):
            record.add_defect(f"{where}.{attr}", f"missing {attr}", value, salt=salt)
            value = None
        elif value not in family.values:
            record.add_defect(f"{where}.{attr}", f"{attr} not in the taxonomy", value, salt=salt)
            value = None
        record.spans.append(
            Span(field=field, label=family.name, text=phrase, attributes={attr: value})
        )


def _empathy(
    record: Record, response: dict[str, Any] | None, taxonomy: Taxonomy, salt: bytes
) -> None:
    raw = (response or {}).get("empathy_score")
    if is_missing_label(raw):
        # A response without any annotation legitimately has no score.
        if any(s.field == "response" for s in record.spans):
            record.add_defect(
                "response.empathy_score", "missing although the response is annotated"
            )
        return
    value = taxonomy.empathy_value(raw)
    if value is None:
        record.add_defect("response.empathy_score", "not on the 1-5 scale", raw, salt=salt)
    record.empathy = value


# -- writing ---------------------------------------------------------------------------
# (field, release list key, family) in the order of the release's JSON objects: the
# reader's table, so that the export stays its inverse.
_LAYOUT: dict[str, tuple[tuple[str, str], ...]] = {
    part: tuple((key, family) for field, family, key, _ in RELEASE_LISTS if field == part)
    for part in ("post", "response")
}


def file_name(culture: str) -> str:
    return f"{culture}_data.jsonl"


def _span_objects(record: Record, field: str, family: Any) -> list[dict[str, Any]]:
    out = []
    for span in record.spans:
        if span.field == field and span.label == family.name:
            value = span.attributes.get(family.attribute)
            out.append(
                {"phrase": span.text, family.attribute: value if value in family.values else None}
            )
    return out


def _demographics(record: Record, taxonomy: Taxonomy) -> dict[str, Any]:
    """As given in the source; for records from another source (no raw demographics),
    the normalized values with "unknown" for missing ones, as the release writes them."""
    if record.demographics_raw:
        return dict(record.demographics_raw)
    return {
        name: "unknown" if record.demographics.get(name) is None else record.demographics[name]
        for name in taxonomy.demographic_fields
    }


def to_object(record: Record, taxonomy: Taxonomy) -> dict[str, Any]:
    """One line of the release, keys in the release's order."""
    post: dict[str, Any] = {"text": record.source.url}
    for key, family in _LAYOUT["post"]:
        post[key] = _span_objects(record, "post", taxonomy.family(family))
    post["demographic_info"] = _demographics(record, taxonomy)
    response: dict[str, Any] = {}
    for key, family in _LAYOUT["response"]:
        response[key] = _span_objects(record, "response", taxonomy.family(family))
    response["empathy_score"] = taxonomy.empathy.get(record.empathy, "")
    return {
        "culture": record.culture,
        "post_id": record.source.source_id,
        "post": post,
        "response": response,
    }


def write_culturecare_jsonl(
    records: Iterable[Record], taxonomy: Taxonomy, folder: Path
) -> dict[str, int]:
    """Write one file per culture into `folder` (records in workspace order, i.e. the
    order they were ingested in). Returns culture -> number of lines."""
    folder.mkdir(parents=True, exist_ok=True)
    handles: dict[str, Any] = {}
    counts: dict[str, int] = {}
    try:
        for record in records:
            culture = record.culture
            if culture is None:
                continue  # the layout has no place for it (the gate reports such records)
            if culture not in handles:
                handles[culture] = (folder / file_name(culture)).open("w", encoding="utf-8")
                counts[culture] = 0
            line = json.dumps(to_object(record, taxonomy), ensure_ascii=False)
            handles[culture].write(line + "\n")
            counts[culture] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return dict(sorted(counts.items()))
