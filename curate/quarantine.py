"""The quarantine: every rejected input unit, with where it was and why.

One JSONL file per run in `<workspace>/quarantine/`. It lives inside the workspace
because it holds raw input: it never goes into logs or error messages, only its path and
counts do. A file that could not be read (to its end) has an entry of its own: kind
`file`, no line, no payload.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from curate.sources.base import Rejected


class Quarantine:
    def __init__(self, directory: Path, run_id: str) -> None:
        self.path = directory / f"{run_id}.jsonl"
        self._fh = None
        self.count = 0
        directory.mkdir(parents=True, exist_ok=True)

    def add(self, item: Rejected) -> None:
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        payload, encoding = _encoded(item.payload)
        entry = {
            "file": item.location.file,
            "line": item.location.line,
            "kind": item.kind,
            "reason": item.reason,
            "culture": item.culture,
            "payload_encoding": encoding,
            "payload": payload,
        }
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _encoded(payload: bytes | str | None) -> tuple[str | None, str | None]:
    """(payload, encoding): text as it is, base64 for bytes that are not UTF-8 text (or
    text that cannot be written as UTF-8: a lone surrogate), nothing for nothing."""
    if payload is None:
        return None, None
    if isinstance(payload, str):
        try:
            payload.encode("utf-8")
            return payload, "text"
        except UnicodeEncodeError:
            payload = payload.encode("utf-8", "surrogatepass")
    try:
        return payload.decode("utf-8"), "text"
    except UnicodeDecodeError:
        return base64.b64encode(payload).decode("ascii"), "base64"


def read_quarantine(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
