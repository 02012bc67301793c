"""The per-batch steps of `curate ingest` after parsing, as pipeline steps.

Each step wraps one stage function and nothing else: `NormalizeStep` is
`curate.ingest.normalize_batch` (language id, content hash), `DeidentifyStep` is
`curate.deid.stage.deidentify_batch`. An executor runs the steps in order on each batch
in a worker process; the stage code is the same whichever executor runs it.

Steps are plain picklable objects: heavy state (the Presidio engine) is built by `setup`
in the process that runs them, so a cluster ships the policy, not a loaded model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from curate.config import Config
from curate.deid.policy import Policy
from curate.executors.work import DeidResult, Work, as_stored
from curate.langid import LangidSettings


class Step(Protocol):
    def setup(self) -> None: ...

    def __call__(self, batch: list[Work]) -> list[Work]: ...


class NormalizeStep:
    """Language id and content hash of every record."""

    def __init__(self, lang: LangidSettings) -> None:
        self.lang = lang

    def setup(self) -> None:
        pass

    def __call__(self, batch: list[Work]) -> list[Work]:
        from curate.ingest import normalize_batch

        normalize_batch([w.item for w in batch], self.lang)
        return batch


class DeidentifyStep:
    """De-identification of the records marked for it (new or changed content), each
    from a copy of the record as the store would hand it back: the ingested record stays
    untouched for the store, and the result equals the local engine's, which starts from
    the stored record."""

    def __init__(self, policy: Policy, cache_dir: Path, never_names: set[str]) -> None:
        self.policy = policy
        self.cache_dir = cache_dir
        self.never_names = never_names
        self.engine = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "engine": None}  # ship the policy, never a loaded model

    def setup(self) -> None:
        if self.engine is None:
            from curate.deid.engine import Deidentifier

            self.engine = Deidentifier(self.policy, self.cache_dir, self.never_names)

    def __call__(self, batch: list[Work]) -> list[Work]:
        from curate.deid.stage import deidentify_batch

        todo = [w for w in batch if w.deid]
        if not todo:
            return batch
        self.setup()
        done = deidentify_batch(self.engine, [(as_stored(w.item.record), w.item.raw) for w in todo])
        for work, (record, decisions, problems, changed) in zip(todo, done, strict=True):
            work.result = DeidResult(record, decisions, problems, changed)
        return batch


def ingest_steps(config: Config, policy: Policy | None) -> list[Step]:
    """The steps after parsing: normalize, then (with a policy) de-identify."""
    steps: list[Step] = [NormalizeStep(LangidSettings(**config.section("langid")))]
    if policy is not None:
        from curate.deid.analyzer import culture_terms
        from curate.deid.stage import cache_dir

        steps.append(DeidentifyStep(policy, cache_dir(config).resolve(), culture_terms(config)))
    return steps


def run_steps(steps: list[Step], batch: list[Work]) -> list[Work]:
    for step in steps:
        batch = step(batch)
    return batch
