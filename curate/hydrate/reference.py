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

from curate.errors import CurateError
from curate.records import Provenance, Record, Source, Span, pseudonymous_id
from curate.schema import Taxonomy
from curate.sources.base import Location, Parsed, Rejected

FORMAT = "hydrate"
_POST_ID = re.compile(r"(?:/comments/|redd\.it/)([0-9a-z]{1,16})(?=[/?#]|$)", re.IGNORECASE)


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
    from curate.formats import culturecare_jsonl as culturecare

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
def _parquet(path: Path, taxonomy: Taxonomy, salt: bytes) -> Iterator[Wanted | Rejected]:
    from curate.formats import hub_parquet

    split = hub_parquet.split_of(path)
    for stored in hub_parquet.read_rows(path, taxonomy):
        loc = Location(str(path), stored.number)
        yield _row(stored.raw, stored.values, loc, taxonomy, salt, split)


def _row(raw, row, loc, taxonomy, salt, split) -> Wanted | Rejected:
    """`raw`: the row as stored (quarantined as it is); `row`: its labels as names."""
    payload = json.dumps(raw, ensure_ascii=False, default=str)
    url = row.get("url")
    key = post_id_of(url)
    culture = row["culture"]
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
        for i, span in enumerate(row[family.name]):
            value = span.get(family.attribute)
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
