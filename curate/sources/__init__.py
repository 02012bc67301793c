"""Input formats and their detection.

Formats are detected by content, not by file name: the first JSON object of an NDJSON
file tells a Reddit dump from a CultureCare release from a generic file.
"""

from __future__ import annotations

import json
from pathlib import Path

from curate.sources.base import SourceError

FORMATS = ("reddit", "culturecare", "jsonl", "csv", "parquet")


def detect_format(path: Path) -> str:
    """Guess the format of one file, or raise SourceError saying why it cannot (an
    `InputProblem` when it cannot be read). A byte-order mark is not content: it is
    skipped, so NDJSON that starts with one is still NDJSON."""
    from curate.sources import culturecare, reddit
    from curate.sources.io import head_bytes, peek_text

    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if head_bytes(path, 4) == b"PAR1":
        return "parquet"
    head = peek_text(path)
    for line in head.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if line.startswith("{"):
                continue  # a malformed (or absurdly nested) first line: look at the next
            break
        if isinstance(obj, dict):
            if culturecare.looks_like(obj):
                return "culturecare"
            if reddit.looks_like(obj):
                return "reddit"
            return "jsonl"
    name = path.name.lower()
    if ".csv" in name or ".tsv" in name or (head and "," in head.splitlines()[0]):
        return "csv"
    raise SourceError(f"{path}: cannot tell the format; pass --format ({', '.join(FORMATS)})")
