"""What a source yields: a parsed item, an item skipped by policy, or a rejected one.

Every input unit (line or row) a source reads ends up as exactly one of these, so the
counts reconcile: read = kept + duplicate + skipped + quarantined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from curate.errors import CurateError
from curate.records import RawText, Record


@dataclass(slots=True, frozen=True)
class Location:
    file: str
    line: int | None  # 1-based line, or row number for tabular files


@dataclass(slots=True)
class Parsed:
    record: Record
    raw: RawText
    # Texts language id should look at when the record has no raw text of its own
    # (e.g. a reference release: only annotated phrases).
    langid_hint: str | None = None


@dataclass(slots=True)
class Skipped:
    """Left out by policy (deleted, bot, out of scope): not an error."""

    location: Location
    reason: str
    culture: str | None = None
    kind: str = "record"


@dataclass(slots=True)
class Rejected:
    """Bad input: goes to the quarantine with where it was and why."""

    location: Location
    reason: str
    payload: bytes | str | None = None
    culture: str | None = None
    kind: str = "record"
    details: dict[str, Any] = field(default_factory=dict)


Item = Parsed | Skipped | Rejected


class SourceError(CurateError):
    """An input problem that stops the whole file (e.g. unreadable): a user error."""


def decode_json_line(raw: bytes, loc: Location, max_bytes: int, kind: str = "record"):
    """Decode one NDJSON line into a dict, or a `Rejected` saying why it cannot be."""
    if len(raw) > max_bytes:
        return Rejected(loc, f"oversized line ({len(raw)} bytes > {max_bytes})", raw, kind=kind)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected(loc, f"not UTF-8 (byte {exc.start})", raw, kind=kind)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Rejected(loc, f"malformed JSON: {exc.msg} at column {exc.colno}", text, kind=kind)
    if not isinstance(obj, dict):
        return Rejected(
            loc, f"JSON value is a {type(obj).__name__}, not an object", text, kind=kind
        )
    return obj
