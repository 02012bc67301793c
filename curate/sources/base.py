"""What a source yields: a parsed item, an item skipped by policy, or a rejected one.

Every input unit (line or row) a source reads ends up as exactly one of these, so the
counts reconcile: read = kept + duplicate + skipped + quarantined.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
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


class InputProblem(SourceError):
    """A file that cannot be read (to its end): truncated, corrupt or unreadable. The run
    keeps what was read before the problem and reports the file (`item`); the message
    names the file and the problem, never content."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = str(path), problem

    def item(self) -> Rejected:
        """The file-level quarantine entry: no line, no payload."""
        return Rejected(Location(self.path, None), self.problem, None, kind="file")


# A JSON string escape of a UTF-16 surrogate: the only way a JSON text can hold a lone
# surrogate (which is not Unicode: it cannot be encoded, stored or hashed).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# The reason of every line or row quarantined for a lone surrogate, whichever source.
LONE_SURROGATE = "lone surrogate escape (\\ud800-\\udfff) in a JSON string"


def decode_json_line(raw: bytes, loc: Location, max_bytes: int, kind: str = "record"):
    """Decode one NDJSON line into a dict, or a `Rejected` saying why it cannot be.

    Every NDJSON source decodes through here, so a line that nothing downstream could
    handle is rejected once, for all of them: not UTF-8, not JSON, nested deeper than
    Python can parse, or holding a lone surrogate escape (real Pushshift dumps have
    `"\\ud83d"` halves of emoji: valid JSON, but no valid text)."""
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
    except RecursionError:
        return Rejected(loc, "JSON nested too deeply", text, kind=kind)
    if not isinstance(obj, dict):
        return Rejected(
            loc, f"JSON value is a {type(obj).__name__}, not an object", text, kind=kind
        )
    if _SURROGATE_ESCAPE.search(raw) and has_lone_surrogate(obj):
        return Rejected(loc, LONE_SURROGATE, text, kind=kind)
    return obj


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) in a decoded JSON value holds a lone surrogate.
    Iterative: the value may be nested as deep as the parser allowed."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _is_surrogate_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_surrogate_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def as_int64(value: Any) -> int | None:
    """A number given as an int, a float or a numeric string, as an int that SQLite and
    Parquet can hold; None for null. Raises ValueError saying what is wrong with anything
    else (never the value: the caller names the field)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"is not a number ({type(value).__name__})")
    number = _parse_number(value) if isinstance(value, str) else value
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ValueError("is not a finite number")
        number = int(number)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError("is out of range (beyond a 64-bit integer)")
    return number


def _parse_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError("is not a number") from None
