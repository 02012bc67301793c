"""Reading JSONL files of {"id", "text", "language"?} (de-identification and the
residual scan take the same input): lines that are not such objects are collected in
`rejects` with their line number and reason, never raised mid-file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path


def read_items(src: str, rejects: list[dict]) -> Iterator[tuple[int, dict]]:
    handle = sys.stdin if src == "-" else Path(src).open(encoding="utf-8", errors="replace")
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                rejects.append({"line": number, "reason": f"malformed JSON: {exc.msg}"})
                continue
            if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
                rejects.append({"line": number, "reason": "needs an object with id and text"})
                continue
            yield number, obj
