"""The unit a record travels in from its reader to the store writer.

A `Work` is one record on its way: the record and its raw texts as read (`item`), whether
it is to be de-identified, the curator's verdicts for it, and once a step has
de-identified it, the result. Steps change a `Work` and pass it on; the store writer
(`curate.writer`) writes it once, at the end: the record as read into the revision and
the vault, the de-identified record into the records table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curate.records import Record
from curate.sources.base import Parsed


@dataclass
class DeidResult:
    """A record de-identified by `curate.deid.stage.DeidentifyStep`: a copy of the record
    as read, texts replaced and spans moved, with its decisions (original offsets)."""

    record: Record
    decisions: list[dict[str, Any]]
    problems: int  # spans that could not be moved
    changed: int  # annotated phrases changed


@dataclass
class Work:
    item: Parsed
    deid: bool = False  # new or changed content (or `curate deid`): de-identify it
    overrides: dict[str, list[Any]] = field(default_factory=dict)  # curator verdicts
    stored: bool = False  # a stored record, de-identified again (`curate deid`)
    result: DeidResult | None = None

    @property
    def record(self) -> Record:
        return self.item.record
