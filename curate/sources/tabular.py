"""Generic JSONL, CSV and Parquet files, read through a column mapping.

The mapping says which column holds each canonical field (`id`, `title`, `text`,
`response`, `culture`, `language`, `community`, `created_utc`, `url`, `platform`); it
comes from `[tabular]` in curate.toml and `--map field=column` on the command line.
Dotted column names reach into nested JSON objects (`--map text=post.body`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curate.records import Provenance, RawText, Record, Source, pseudonymous_id
from curate.schema import Taxonomy
from curate.sources.base import Item, Location, Parsed, Rejected, decode_json_line
from curate.sources.io import iter_lines, open_binary

FIELDS = (
    "id",
    "title",
    "text",
    "response",
    "culture",
    "language",
    "community",
    "created_utc",
    "url",
    "platform",
)


def _get(row: dict[str, Any], column: str | None) -> Any:
    if not column:
        return None
    if column in row:
        return row[column]
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _rows_jsonl(path: Path, max_bytes: int) -> Iterator[tuple[Location, dict | Rejected]]:
    for number, raw in iter_lines(path):
        loc = Location(str(path), number)
        yield loc, decode_json_line(raw, loc, max_bytes)


def _rows_csv(path: Path, max_bytes: int) -> Iterator[tuple[Location, dict | Rejected]]:
    stream, raw = open_binary(path)
    # surrogateescape keeps undecodable bytes visible so the row can be quarantined.
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        reader = csv.DictReader(text)
        start = 2
        for row in reader:
            loc = Location(str(path), start)
            start = reader.line_num + 1
            blob = (
                json.dumps(row, ensure_ascii=False, default=str, allow_nan=False)
                if None not in row
                else None
            )
            joined = "\x1f".join(str(v) for v in row.values())
            if any("\udc80" <= ch <= "\udcff" for ch in joined):
                yield loc, Rejected(loc, "not UTF-8", joined.encode("utf-8", "surrogateescape"))
            elif None in row or blob is None:
                yield loc, Rejected(loc, "more cells than header columns", joined)
            elif len(blob.encode()) > max_bytes:
                yield loc, Rejected(loc, f"oversized row (> {max_bytes} bytes)", blob)
            else:
                yield loc, row
    finally:
        text.close()
        raw.close()


def _rows_parquet(path: Path, max_bytes: int) -> Iterator[tuple[Location, dict | Rejected]]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            number += 1
            yield Location(str(path), number), row


READERS = {"jsonl": _rows_jsonl, "csv": _rows_csv, "parquet": _rows_parquet}


def read(
    paths: list[Path],
    *,
    kind: str,
    mapping: dict[str, str],
    taxonomy: Taxonomy,
    salt: bytes,
    max_bytes: int,
    max_text_chars: int,
    culture: str | None = None,
    platform: str = "file",
) -> Iterator[Item]:
    rows = READERS[kind]
    for path in paths:
        for loc, row in rows(path, max_bytes):
            if isinstance(row, Rejected):
                yield row
            else:
                yield parse(
                    row, loc, kind, mapping, taxonomy, salt, max_text_chars, culture, platform
                )


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # NaN from pandas CSVs
        return None
    return value if isinstance(value, str) else str(value)


def parse(
    row: dict[str, Any],
    loc: Location,
    kind: str,
    mapping: dict[str, str],
    taxonomy: Taxonomy,
    salt: bytes,
    max_text_chars: int,
    culture: str | None,
    platform: str,
) -> Item:
    payload = json.dumps(row, ensure_ascii=False, default=str)
    get = {f: _get(row, mapping.get(f)) for f in FIELDS}
    source_id, text = _text(get["id"]), _text(get["text"])
    if not source_id:
        return Rejected(loc, f"missing id (column {mapping.get('id')!r})", payload)
    if not text or not text.strip():
        return Rejected(loc, f"missing or empty text (column {mapping.get('text')!r})", payload)
    title, response = _text(get["title"]), _text(get["response"])
    if sum(len(t) for t in (title, text, response) if t) > max_text_chars:
        return Rejected(loc, f"text longer than {max_text_chars} characters", payload)
    the_culture = culture or _text(get["culture"])
    if the_culture not in taxonomy.cultures:
        return Rejected(loc, f"culture {the_culture!r} is not in the taxonomy", payload)
    created = get["created_utc"]
    try:
        created_utc = int(float(created)) if created not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return Rejected(loc, f"created_utc {created!r} is not a number", payload)
    plat = _text(get["platform"]) or platform
    record = Record(
        id=pseudonymous_id(salt, plat, source_id),
        culture=the_culture,
        source=Source(
            platform=plat,
            source_id=source_id,
            community=_text(get["community"]),
            created_utc=created_utc,
            url=_text(get["url"]),
            thread_id=source_id,
        ),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=kind),
    )
    language = _text(get["language"])
    if language:
        record.language, record.language_confidence = language, 1.0
    return Parsed(record, RawText(title=title, text=text, response=response))
