"""Executors: where `curate ingest` runs its per-record steps (language id, content
hash, de-identification). One implementation of each step, two engines:

- `local` (default): this machine, all cores (`pool.py`). Reddit dump files are scanned
  by worker processes forked from this one (a task per file), records are normalized
  (language id, hash) by the workers in batches of 64 and stored here in input order,
  then de-identified from the store by the workers in chunks of 64 records
  (`curate.deid.stage.deidentify_workspace`).
- `ray`: a local Ray instance or a cluster (`ray_engine.py`). The dump files are scanned
  by Ray tasks, and the same steps (`steps.py`) run on Ray Data in actors, on batches of
  the same 64 records; the results are stored by the same writer, so both engines leave
  the store identical.

Pairing posts with responses, counting and the quarantine run in this process for both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from curate.config import Config
from curate.deid.policy import Policy
from curate.deid.stage import DeidReport
from curate.errors import CurateError
from curate.ingest import IngestReport
from curate.store import Store

ENGINES = ("local", "ray")


@dataclass
class IngestResult:
    report: IngestReport
    deid: DeidReport | None
    engine: dict[str, Any] = field(default_factory=dict)  # name, workers, seconds per phase


def run_ingest(
    paths: list[Path],
    config: Config,
    store: Store,
    *,
    engine: str = "local",
    policy: Policy | None = None,
    workers: int | None = None,
    address: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    culture: str | None = None,
    on_progress: Callable[[Path, int], None] | None = None,
    deid_progress: Callable[[], AbstractContextManager] = lambda: nullcontext(),
) -> IngestResult:
    """Ingest `paths` and, with a `policy`, de-identify what needs it, on `engine`.

    Whatever the engine, the run ends with the local de-identification of the records
    that still need it (none, unless earlier runs left some: `--no-deid`, a new policy),
    as `curate deid` would do it. `deid_progress()` gives a context whose value, if
    not None, is called with (done, total) as records are de-identified."""
    from curate.deid.stage import deidentify_workspace
    from curate.ingest import LocalSink, ingest

    if engine not in ENGINES:
        raise CurateError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if address and engine != "ray":
        raise CurateError("--address is for --engine ray")
    ray_engine = None
    if engine == "ray":
        from curate.executors.ray_engine import RayEngine

        ray_engine = RayEngine(config, policy, address=address, workers=workers)
        running: AbstractContextManager = ray_engine.running(store.root)
        sink: Callable = ray_engine.sink
        file_map = ray_engine.file_map
    else:
        from curate.deid.engine import default_workers

        n = workers or default_workers()
        running = nullcontext()
        sink = partial(LocalSink, workers=n)
        file_map = partial(_map_files, workers=n)
    start = time.perf_counter()
    with running:
        report = ingest(
            paths,
            config,
            store,
            fmt=fmt,
            mapping=mapping,
            culture=culture,
            on_progress=on_progress,
            sink=sink,
            file_map=file_map,
        )
    seconds = {"ingest": time.perf_counter() - start}
    deid = None
    if policy is not None:
        start = time.perf_counter()
        with deid_progress() as on_deid_progress:
            deid = deidentify_workspace(
                store, config, policy=policy, workers=workers, on_progress=on_deid_progress
            )
        seconds["deid"] = time.perf_counter() - start
        if ray_engine is not None and ray_engine.deid_report is not None:
            ray_engine.deid_report.merge(deid)
            deid = ray_engine.deid_report
    if ray_engine is not None:
        info = ray_engine.info()
        info["seconds"]["local_deid"] = round(seconds.get("deid", 0.0), 2)
    else:
        info = {
            "name": "local",
            "workers": n,
            "seconds": {k: round(v, 2) for k, v in seconds.items()},
        }
    return IngestResult(report, deid, info)


def _map_files(fn: Callable, jobs: list, workers: int):
    """The local engine's file map: one worker process per file, up to `workers`."""
    from curate.executors.pool import map_ordered

    return map_ordered(fn, jobs, min(workers, len(jobs)))
