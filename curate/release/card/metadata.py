"""The dataset card's YAML header: what the Hub and `load_dataset` read.

Why the YAML is built here and nowhere else: `configs:` with `data_files` per split is
what makes `load_dataset(<repo or folder>, "<culture>")` find the right Parquet files, and
`dataset_info` is what the Hub shows as features and split sizes; both come from the same
`ReleaseInfo` as the files themselves.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from curate.release.facts import dataset_facts, pretty_name
from curate.release.info import DEFAULT_CONFIG, SPLITS, ReleaseInfo


def card_metadata(info: ReleaseInfo) -> dict[str, Any]:
    """The card's YAML header as a dict (HF dataset card fields + `configs` +
    `dataset_info`)."""
    facts = dataset_facts()
    features = info.features._to_yaml_list()
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
        sizes = info.split_bytes.get(name) or {}
        split_entries = []
        for split in SPLITS:
            if split in splits:
                entry_split: dict[str, Any] = {"name": split}
                if split in sizes:
                    entry_split["num_bytes"] = sizes[split]
                entry_split["num_examples"] = info.split_sizes[name][split]
                split_entries.append(entry_split)
        config_info: dict[str, Any] = {
            "config_name": name,
            "features": copy.deepcopy(features),  # no YAML anchors
            "splits": split_entries,
        }
        if sizes:
            config_info["dataset_size"] = sum(sizes.values())
        dataset_info.append(config_info)
    total = info.split_sizes.get(DEFAULT_CONFIG, {})
    n = sum(total.values())
    meta: dict[str, Any] = {
        "pretty_name": pretty_name(info.name),
        "license": info.license,
        "language": sorted(info.languages),
        "multilinguality": "multilingual" if len(info.languages) > 1 else "monolingual",
        "size_categories": [_size_category(n)],
        "task_categories": ["text-classification", "token-classification"],
        "tags": ["mental-health", "peer-support", "culture", "empathy", "span-annotation"],
    }
    # Further standard card fields (annotations_creators, source_datasets, ...) are facts
    # about the dataset, kept with the other facts in release/dataset.yaml.
    meta.update({k: v for k, v in (facts.get("hub") or {}).items() if v is not None})
    meta.update(
        {
            "configs": configs,
            "dataset_info": dataset_info,
            "curate": {"version": info.version, "mode": info.mode, "created": info.created},
        }
    )
    if info.mode == "text":
        meta["extra_gated_heading"] = f"Access {meta['pretty_name']} (de-identified texts)"
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
