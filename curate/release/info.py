"""What one release is, as the card, Croissant and changelog writers need it.

Why a plain dataclass: the export stage computes every figure once (sizes, label counts,
agreement, audit, de-identification quality, gate result) and the writers only render
it, so the card can never disagree with the data files it describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from curate.errors import CurateError
from curate.schema import Taxonomy

SPLITS = ("train", "validation", "test")
MODES = ("text", "reference")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def parse_version(version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a semantic version "X.Y.Z" (no "v"), to compare by number."""
    match = _VERSION.match(version)
    if not match:
        raise CurateError(f"--version must look like 1.2.0 (major.minor.patch), not {version!r}")
    return int(match[1]), int(match[2]), int(match[3])


@dataclass
class ReleaseInfo:
    name: str  # repository name, e.g. "culturecare"
    version: str  # semantic version without "v", e.g. "1.0.0"
    mode: str  # "text" | "reference"
    created: str  # ISO 8601 UTC timestamp of the export
    taxonomy: Taxonomy
    # datasets.Features.to_dict() of the rows in every config (the same schema for all)
    features: dict[str, Any]
    # config ("all" + one per culture) -> split -> data files relative to the folder
    configs: dict[str, dict[str, list[str]]]
    # config -> split -> number of rows
    split_sizes: dict[str, dict[str, int]]
    # config -> split -> family ("emotional_distress", ..., "empathy") -> label -> count
    label_counts: dict[str, dict[str, dict[str, dict[str, int]]]]
    languages: list[str]  # ISO 639-1 codes present
    org: str | None = None  # Hub namespace, if known at export time
    # curate.annotate.agreement output (per culture); None when nothing was annotated here
    agreement: dict[str, Any] | None = None
    # {"policy": name, "fingerprint": ..., "eval": summary of `curate deid eval` or None}
    deid: dict[str, Any] | None = None
    # workspace/reports/audit/summary.json content, or None if no audit was run
    audit: dict[str, Any] | None = None
    # gate: {"evaluated": n, "failures": [...], "allowed": [names], "reason": str|None}
    validation: dict[str, Any] = field(default_factory=dict)
    # this version's changelog entry: {"version", "date", "added", "removed", "relabelled"}
    changes: dict[str, Any] = field(default_factory=dict)
    license: str = "cc-by-nc-4.0"
    # paths (relative to the folder) of chart images written for the card
    charts: dict[str, str] = field(default_factory=dict)
    # config -> split -> bytes of the rows in Arrow (what HF `dataset_info` calls num_bytes)
    split_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    # how splits are made: {"seed": int, "ratios": {split: share}, "group": "source thread"}
    split_policy: dict[str, Any] = field(default_factory=dict)

    @property
    def repo_id(self) -> str:
        return f"{self.org}/{self.name}" if self.org else self.name
