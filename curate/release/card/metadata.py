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

from curate.release.facts import pretty_name
from curate.release.info import DEFAULT_CONFIG, SPLITS, ReleaseInfo


def card_metadata(info: ReleaseInfo) -> dict[str, Any]:
    """The card's YAML header as a dict (HF dataset card fields + `configs` +
    `dataset_info`)."""
    facts = info.facts
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
        "pretty_name": pretty_name(info.name, info.facts),
        "license": info.license,
        "language": sorted(info.languages),
        "multilinguality": "multilingual" if len(info.languages) > 1 else "monolingual",
        "size_categories": [_size_category(n)],
        "task_categories": ["text-classification", "token-classification"],
        "tags": ["mental-health", "peer-support", "culture", "empathy", "span-annotation"],
    }
    # Further standard card fields (annotations_creators, source_datasets, ...) are facts
    # about the dataset, kept with the other facts in dataset.yaml; its tags add to ours.
    hub = {k: v for k, v in (facts.get("hub") or {}).items() if v is not None}
    tags = [*meta["tags"], *(hub.pop("tags", None) or [])]
    if str((facts.get("source_data") or {}).get("origin") or "").strip() == "synthetic":
        tags.append("synthetic")  # derived: a synthetic release is tagged so on the Hub
    meta["tags"] = list(dict.fromkeys(tags))
    meta.update(hub)
    meta.update(
        {
            "configs": configs,
            "dataset_info": dataset_info,
            "curate": {"version": info.version, "mode": info.mode, "created": info.created},
        }
    )
    if info.mode == "text":
        # The access agreement is a fact of the dataset (its sources' terms), so the facts
        # file may state it (`modes.text.gate_prompt`, `gate_fields`); else these defaults.
        text_facts = (facts.get("modes") or {}).get("text") or {}
        meta["extra_gated_heading"] = f"Access {meta['pretty_name']} (de-identified texts)"
        meta["extra_gated_prompt"] = " ".join(
            str(text_facts.get("gate_prompt") or DEFAULT_GATE_PROMPT).split()
        )
        meta["extra_gated_fields"] = dict(text_facts.get("gate_fields") or DEFAULT_GATE_FIELDS)
    return meta


DEFAULT_GATE_PROMPT = (
    "This dataset contains de-identified posts about emotional distress. Agree to use it "
    "for research only, not to re-identify anyone, and not to redistribute the texts."
)
DEFAULT_GATE_FIELDS = {
    "Affiliation": "text",
    "I agree to use this dataset for non-commercial research only": "checkbox",
    "I agree not to attempt to re-identify any person": "checkbox",
}


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


# Controlled vocabularies of the Hub's dataset card metadata, as the `datasets` package
# ships them (datasets/utils/resources/): field -> (resource file, key in it or None).
_VOCABULARIES = {
    "annotations_creators": ("creators.json", "annotations"),
    "language_creators": ("creators.json", "language"),
    "size_categories": ("size_categories.json", None),
    "multilinguality": ("multilingualities.json", None),
    "language": ("languages.json", None),
}


def metadata_problems(card_text: str) -> list[str]:
    """What the Hub would refuse or mislabel in a card's YAML header, checked offline:
    huggingface_hub's own card parser (`DatasetCard`: the header must be a YAML mapping
    its `DatasetCardData` takes), then the values of the controlled fields against the
    Hub's vocabularies shipped in `datasets`. The licence id is checked by the Hub itself
    when `curate publish` sends the card (huggingface_hub validates it there)."""
    import json
    from importlib import resources

    from huggingface_hub import DatasetCard

    try:
        data = DatasetCard(card_text).data.to_dict()
    except (ValueError, TypeError) as exc:
        return [f"the card header is not valid Hub metadata: {exc}"]
    problems = []
    folder = resources.files("datasets.utils.resources")
    for name, (file, key) in _VOCABULARIES.items():
        if name not in data:
            continue
        allowed = json.loads(folder.joinpath(file).read_text(encoding="utf-8"))
        allowed = allowed[key] if key else allowed
        values = data[name] if isinstance(data[name], list) else [data[name]]
        bad = [v for v in values if not isinstance(v, str) or v not in allowed]
        if bad:
            problems.append(f"{name}: {', '.join(map(str, bad))} is not one of the Hub's values")
    return problems
