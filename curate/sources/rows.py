"""Guards shared by the row-by-row sources (CultureCare, generic JSONL/CSV/Parquet).

A source turns every input row into exactly one item. These helpers keep that true when
a row is hostile: a string that cannot be stored, or a bug a row triggers, quarantines
that row instead of ending the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from curate.sources.base import Item, Location, Rejected


def has_lone_surrogate(obj: Any) -> bool:
    """True when a string anywhere in `obj` (keys included) cannot be encoded as UTF-8.

    A JSON escape such as `"\\ud83d"` decodes to a lone surrogate (real dumps hold them):
    SQLite and every UTF-8 file refuse it, so such a row is quarantined up front. The
    walk is iterative, so a deeply nested value cannot exhaust the stack.
    """
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False


def json_payload(obj: Any) -> str:
    """A decoded row as the quarantine's payload. Lone surrogates stay escaped
    (`ensure_ascii`), so the payload can always be written."""
    try:
        text = json.dumps(obj, ensure_ascii=False, default=repr)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(obj, default=repr)


def guarded(parse: Callable[[], Item], loc: Location, payload: Callable[[], Any]) -> Item:
    """`parse()`, or, when it raises, the row quarantined with the exception's type only:
    a message can quote the row's content, and the reason is printed and aggregated.

    The last resort: every failure a row is known to cause has a reason of its own."""
    try:
        return parse()
    except Exception as exc:  # any bug a row triggers loses only that row
        try:
            kept = payload()
        except Exception:  # the payload itself cannot be rendered
            kept = None
        return Rejected(loc, f"unexpected error ({type(exc).__name__}) while parsing", kept)
