"""The unit the ingest steps pass along, and its row form for executors that move data
between processes as Arrow tables (Ray Data blocks, Parquet shards).

A `Work` is one parsed record on its way to the store: its position in the input (`seq`,
which fixes the store order, and with it dedup and revisions), the record and its raw
texts, whether it is to be de-identified, and once it is, the result. Rows carry records
as their canonical JSON (`Record.to_dict`), the form the store keeps, so a record that
made a round trip through a shard is the record the local engine would have stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from curate.records import RawText, Record
from curate.sources.base import Parsed


@dataclass
class DeidResult:
    """A record de-identified by `curate.deid.stage.deidentify_batch`."""

    record: Record
    decisions: list[dict[str, Any]]
    problems: int
    changed: int


@dataclass
class Work:
    seq: int
    item: Parsed
    deid: bool = False  # new or changed content: de-identify it
    result: DeidResult | None = None


def schema():
    """One schema for rows going in and coming out (the result columns stay null until
    de-identification fills them): explicit, so an all-null column of one block does not
    get a type that clashes with another block's."""
    import pyarrow as pa

    return pa.schema(
        [
            ("seq", pa.int64()),
            ("record", pa.string()),
            ("title", pa.string()),
            ("text", pa.string()),
            ("response", pa.string()),
            ("langid_hint", pa.string()),
            ("deid", pa.bool_()),
            ("deid_record", pa.string()),
            ("deid_decisions", pa.string()),
            ("deid_problems", pa.int32()),
            ("deid_changed", pa.int32()),
        ]
    )


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def to_row(work: Work) -> dict[str, Any]:
    raw, result = work.item.raw, work.result
    return {
        "seq": work.seq,
        "record": _json(work.item.record.to_dict()),
        "title": raw.title,
        "text": raw.text,
        "response": raw.response,
        "langid_hint": work.item.langid_hint,
        "deid": work.deid,
        "deid_record": _json(result.record.to_dict()) if result else None,
        "deid_decisions": _json(result.decisions) if result else None,
        "deid_problems": result.problems if result else None,
        "deid_changed": result.changed if result else None,
    }


def from_row(row: dict[str, Any]) -> Work:
    result = None
    if row["deid_record"] is not None:
        result = DeidResult(
            Record.from_dict(json.loads(row["deid_record"])),
            json.loads(row["deid_decisions"]),
            row["deid_problems"],
            row["deid_changed"],
        )
    item = Parsed(
        Record.from_dict(json.loads(row["record"])),
        RawText(row["title"], row["text"], row["response"]),
        row["langid_hint"],
    )
    return Work(row["seq"], item, bool(row["deid"]), result)


def to_table(works: list[Work]):
    import pyarrow as pa

    return pa.Table.from_pylist([to_row(w) for w in works], schema=schema())


def from_table(table) -> list[Work]:
    return [from_row(row) for row in table.to_pylist()]


def as_stored(record: Record) -> Record:
    """The record as the store hands it back (JSON round trip: confidence rounded,
    tuples as lists): what de-identification starts from in the local engine."""
    return Record.from_dict(json.loads(_json(record.to_dict())))
