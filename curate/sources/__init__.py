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
    """Guess the format of one file, or raise SourceError saying why it cannot."""
    from curate.sources import culturecare, reddit
    from curate.sources.io import compression_of, peek_text

    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    with path.open("rb") as fh:
        if fh.read(4) == b"PAR1":
            return "parquet"
    try:
        head = peek_text(path)
    except Exception as exc:  # a corrupt compressed file
        kind = compression_of(path) or "plain"
        raise SourceError(f"{path}: cannot read ({kind}): {exc}") from None
    for line in head.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            if line.startswith("{"):
                continue  # a malformed first line: look at the next
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
