"""The dataset card (`README.md`): YAML metadata the Hub and `load_dataset` read, then
the human-readable card rendered from the templates in `release/`.

Why the YAML is built here and nowhere else: `configs:` with `data_files` per split is
what makes `load_dataset(<repo or folder>, "<culture>")` find the right Parquet files, and
`dataset_info` is what the Hub shows as features and split sizes; both come from the same
`ReleaseInfo` as the files themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from curate.release.info import SPLITS, ReleaseInfo

DEFAULT_CONFIG = "all"


def _features_yaml(features: dict[str, Any]) -> list[dict[str, Any]]:
    from datasets import Features

    return Features.from_dict(features)._to_yaml_list()


def card_metadata(info: ReleaseInfo) -> dict[str, Any]:
    """The card's YAML header as a dict (HF dataset card fields + `configs` +
    `dataset_info`)."""
    features = _features_yaml(info.features)
    configs = []
    dataset_info = []
    for name, splits in info.configs.items():
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [
                {"split": split, "path": sorted(splits[split])}
                for split in SPLITS
                if split in splits
            ],
        }
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        dataset_info.append(
            {
                "config_name": name,
                "features": features,
                "splits": [
                    {"name": split, "num_examples": info.split_sizes[name][split]}
                    for split in SPLITS
                    if split in splits
                ],
            }
        )
    total = info.split_sizes.get(DEFAULT_CONFIG, {})
    n = sum(total.values())
    meta: dict[str, Any] = {
        "pretty_name": "CultureCare" if info.name.lower() == "culturecare" else info.name,
        "license": info.license,
        "language": sorted(info.languages),
        "multilinguality": "multilingual" if len(info.languages) > 1 else "monolingual",
        "size_categories": [_size_category(n)],
        "task_categories": ["text-classification", "token-classification"],
        "tags": ["mental-health", "peer-support", "culture", "empathy", "span-annotation"],
        "configs": configs,
        "dataset_info": dataset_info,
        "curate": {"version": info.version, "mode": info.mode, "created": info.created},
    }
    if info.mode == "text":
        meta["extra_gated_prompt"] = (
            "This dataset contains de-identified posts about emotional distress. "
            "Agree to use it for research only, not to re-identify anyone, and not to "
            "redistribute the texts."
        )
        meta["extra_gated_fields"] = {
            "Affiliation": "text",
            "I agree to use this dataset for non-commercial research only": "checkbox",
            "I agree not to attempt to re-identify any person": "checkbox",
        }
    return meta


def _size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "1M<n<10M"


def render_yaml(meta: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def write_card(folder: Path, info: ReleaseInfo) -> Path:
    """Write `folder/README.md`. The body is rendered from `release/` templates."""
    body = f"# {info.name} v{info.version}\n"
    path = folder / "README.md"
    path.write_text(render_yaml(card_metadata(info)) + "\n" + body, encoding="utf-8")
    return path
