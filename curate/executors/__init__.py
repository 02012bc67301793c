"""Executors: run a list of steps over batches of items, and nothing else.

An executor knows no stage. A stage hands it its steps (objects with `setup()` and
`__call__(batch) -> batch`, `Step` below) and an iterable of batches; the executor runs
every step on every batch and gives the batches back in the order they went in, so
that the caller (the stage) writes them in input order. Two executors:

- `local` (`local.py`): this machine; worker processes forked from this one, so
  whatever a step set up here (a loaded model) is shared copy-on-write.
- `ray` (`ray_engine.py`): a local Ray instance or a cluster; batches travel as
  pickled items in Parquet shards inside the workspace, steps run in Ray Data actors.

Both also map a function over a list of jobs (`map_files`: the dump files of an ingest,
scanned in parallel). Items and steps must be picklable for `ray`.
"""

from __future__ import annotations

from curate.errors import CurateError
from curate.executors.base import Executor, Step, run_steps

__all__ = ["ENGINES", "Executor", "Step", "make_executor", "run_steps"]

ENGINES = ("local", "ray")


def make_executor(name: str, *, workers: int | None = None, address: str | None = None) -> Executor:
    """The executor called `name` (`ENGINES`)."""
    if name not in ENGINES:
        raise CurateError(f"--engine must be one of {', '.join(ENGINES)}, not {name!r}")
    if address and name != "ray":
        raise CurateError("--address is for --engine ray")
    if workers is not None and workers < 1:
        raise CurateError("--workers must be at least 1")
    if name == "ray":
        from curate.executors.ray_engine import RayExecutor

        return RayExecutor(address=address, workers=workers)
    from curate.executors.local import LocalExecutor

    return LocalExecutor(workers)
