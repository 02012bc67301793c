"""Parquet shards of items: how batches reach a cluster and come back.

A row is an item's position in the input (`seq`) and the item, pickled: the executor
does not look inside (any picklable item of any stage travels the same way).

They hold raw text, so they only ever live in the run's folder inside the workspace
(`<workspace>/tmp/ray-<run>/`, a `curate.scratch` folder), which is deleted when the run
ends, or by the next command that opens the workspace if the run was killed.

Results must be stored in input order (dedup keeps the first copy; revisions follow the
input), so `read_in_order` puts the result shards back in `seq` order and refuses to go
on if any row is missing or the order cannot be restored.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curate.errors import CurateError


def schema():
    import pyarrow as pa

    return pa.schema([("seq", pa.int64()), ("item", pa.binary())])


def to_table(rows: list[tuple[int, Any]]):
    import pyarrow as pa

    return pa.table(
        {
            "seq": [seq for seq, _ in rows],
            "item": [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for _, item in rows],
        },
        schema=schema(),
    )


def from_table(table) -> list[tuple[int, Any]]:
    seqs = table.column("seq").to_pylist()
    items = table.column("item").to_pylist()
    return [(seq, pickle.loads(item)) for seq, item in zip(seqs, items, strict=True)]


class ShardWriter:
    """Writes items into numbered files of `rows_per_shard` rows each, numbering them
    (`seq`) in the order they are added."""

    def __init__(self, folder: Path, rows_per_shard: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.rows_per_shard = rows_per_shard
        self.rows: list[tuple[int, Any]] = []
        self.files: list[Path] = []
        self.count = 0

    def add(self, item: Any) -> None:
        self.rows.append((self.count, item))
        self.count += 1
        if len(self.rows) >= self.rows_per_shard:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        import pyarrow.parquet as pq

        path = self.folder / f"part-{len(self.files):06d}.parquet"
        pq.write_table(to_table(self.rows), path)
        self.files.append(path)
        self.rows = []


def read_in_order(folder: Path, expected: int) -> Iterator[Any]:
    """Every result item of the shards in `folder`, in `seq` order (0 .. expected-1).

    Each shard must hold a run of consecutive seqs (the Ray engine keeps the order of
    its input, so it writes them that way); the shards are sorted by their first seq."""
    import pyarrow.parquet as pq

    runs: list[tuple[int, int, Path]] = []
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        seqs = pq.read_table(path, columns=["seq"]).column("seq").to_pylist()
        if not seqs:
            continue
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise RuntimeError(f"{path.name}: result rows out of order")
        runs.append((seqs[0], len(seqs), path))
    runs.sort()
    total = sum(n for _, n, _ in runs)
    if total != expected:
        raise CurateError(
            f"the Ray engine returned {total} of {expected} record(s) in {folder}: on a "
            "cluster of several machines the workspace must be on a filesystem that every "
            "node mounts at the same path (see docs/scale.md)"
        )
    position = 0
    for first, n, path in runs:
        if first != position:
            raise RuntimeError(f"result shards overlap or leave a gap at row {position}")
        yield from (item for _, item in from_table(pq.read_table(path)))
        position += n
