"""What one release is, as the card, Croissant and changelog writers need it.

Why a plain dataclass: the export stage computes every figure once (sizes, label counts,
agreement, audit, de-identification quality, gate result) and the writers only render
it, so the card can never disagree with the data files it describes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from curate.errors import CurateError
from curate.release.facts import dataset_facts
from curate.release.splits import SPLITS, SplitPolicy
from curate.release.summaries import Agreement, AuditSummary, Changes, DeidSummary
from curate.schema import Taxonomy

if TYPE_CHECKING:  # both import this module; datasets is slow to import
    from datasets import Features

    from curate.validate.gate import GateResult

__all__ = ["SPLITS", "SplitPolicy"]  # the split names and policy, as the splits define them
# The config holding every row (the others hold one culture each); `load_dataset`'s default.
DEFAULT_CONFIG = "all"
# The licence of a release whose facts name none: the Hub's "other", never a silent choice
# (the completeness check lists `license` as missing).
DEFAULT_LICENSE = "other"
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
    # the rows' typed columns in every config (the same schema for all): release/row.py
    features: Features
    # config ("all" + one per culture) -> split -> data files relative to the folder
    configs: dict[str, dict[str, list[str]]]
    # config -> split -> number of rows
    split_sizes: dict[str, dict[str, int]]
    # config -> split -> family ("emotional_distress", ..., "empathy") -> label -> count
    label_counts: dict[str, dict[str, dict[str, dict[str, int]]]]
    languages: list[str]  # ISO 639-1 codes present
    org: str | None = None  # Hub namespace, if known at export time
    # inter-annotator agreement per culture; None when nothing was annotated twice here
    agreement: Agreement | None = None
    # the de-identification policy and `curate deid eval`'s figures; None: not known
    deid: DeidSummary | None = None
    # `curate audit`'s summary, or None if no audit was run
    audit: AuditSummary | None = None
    # the validation gate's result (failures, the ones allowed and why); None: not run
    validation: GateResult | None = None
    # this version's changelog entry; None: none recorded
    changes: Changes | None = None
    # the Hub licence id; None: the facts' `license` (else DEFAULT_LICENSE)
    license: str | None = None
    # paths (relative to the folder) of chart images written for the card
    charts: dict[str, str] = field(default_factory=dict)
    # config -> split -> bytes of the rows in Arrow (what HF `dataset_info` calls num_bytes)
    split_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    # how splits are made (seed, ratios; items grouped by source thread); None: not told
    split_policy: SplitPolicy | None = None
    # config ("all" + cultures) -> released items whose labels a reviewer adjudicated
    # (`curate audit --to-label-studio`, then `curate annotate pull`)
    adjudicated: dict[str, int] = field(default_factory=dict)
    # the curator's facts (`dataset.yaml` of the project, `[release] facts`): prose about
    # collection, annotation, ethics and uses; the bundled CultureCare facts by default
    facts: dict[str, Any] = field(default_factory=dataset_facts)

    def __post_init__(self) -> None:
        if self.license is None:
            self.license = str(self.facts.get("license") or DEFAULT_LICENSE)
        # The figures may also be given in their stored form (what their producer wrote:
        # the agreement stage's dict, the audit run's summary, the changelog entry, a
        # Features dict): typed here, once, so every reader sees the fields.
        if isinstance(self.features, Mapping) and not _is_features(self.features):
            from curate.release.row import features_from_dict

            self.features = features_from_dict(dict(self.features))
        for name, kind in _TYPED.items():
            value = getattr(self, name)
            if value is None or isinstance(value, kind):
                continue
            if not isinstance(value, Mapping):
                raise TypeError(f"ReleaseInfo.{name}: {kind.__name__} or its dict, not {value!r}")
            setattr(self, name, kind.from_dict(value))

    @property
    def repo_id(self) -> str:
        return f"{self.org}/{self.name}" if self.org else self.name

    def to_dict(self) -> dict[str, Any]:
        """Everything but the taxonomy (which `from_dict` is given), as JSON values."""
        return {
            "name": self.name,
            "version": self.version,
            "mode": self.mode,
            "created": self.created,
            "features": self.features.to_dict(),
            "configs": self.configs,
            "split_sizes": self.split_sizes,
            "label_counts": self.label_counts,
            "languages": list(self.languages),
            "org": self.org,
            "agreement": self.agreement.to_dict() if self.agreement else None,
            "deid": self.deid.to_dict() if self.deid else None,
            "audit": self.audit.to_dict() if self.audit else None,
            "validation": self.validation.to_dict() if self.validation else None,
            "changes": self.changes.to_dict() if self.changes else None,
            "license": self.license,
            "charts": dict(self.charts),
            "split_bytes": self.split_bytes,
            "split_policy": self.split_policy.to_dict() if self.split_policy else None,
            "adjudicated": dict(self.adjudicated),
            "facts": self.facts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], taxonomy: Taxonomy) -> ReleaseInfo:
        """`to_dict`'s output back (with the taxonomy the release was made with)."""
        from curate.validate.gate import GateResult

        validation = data.get("validation")
        policy = data.get("split_policy")
        return cls(
            name=data["name"],
            version=data["version"],
            mode=data["mode"],
            created=data["created"],
            taxonomy=taxonomy,
            features=data["features"],
            configs=data["configs"],
            split_sizes=data["split_sizes"],
            label_counts=data["label_counts"],
            languages=list(data["languages"]),
            org=data.get("org"),
            agreement=Agreement.from_dict(data.get("agreement")),
            deid=DeidSummary.from_dict(data.get("deid")),
            audit=AuditSummary.from_dict(data.get("audit")),
            validation=GateResult(**validation) if validation else None,
            changes=Changes.from_dict(data.get("changes")),
            license=data.get("license"),
            charts=dict(data.get("charts") or {}),
            split_bytes=data.get("split_bytes") or {},
            split_policy=SplitPolicy(policy["seed"], dict(policy["ratios"])) if policy else None,
            adjudicated=dict(data.get("adjudicated") or {}),
            facts=dict(data.get("facts") or dataset_facts()),
        )


_TYPED: dict[str, Any] = {
    "agreement": Agreement,
    "deid": DeidSummary,
    "audit": AuditSummary,
    "changes": Changes,
}


def _is_features(value: Any) -> bool:
    """A `datasets.Features` (without importing datasets when it is not loaded)."""
    import sys

    datasets = sys.modules.get("datasets")
    return datasets is not None and isinstance(value, datasets.Features)
