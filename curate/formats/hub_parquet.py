"""The Hub Parquet format of a release: `data/<config>/<split>-NNNNN-of-NNNNN.parquet`,
written with `datasets` so the typed features (`curate.release.row`) travel in each
file's `huggingface` metadata, and read back row by row with the labels as names.

Why reader and writer in one module: the shard naming, the metadata key and the label
encoding are one format; `curate export` writes it and `curate hydrate` reads it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.release.info import SPLITS
from curate.release.row import decode, label_names
from curate.schema import Taxonomy

_SHARD = re.compile(r"^([A-Za-z]+)-\d{5}-of-\d{5}\.parquet$")


def shard_name(split: str, index: int, shards: int) -> str:
    """The file name of shard `index` (of `shards`) of a split: the Hub's convention."""
    return f"{split}-{index:05d}-of-{shards:05d}.parquet"


def split_of(path: Path) -> str | None:
    """The split a shard's file name tells, else None."""
    match = _SHARD.match(path.name)
    return match.group(1) if match else None


# -- writing ---------------------------------------------------------------------------
def write_configs(
    by_config: dict[str, dict[str, list[dict[str, Any]]]],
    features: Any,
    staging: Path,
    max_shard_bytes: int,
) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, int]]]:
    """Every config's splits as Parquet: (config -> split -> files, config -> split ->
    Arrow bytes). A split without rows is left out: `load_dataset` refuses a declared
    split without data, and a culture too small for a validation item has none."""
    configs: dict[str, dict[str, list[str]]] = {}
    split_bytes: dict[str, dict[str, int]] = {}
    for name, by_split in by_config.items():
        configs[name], split_bytes[name] = {}, {}
        for split in SPLITS:
            if by_split[split]:
                paths, nbytes = write_split(
                    by_split[split], features, staging, name, split, max_shard_bytes
                )
                configs[name][split], split_bytes[name][split] = paths, nbytes
    return configs, split_bytes


def write_split(
    rows: list[dict[str, Any]],
    features: Any,
    staging: Path,
    config_name: str,
    split: str,
    max_shard_bytes: int,
) -> tuple[list[str], int]:
    """Write one split of one config as `data/<config>/<split>-NNNNN-of-NNNNN.parquet`
    (with `datasets`, so the typed features travel in the files), in as many shards as
    `max_shard_bytes` asks for. Returns the paths (relative to the folder) and the
    split's size in Arrow bytes."""
    import datasets

    dataset = datasets.Dataset.from_list(rows, features=features)
    shards = min(len(rows), max(1, math.ceil(dataset.data.nbytes / max_shard_bytes)))
    out = staging / "data" / config_name
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(shards):
        part = dataset.shard(shards, index, contiguous=True) if shards > 1 else dataset
        rel = f"data/{config_name}/{shard_name(split, index, shards)}"
        quietly(part.to_parquet, str(staging / rel))
        paths.append(rel)
    return paths, dataset.data.nbytes


def quietly(func: Any, *args: Any) -> Any:
    """Without the `datasets` progress bars (one per file would flood the terminal)."""
    import datasets

    was_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        return func(*args)
    finally:
        if not was_disabled:
            datasets.enable_progress_bars()


# -- reading ---------------------------------------------------------------------------
@dataclass
class StoredRow:
    """One row of a Parquet file as stored (`raw`, labels as ids) and decoded (`values`,
    labels as names), with its 1-based number in the file."""

    number: int
    raw: dict[str, Any]
    values: dict[str, Any]


def read_rows(path: Path, taxonomy: Taxonomy) -> Iterator[StoredRow]:
    """Every row of one Parquet file of a release. Label ids are decoded with the class
    names in the file's own features (the taxonomy's order when it has none, as
    `curate export` declares them)."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise CurateError(f"{path}: cannot read as Parquet: {exc}") from None
    meta = pf.schema_arrow.metadata or {}
    try:
        features = json.loads(meta[b"huggingface"])["info"]["features"]
    except (KeyError, ValueError, TypeError):
        features = {}
    names = label_names(features, taxonomy)
    number = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield StoredRow(number, row, decode(row, names, taxonomy))
