"""`croissant.json`: MLCommons Croissant metadata (with its responsible-AI fields)."""

from __future__ import annotations

from pathlib import Path

from curate.release.info import ReleaseInfo


def write_croissant(folder: Path, info: ReleaseInfo) -> Path:
    """Write `folder/croissant.json` describing the release's Parquet files."""
    raise NotImplementedError("being written (issue 6)")
