"""Small release folders in the layout `curate export` writes, built by the tests
themselves: typed Parquet shards (a ClassLabel, a List of span structs), the card from
`curate.release.card.write_card`, croissant.json, CHANGELOG.md and MANIFEST.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CULTURES = ["Arabic", "Chinese", "German", "Jewish"]


def features():
    from datasets import ClassLabel, Features, List, Value

    return Features(
        {
            "id": Value("string"),
            "culture": ClassLabel(names=CULTURES),
            "text": Value("string"),
            "distress_spans": List(
                {"start": Value("int32"), "end": Value("int32"), "label": Value("string")}
            ),
            "empathy": Value("int8"),
        }
    )


def row(i: int, culture: str, text: str) -> dict[str, Any]:
    return {
        "id": f"cc-{i:04d}",
        "culture": CULTURES.index(culture),
        "text": text,
        "distress_spans": [{"start": 0, "end": min(6, len(text)), "label": "high"}],
        "empathy": i % 3,
    }


def rows_v1() -> dict[str, dict[str, list[dict]]]:
    """config -> split -> rows of version 1.0.0."""
    train = [
        row(1, "German", "Seit dem Umzug nach <LOCATION_1> bin ich einsam."),
        row(2, "Arabic", "I feel so alone since <PERSON_1> left."),
        row(3, "German", "Niemand versteht mich hier."),
        row(4, "Chinese", "I cannot sleep and I do not know who to talk to."),
    ]
    test = [row(5, "Jewish", "My family does not talk to me anymore."), row(6, "German", "Hilfe.")]
    return {
        "all": {"train": train, "test": test},
        "German": {"train": [r for r in train if r["culture"] == 2]},
    }


def rows_v2() -> dict[str, dict[str, list[dict]]]:
    """Version 1.1.0: one row relabelled, one added, and the German config gone (its data
    file is stale on the Hub and must be deleted by the next publish)."""
    v1 = rows_v1()["all"]
    train = [dict(r) for r in v1["train"]]
    train[1]["empathy"] = 2
    train.append(row(7, "Arabic", "Thank you all, it helps to write this down."))
    return {"all": {"train": train, "test": v1["test"]}}


def build_release(
    folder: Path,
    version: str,
    mode: str,
    configs: dict[str, dict[str, list[dict]]],
    name: str = "culturecare",
    license: str | None = None,
) -> Path:
    """Write a complete release folder and its manifest; returns the folder."""
    from datasets import Dataset

    from curate.release.card import write_card
    from curate.release.info import ReleaseInfo
    from curate.release.manifest import write_manifest
    from curate.schema import load_taxonomy

    folder.mkdir(parents=True, exist_ok=True)
    feats = features()
    files: dict[str, dict[str, list[str]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    for config, splits in configs.items():
        for split, rows in splits.items():
            rel = f"data/{config}/{split}-00000-of-00001.parquet"
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            Dataset.from_list(rows, features=feats).to_parquet(str(folder / rel))
            files.setdefault(config, {})[split] = [rel]
            sizes.setdefault(config, {})[split] = len(rows)
    created = "2025-01-01T00:00:00Z"
    info = ReleaseInfo(
        name=name,
        version=version,
        mode=mode,
        created=created,
        taxonomy=load_taxonomy(),
        features=feats.to_dict(),
        configs=files,
        split_sizes=sizes,
        label_counts={},
        languages=["de", "en"],
        license=license,
    )
    write_card(folder, info)
    (folder / "croissant.json").write_text(
        json.dumps({"@type": "sc:Dataset", "name": name, "version": version}), encoding="utf-8"
    )
    (folder / "CHANGELOG.md").write_text(f"# Changelog\n\n## {version}\n", encoding="utf-8")
    write_manifest(folder, name, version, mode, created=created)
    return folder


LOADER = r"""
import json, sys
import datasets
datasets.disable_progress_bars()
out = []
for path, config, revision in json.loads(sys.argv[1]):
    try:
        ds = datasets.load_dataset(path, config, revision=revision, cache_dir=sys.argv[2])
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
        continue
    out.append({
        split: {"features": d.features.to_dict(), "rows": d.to_list()} for split, d in ds.items()
    })
print(json.dumps(out))
"""


def load_all(
    requests: list[tuple[str, str, str | None]], cache_dir: Path, env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """`datasets.load_dataset(path, config, revision=...)` for each request, in a fresh
    process (as a user's would be: it reads HF_ENDPOINT etc. at import), in one go. A
    request that fails gives {"error": "<exception type>: <message>"}."""
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, json.dumps(requests), str(cache_dir)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise AssertionError(f"load_dataset failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
