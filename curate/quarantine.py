"""The quarantine: every rejected input unit, with where it was and why.

One JSONL file per run in `<workspace>/quarantine/`. It lives inside the workspace
because it holds raw input: it never goes into logs or error messages, only its path and
counts do.
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
        payload, encoding = item.payload, "text"
        if isinstance(payload, bytes):
            try:
                payload = payload.decode("utf-8")
            except UnicodeDecodeError:
                payload, encoding = base64.b64encode(payload).decode("ascii"), "base64"
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


def read_quarantine(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
