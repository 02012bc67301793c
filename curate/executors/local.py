"""The local executor: steps run here, or in worker processes forked from this one.

Forked, not spawned: the steps are set up (models loaded) in this process before the
workers start, so every worker shares them copy-on-write, and neither the steps nor the
items need be importable by name. Batches come back in the order they went in
(`pool.map_ordered`), at most two per worker in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from curate.executors.base import Step, run_steps
from curate.executors.pool import default_workers, map_ordered

_STEPS: list[Step] = []  # the steps a forked worker runs (set before the fork)


def _run_forked(batch: list[Any]) -> list[Any]:
    return run_steps(_STEPS, batch)


class LocalExecutor:
    name = "local"
    # Below this many items, forking workers (and warming a model in each) costs more
    # than it saves: `for_items` runs them in this process.
    FORK_MIN_ITEMS = 256

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.seconds: dict[str, float] = {}

    @classmethod
    def for_items(cls, count: int, workers: int | None = None) -> LocalExecutor:
        """An executor for `count` items: `workers` of them, unless there are too few."""
        return cls(1 if count < cls.FORK_MIN_ITEMS else workers)

    @contextmanager
    def running(self, root: Path) -> Iterator[None]:
        yield

    def map_files(self, fn: Callable[[Any], Any], jobs: list[Any]) -> Iterator[Any]:
        """One worker process per job (file), up to `workers`."""
        return map_ordered(fn, jobs, min(self.workers, len(jobs)))

    def run(self, steps: list[Step], batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
        """Every step on every batch, in order; in forked workers when there are more
        than one. Each step is set up (and, if it can, warmed: every lazily loaded model
        loaded) here first, so the workers share it."""
        global _STEPS
        start = time.perf_counter()
        for step in steps:
            step.setup()
            if self.workers > 1 and hasattr(step, "warm"):
                step.warm()
        try:
            if self.workers <= 1:
                for batch in batches:
                    yield run_steps(steps, batch)
                return
            _STEPS = steps
            yield from map_ordered(_run_forked, batches, self.workers)
        finally:
            _STEPS = []
            self.seconds["steps"] = self.seconds.get("steps", 0.0) + time.perf_counter() - start

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "workers": self.workers,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }
