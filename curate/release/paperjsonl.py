"""The paper-compatible export: `{Culture}_data.jsonl` in the CultureCare release layout.

Why: the authors' code (UKPLab/arxiv2025-culturecare) reads these files with
`pandas.read_json(path, lines=True)`; writing the same layout lets it run unchanged on a
curated workspace. It is the inverse of `curate.sources.culturecare`: the same keys in
the same order, `post.text` holding the post URL, spans as `{phrase, <attribute>}` lists
in their original order, demographics as given in the source (`demographics_raw`), the
empathy score as its taxonomy label ("" when missing).

What does not come back as it was (the normalizations, documented in docs/export.md):
- phrases are the de-identified ones (a direct identifier becomes `<PERSON_1>` etc.);
- an attribute outside the taxonomy or a placeholder ("None", "", null) comes back null;
- an empathy score off the 1-5 scale comes back "" (as a missing one);
- a list missing in the source comes back empty, a numeric `post_id` as a string;
  records so broken that ingest quarantined them are not in the workspace at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from curate.records import Record
from curate.schema import Taxonomy
from curate.sources.culturecare import RELEASE_LISTS

# (field, release list key, family) in the order of the release's JSON objects: the
# reader's table, so that the export stays its inverse.
_LAYOUT: dict[str, tuple[tuple[str, str], ...]] = {
    part: tuple((key, family) for field, family, key, _ in RELEASE_LISTS if field == part)
    for part in ("post", "response")
}


def file_name(culture: str) -> str:
    return f"{culture}_data.jsonl"


def _spans(record: Record, field: str, family: Any) -> list[dict[str, Any]]:
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
        post[key] = _spans(record, "post", taxonomy.family(family))
    post["demographic_info"] = _demographics(record, taxonomy)
    response: dict[str, Any] = {}
    for key, family in _LAYOUT["response"]:
        response[key] = _spans(record, "response", taxonomy.family(family))
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
