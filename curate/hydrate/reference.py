"""Reading a reference release: what to hydrate.

Two layouts are accepted, told apart by content, not by name:
- a release folder made by `curate export --mode reference` (or one of its Parquet
  files): rows with `url`, span lists per family with null offsets, empathy,
  demographics; labels are `ClassLabel` ids whose names travel in the Parquet metadata;
- the original CultureCare files (`{Culture}_data.jsonl`, `post.text` = the URL), read
  by the CultureCare source itself, so every placeholder and defect is handled the way
  `curate ingest` handles it (and `curate export --format culturecare-jsonl` output,
  which is the same layout).

Each row becomes a `Wanted` item: the Reddit post id to look for and a `Record` holding
the annotations (phrases without offsets). A row that cannot be one is returned as
`Rejected`, with its file, row and reason, for the quarantine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.records import Provenance, Record, Source, Span, pseudonymous_id
from curate.schema import Taxonomy
from curate.sources.base import Location, Parsed, Rejected

FORMAT = "hydrate"
_POST_ID = re.compile(r"(?:/comments/|redd\.it/)([0-9a-z]{1,16})(?=[/?#]|$)", re.IGNORECASE)
_SPLIT = re.compile(r"^([A-Za-z]+)-\d{5}-of-\d{5}\.parquet$")


@dataclass
class Wanted:
    """One item of the reference: the post to look for and its annotations."""

    key: str  # the Reddit post id, lower case: what the dump lines are matched on
    record: Record  # annotations only: spans without offsets, no texts
    location: Location  # where in the reference it is
    reference_id: str | None = None  # the release's own id (cc-…), to join back to it
    split: str | None = None  # the release's split, when its file name tells


@dataclass(frozen=True)
class Reference:
    """One reference input: a Parquet file of a release or a CultureCare JSONL file."""

    path: Path
    kind: str  # "parquet" | "culturecare"


def post_id_of(url: str | None) -> str | None:
    """The Reddit post id in a URL (`…/comments/<id>/…` or `redd.it/<id>`), lower case."""
    if not isinstance(url, str):
        return None
    match = _POST_ID.search(url.strip())
    return match.group(1).lower() if match else None


def release_files(folder: Path) -> list[Reference]:
    """The reference inputs of a release folder. Its `all` config already holds every
    row, so only it is read when present (the per-culture configs repeat the rows)."""
    manifest = folder / "MANIFEST.json"
    if manifest.is_file():
        try:
            mode = json.loads(manifest.read_text(encoding="utf-8")).get("mode")
        except (json.JSONDecodeError, AttributeError):
            raise CurateError(f"{manifest}: not a release manifest (invalid JSON)") from None
        if mode == "text":
            raise CurateError(
                f"{folder} is a text-mode release: its texts are in it already; "
                "`curate hydrate` takes a reference release"
            )
    data = folder / "data"
    if (data / "all").is_dir():
        parquet = sorted((data / "all").glob("*.parquet"))
    else:
        parquet = sorted(data.glob("*/*.parquet")) if data.is_dir() else []
    jsonl = sorted(folder.glob("*_data.jsonl"))
    found = [Reference(p, "parquet") for p in parquet] + [
        Reference(p, "culturecare") for p in jsonl
    ]
    if not found:
        raise CurateError(f"{folder}: no data/<config>/*.parquet and no *_data.jsonl in it")
    return found


def is_release_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "MANIFEST.json").is_file() or (path / "data").is_dir())


def read(
    references: list[Reference], taxonomy: Taxonomy, salt: bytes, max_bytes: int
) -> Iterator[Wanted | Rejected]:
    """Every row of every reference input, as a `Wanted` item or a `Rejected` one."""
    for ref in references:
        if ref.kind == "parquet":
            yield from _parquet(ref.path, taxonomy, salt)
        else:
            yield from _culturecare(ref.path, taxonomy, salt, max_bytes)


# -- the original CultureCare layout -------------------------------------------------------
def _culturecare(path: Path, taxonomy: Taxonomy, salt: bytes, max_bytes: int):
    from curate.sources import culturecare

    for item in culturecare.read([path], taxonomy=taxonomy, salt=salt, max_bytes=max_bytes):
        if isinstance(item, Rejected):
            yield item
            continue
        assert isinstance(item, Parsed)
        record = item.record
        loc = Location(record.provenance.input_file, record.provenance.line)
        # The post id is the record's identity (as `curate ingest` of the same file has
        # it); a URL that names the post is the fallback for an id that is not one.
        key = record.source.source_id.strip().lower()
        if not re.fullmatch(r"[0-9a-z]{1,16}", key):
            key = post_id_of(record.source.url) or ""
        if not key:
            payload = json.dumps(record.to_dict(), ensure_ascii=False)
            yield Rejected(loc, "no Reddit post id (post_id or URL)", payload, record.culture)
            continue
        record.provenance.format = FORMAT
        yield Wanted(key, record, loc)


# -- a release made by `curate export --mode reference` ------------------------------------
def _names(features: dict[str, Any], *keys: str) -> list[str] | None:
    node: Any = features
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    names = node.get("names") if isinstance(node, dict) else None
    return list(names) if isinstance(names, list) else None


def _label(value: Any, names: list[str] | tuple[str, ...]) -> str | None:
    """A ClassLabel id back to its name (a string is taken as the name itself)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return names[value] if 0 <= value < len(names) else None
    return str(value)


def _parquet(path: Path, taxonomy: Taxonomy, salt: bytes) -> Iterator[Wanted | Rejected]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise CurateError(f"{path}: cannot read as Parquet: {exc}") from None
    meta = pf.schema_arrow.metadata or {}
    try:
        features = json.loads(meta[b"huggingface"])["info"]["features"]
    except (KeyError, ValueError, TypeError):
        features = {}  # labels then follow the taxonomy's order, as `curate export` does
    cultures = _names(features, "culture") or list(taxonomy.cultures)
    labels = {
        f.name: _names(features, f.name, "feature", f.attribute) or list(f.values)
        for f in taxonomy.families.values()
    }
    match = _SPLIT.match(path.name)
    split = match.group(1) if match else None
    number = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield _row(row, Location(str(path), number), taxonomy, cultures, labels, salt, split)


def _row(row, loc, taxonomy, cultures, labels, salt, split) -> Wanted | Rejected:
    payload = json.dumps(row, ensure_ascii=False, default=str)
    url = row.get("url")
    key = post_id_of(url)
    culture = _label(row.get("culture"), cultures)
    if key is None:
        return Rejected(loc, "no Reddit post id in the url", payload, culture)
    if culture not in taxonomy.cultures:
        return Rejected(loc, "culture is not in the taxonomy", payload, culture)
    record = Record(
        id=pseudonymous_id(salt, "reddit", key),
        culture=culture,
        source=Source(platform="reddit", source_id=key, url=url, thread_id=key),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=FORMAT),
        language=row.get("language") or "und",
    )
    for family in taxonomy.families.values():
        for i, span in enumerate(row.get(family.name) or []):
            value = _label(span.get(family.attribute), labels[family.name])
            if value is not None and value not in family.values:
                record.add_defect(
                    f"{family.name}[{i}]", f"{family.attribute} unknown", value, salt=salt
                )
                value = None
            record.spans.append(
                Span(
                    field=span.get("field") or "post",
                    label=family.name,
                    text=span.get("text") or "",
                    attributes={family.attribute: value},
                    annotator=span.get("annotator"),
                )
            )
    empathy = row.get("empathy")
    record.empathy = empathy if empathy in taxonomy.empathy else None
    demographics = row.get("demographics") or {}
    # A release carries normalized values only: no raw ones (as for any source without
    # them), so nothing is taken for a raw number where the source had a string.
    record.demographics = {n: demographics.get(n) for n in taxonomy.demographic_fields}
    return Wanted(key, record, loc, reference_id=row.get("id"), split=split)
