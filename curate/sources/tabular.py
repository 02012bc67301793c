"""Generic JSONL, CSV and Parquet files, read through a column mapping.

The mapping says which column holds each canonical field (`id`, `title`, `text`,
`response`, `culture`, `language`, `community`, `created_utc`, `url`, `platform`); it
comes from `[tabular]` in curate.toml and `--map field=column` on the command line.
Dotted column names reach into nested JSON objects (`--map text=post.body`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curate.records import Provenance, RawText, Record, Source, pseudonymous_id
from curate.schema import Taxonomy
from curate.sources.base import (
    LONE_SURROGATE,
    InputProblem,
    Item,
    Location,
    Parsed,
    Rejected,
    as_int64,
    decode_json_line,
)
from curate.sources.io import iter_lines, open_binary
from curate.sources.rows import guarded, has_lone_surrogate, json_payload

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


Row = tuple[Location, "dict | Rejected"]


def _rows_jsonl(path: Path, max_bytes: int) -> Iterator[Row]:
    for number, raw in iter_lines(path):
        loc = Location(str(path), number)
        yield loc, decode_json_line(raw, loc, max_bytes)


class _Lines:
    """The text stream fed to the CSV reader, keeping the raw lines of the row being read:
    a row the reader cannot parse (a field over the limit) is quarantined as it was."""

    def __init__(self, text: io.TextIOBase) -> None:
        self.text = text
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            self.current.append(line)
            yield line

    def take(self) -> str | bytes:
        """The lines since the last call (as bytes when they are not UTF-8)."""
        raw, self.current = "".join(self.current), []
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            return raw.encode("utf-8", "surrogateescape")
        return raw


def _rows_csv(path: Path, max_bytes: int) -> Iterator[Row]:
    stream, raw = open_binary(path)
    # surrogateescape keeps undecodable bytes visible so the row can be quarantined;
    # utf-8-sig drops a byte-order mark, which would otherwise end up in the first
    # column's name (and no row would have an `id` column).
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text)
    # A field is at most a row: the reader's own limit (128 KiB) would end the file at the
    # first longer one. The limit is global to the process: restored after the file.
    limit = csv.field_size_limit(max_bytes)
    try:
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error:
            raise InputProblem(
                path,
                "the CSV header row cannot be read (a field over [ingest] max_record_bytes?"
                " if the file is not CSV, pass --format)",
            ) from None
        if header is None:
            return
        lines.take()
        start = 2
        while True:
            loc = Location(str(path), start)
            try:
                cells: list[str] | str = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # the reader goes on with the next line
                cells = (
                    f"a field over {max_bytes} characters"
                    if "field limit" in str(exc)
                    else "malformed CSV row"
                )
            start = reader.line_num + 1
            raw_row = lines.take()
            if cells != []:  # a blank line is no row (as for csv.DictReader)
                yield loc, _csv_row(header, cells, loc, max_bytes, raw_row)
    finally:
        csv.field_size_limit(limit)
        text.close()
        raw.close()


def _csv_row(
    header: list[str], cells: list[str] | str, loc: Location, max_bytes: int, raw: str | bytes
) -> dict | Rejected:
    """The row as a dict, or why not (`cells` is the reason when the reader failed)."""
    if isinstance(cells, str):
        return Rejected(loc, cells, raw)
    if isinstance(raw, bytes):
        return Rejected(loc, "not UTF-8", raw)
    if len(cells) > len(header):
        return Rejected(loc, "more cells than header columns", raw)
    if len(raw.encode("utf-8")) > max_bytes:
        return Rejected(loc, f"oversized row (> {max_bytes} bytes)", raw)
    # Like csv.DictReader: a short row's missing cells are None.
    return dict(zip(header, [*cells, *[None] * (len(header) - len(cells))], strict=True))


def _rows_parquet(path: Path, max_bytes: int) -> Iterator[Row]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=2048)
        number = 0
        for batch in batches:
            for row in batch.to_pylist():
                number += 1
                yield Location(str(path), number), row
    except (pa.ArrowException, OSError) as exc:
        # The rest of the file is unreadable (not Parquet, truncated, a corrupt page): a
        # file problem, reported like a truncated dump; the rows read before it are kept,
        # and the other files are read. The library's message is not shown (it can quote
        # data).
        raise InputProblem(
            path,
            f"not a readable Parquet file ({type(exc).__name__}): truncated or corrupt, or "
            "not Parquet (check --format)",
        ) from None


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
                yield guarded(
                    lambda row=row, loc=loc: parse(
                        row, loc, kind, mapping, taxonomy, salt, max_text_chars, culture, platform
                    ),
                    loc,
                    lambda row=row: json_payload(row),
                )


class _BadCell(Exception):
    """A mapped cell that holds no usable text: the row is quarantined, naming the column
    and the kind of problem (never the value)."""


def _text(value: Any) -> str | None:
    """A text field's value: strings as they are, numbers and dates as text, bytes decoded
    as UTF-8. A list or an object is no text: `str()` would store its Python repr."""
    if value is None or (isinstance(value, float) and value != value):  # NaN from pandas CSVs
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _BadCell("holds bytes that are not UTF-8") from None
    if isinstance(value, dict | list | tuple):
        raise _BadCell(f"holds a {type(value).__name__}, not text")
    return str(value)


def _timestamp(value: Any) -> int | None:
    """created_utc as whole seconds (an SQLite integer): the shared dump-number rule, an
    empty CSV cell being no time. ValueError when it is not a number in range."""
    return None if value == "" else as_int64(value)


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
    """One row as a record, or why it is rejected. Reasons name the mapped column and
    the problem, never the value: they are printed and counted."""
    payload = json_payload(row)
    if has_lone_surrogate(row):
        return Rejected(loc, LONE_SURROGATE, payload)
    texts: dict[str, str | None] = {}
    for name in FIELDS:
        column = mapping.get(name)
        try:
            texts[name] = None if name == "created_utc" else _text(_get(row, column))
        except _BadCell as exc:
            return Rejected(loc, f"column {column!r} ({name}) {exc}", payload)
    source_id, text = texts["id"], texts["text"]
    if not source_id:
        return Rejected(loc, f"missing id (column {mapping.get('id')!r})", payload)
    if not text or not text.strip():
        return Rejected(loc, f"missing or empty text (column {mapping.get('text')!r})", payload)
    title, response = texts["title"], texts["response"]
    if sum(len(t) for t in (title, text, response) if t) > max_text_chars:
        return Rejected(loc, f"text longer than {max_text_chars} characters", payload)
    the_culture = culture or texts["culture"]
    if the_culture not in taxonomy.cultures:
        column = mapping.get("culture")
        return Rejected(loc, f"culture not in the taxonomy (column {column!r})", payload)
    try:
        created_utc = _timestamp(_get(row, mapping.get("created_utc")))
    except (_BadCell, TypeError, ValueError, OverflowError):
        column = mapping.get("created_utc")
        return Rejected(loc, f"created_utc is not a number (column {column!r})", payload)
    plat = texts["platform"] or platform
    record = Record(
        id=pseudonymous_id(salt, plat, source_id),
        culture=the_culture,
        source=Source(
            platform=plat,
            source_id=source_id,
            community=texts["community"],
            created_utc=created_utc,
            url=texts["url"],
            thread_id=source_id,
        ),
        provenance=Provenance(input_file=loc.file, line=loc.line, format=kind),
    )
    if texts["language"]:
        record.language, record.language_confidence = texts["language"], 1.0
    return Parsed(record, RawText(title=title, text=text, response=response))
