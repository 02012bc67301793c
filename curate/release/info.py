"""What one release is, as the card, Croissant and changelog writers need it.

Why a plain dataclass: the export stage computes every figure once (sizes, label counts,
agreement, audit, de-identification quality, gate result) and the writers only render
it, so the card can never disagree with the data files it describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from curate.errors import CurateError
from curate.schema import Taxonomy

if TYPE_CHECKING:  # both import this module
    from curate.release.splits import SplitPolicy
    from curate.validate.gate import GateResult

SPLITS = ("train", "validation", "test")
# The config holding every row (the others hold one culture each); `load_dataset`'s default.
DEFAULT_CONFIG = "all"
MODES = ("text", "reference")
# Strict SemVer core, ASCII only, no leading zeros, no pre-release or build suffix: the
# release, its tag (vX.Y.Z) and the changelog are all named by it, and `[0-9]` (unlike
# `\d`) refuses full-width digits. Always used with fullmatch (`$` would allow a newline).
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
HUB_NAME_RULES = (
    'letters, digits, "-", "_" and "." (not first or last), no "--" or "..", at most 96 characters'
)


def parse_version(version: str, what: str = "--version") -> tuple[int, int, int]:
    """(major, minor, patch) of a semantic version "X.Y.Z" (no "v"), to compare by number.
    Anything else is refused, so that two spellings can never name one version."""
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if not match:
        raise CurateError(
            f"{what} must look like 1.2.0 (major.minor.patch: ASCII digits, no leading "
            f"zeros, no suffix), not {version!r}"
        )
    return int(match[1]), int(match[2]), int(match[3])


def check_hub_name(name: str, what: str) -> str:
    """`name` if it is a valid Hub namespace or repository name (one path segment), else
    a CurateError: it names a folder too, and must never climb out of it."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        if not isinstance(name, str) or "/" in name:
            raise HFValidationError("not one segment")
        validate_repo_id(name)
    except HFValidationError:
        raise CurateError(f"{what} must be a Hub name ({HUB_NAME_RULES}), not {name!r}") from None
    return name


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
    # the validation gate's result (failures, the ones allowed and why); None: not run
    validation: GateResult | None = None
    # this version's changelog entry: {"version", "date", "added", "removed", "relabelled"}
    changes: dict[str, Any] = field(default_factory=dict)
    license: str = "cc-by-nc-4.0"
    # paths (relative to the folder) of chart images written for the card
    charts: dict[str, str] = field(default_factory=dict)
    # config -> split -> bytes of the rows in Arrow (what HF `dataset_info` calls num_bytes)
    split_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    # how splits are made (seed, ratios; items grouped by source thread); None: not told
    split_policy: SplitPolicy | None = None

    @property
    def repo_id(self) -> str:
        return f"{self.org}/{self.name}" if self.org else self.name
