"""What every executor and every step share: the step and executor protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol


class Step(Protocol):
    """One per-batch step of a stage. `setup` builds heavy state (a model) in the process
    that runs the step; a step is pickled without it (a cluster gets the settings, not a
    loaded model)."""

    def setup(self) -> None: ...

    def __call__(self, batch: list[Any]) -> list[Any]: ...


def run_steps(steps: list[Step], batch: list[Any]) -> list[Any]:
    for step in steps:
        batch = step(batch)
    return batch


class Executor(Protocol):
    name: str

    def running(self, root: Path) -> AbstractContextManager[None]:
        """The executor's resources for a whole run (Ray: the instance), scratch files
        inside the workspace `root`."""
        ...

    def map_files(self, fn: Callable[[Any], Any], jobs: list[Any]) -> Iterator[Any]: ...

    def run(self, steps: list[Step], batches: Iterable[list[Any]]) -> Iterator[list[Any]]: ...

    def info(self) -> dict[str, Any]: ...
