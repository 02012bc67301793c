"""The Ray executor (`--engine ray`): steps on a Ray instance or cluster.

    this process                    Ray Data (actors: each sets the steps up once)   this process
    ────────────                    ──────────────────────────────────────────────   ────────────
    batches ─► in/*.parquet ─► read tasks ─► map_batches(steps) ─► out/*.parquet ─► batches, in
               (pickled items)                                                     input order

`run` writes the items of every batch to Parquet shards, Ray Data reads them in
parallel and runs the steps in actors, writes the results as shards, and this process
reads them back in input order. `map_files` runs a function on each job in a Ray task
of its own (an ingest scans its dump files so). The executor knows no stage: the steps
and items are the caller's, pickled.

Privacy: shards, Ray's object store (memory-mapped files) and its spill folder hold
whatever the items hold (raw text); all are inside the workspace
(`<workspace>/tmp/ray-<id>/`, a `curate.scratch` folder) and deleted when the run ends,
or by the next command after a kill. Errors raised on the cluster are reported by type
only: their messages may quote the data.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.executors.base import Step, run_steps
from curate.executors.pool import chunks, default_workers
from curate.executors.shards import ShardWriter, from_table, read_in_order, to_table
from curate.scratch import SCRATCH, scratch

BATCH = 64  # items per step call: the batch the stages hand the local executor
ROWS_PER_SHARD = 4 * BATCH  # one read task each: small, to spread evenly over many actors
OBJECT_STORE_BYTES = 1 << 30  # a local instance's object store (spills beyond it)
# Unix socket paths have at most 107 bytes and Ray puts its sockets ~64 characters deep
# in its temp folder: a deeper folder is reached through a short symlink.
MAX_TEMP_DIR = 40


class RayExecutor:
    """Settings of one Ray run and what it reports: the seconds per phase."""

    name = "ray"

    def __init__(self, *, address: str | None = None, workers: int | None = None) -> None:
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            raise CurateError(
                "--engine ray needs Ray: install the extra with pip install 'curate[ray]'"
            )
        self.address = address
        self.workers = workers
        self.seconds: dict[str, float] = {}
        self.used_workers = 0
        self.folder: Path | None = None

    @contextmanager
    def running(self, root: Path) -> Iterator[None]:
        """Ray for the whole run (reading included), with the run's files in a folder of
        its own inside the workspace `root`, deleted at the end."""
        # A scratch folder: swept by the next command if this run is killed.
        with scratch(root / SCRATCH, "ray") as self.folder, self.session(self.folder / "ray"):
            yield

    def map_files(self, fn: Callable, jobs: list) -> Iterator:
        """`fn(job)` for every job in a Ray task of its own (the dump files, scanned in
        parallel), results in the order of the jobs. A failed task stops the run with its
        exception's type (its message may quote the data)."""
        import ray

        start = time.perf_counter()
        task = ray.remote(num_cpus=1, max_retries=0)(fn)
        refs = [task.remote(job) for job in jobs]
        try:
            for ref in refs:
                yield ray.get(ref)
        except Exception as exc:
            for ref in refs:
                ray.cancel(ref, force=True)
            raise CurateError(
                f"reading the input on Ray failed ({_cause(exc)}); nothing of this run's "
                "records was stored: re-run to retry"
            ) from None
        finally:
            self.seconds["scan"] = time.perf_counter() - start

    def run(self, steps: list[Step], batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
        """Every step on every item, on Ray; the items come back in input order, in
        batches of `BATCH`. All the input is sharded first, then processed."""
        assert self.folder is not None, "RayExecutor.running() first"
        for step in steps:
            # set up here once: a bad setting fails before any actor starts, and what
            # a step caches on disk (the name gazetteer) is there for the actors
            step.setup()
        started = time.perf_counter()
        writer = ShardWriter(self.folder / "in", ROWS_PER_SHARD)
        out = self.folder / "out"
        try:
            for batch in batches:
                for item in batch:
                    writer.add(item)
            writer.flush()
            self.seconds["read"] = time.perf_counter() - started
            if not writer.count:
                return
            start = time.perf_counter()
            try:
                process(writer.files, out, steps, self.used_workers)
            except Exception as exc:
                raise CurateError(
                    f"the Ray engine failed ({_cause(exc)}); nothing of this run's "
                    "records was stored: re-run to retry"
                ) from None
            self.seconds["process"] = time.perf_counter() - start
            start = time.perf_counter()
            # the results back, in input order, as the caller takes (and writes) them
            yield from chunks(read_in_order(out, writer.count), BATCH)
            self.seconds["write"] = time.perf_counter() - start
        finally:
            for sub in ("in", "out"):
                shutil.rmtree(self.folder / sub, ignore_errors=True)

    def info(self) -> dict:
        return {
            "name": "ray",
            "address": self.address,
            "workers": self.used_workers,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }

    @contextmanager
    def session(self, folder: Path) -> Iterator[int]:
        """Ray for the run: the caller's if one is connected, else the cluster at
        `address`, else a local instance with all its files in `folder`. Yields the number
        of actors to start: `workers`, or one per CPU of the cluster but one."""
        import ray

        start = time.perf_counter()
        stop: Callable[[], None] | None = None
        with _quiet_ray_logs():
            if not ray.is_initialized():
                if self.address:
                    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
                    try:
                        ray.init(
                            address=self.address,
                            log_to_driver=False,
                            configure_logging=False,
                        )
                    except (ConnectionError, RuntimeError, ValueError) as exc:
                        raise CurateError(
                            f"cannot connect to Ray at {self.address}: {type(exc).__name__}"
                        ) from None
                    stop = ray.shutdown
                else:
                    stop = start_local(folder, (self.workers or default_workers()) + 1)
            self.seconds["ray_start"] = time.perf_counter() - start
            try:
                # One CPU is left to Ray Data's own tasks (listing, reading, writing
                # shards): with every CPU held by an actor they could not start.
                cpus = int(ray.cluster_resources().get("CPU", 2))
                if self.workers and self.workers > cpus - 1:
                    raise CurateError(
                        f"--workers {self.workers}: the Ray cluster has {cpus} CPU(s), one of "
                        "them kept for reading and writing shards"
                    )
                self.used_workers = self.workers or max(1, cpus - 1)
                yield self.used_workers
            finally:
                if stop is not None:
                    stop()


def start_local(folder: Path, num_cpus: int) -> Callable[[], None]:
    """Start a local Ray instance whose temp folder, object store and spill folder are
    all inside `folder`; return the function that stops it. No dashboard, no usage stats,
    worker output kept off this terminal (it is in the logs inside `folder`). Ray's token
    authentication stays on with a fresh token held in the environment of this process
    and its children, never written to ~/.ray."""
    import secrets

    import ray

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    base, link = folder, None
    if len(str(folder)) > MAX_TEMP_DIR:
        link = Path(tempfile.gettempdir()) / f"curate-ray-{uuid.uuid4().hex[:8]}"
        link.symlink_to(folder, target_is_directory=True)
        base = link
    for sub in ("plasma", "spill"):
        (folder / sub).mkdir(exist_ok=True)
    spill = {"type": "filesystem", "params": {"directory_path": str(folder / "spill")}}
    before = set(os.environ)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not before & {"RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"}:
        # A new local instance turns token mode on (setting RAY_AUTH_MODE) and takes
        # the token from here rather than generating ~/.ray/auth_token.
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)

    def restore() -> None:
        for key in ("RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN"):
            if key not in before:
                os.environ.pop(key, None)
        if link is not None:
            link.unlink(missing_ok=True)

    try:
        with _quiet_ray_logs():
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                object_store_memory=OBJECT_STORE_BYTES,
                log_to_driver=False,
                configure_logging=False,
                _temp_dir=str(base / "tmp"),
                _plasma_directory=str(base / "plasma"),
                _system_config={"object_spilling_config": json.dumps(spill)},
            )
    except BaseException:
        restore()
        raise

    def stop() -> None:
        ray.shutdown()
        restore()

    return stop


class StepsActor:
    """A Ray Data actor: runs the steps on Arrow batches of pickled items. Each step is
    set up once, when the actor starts."""

    def __init__(self, steps: list[Step]) -> None:
        from curate.executors.pool import one_blas_thread

        one_blas_thread()  # the actors already use every core
        self.steps = steps
        for step in steps:
            step.setup()

    def __call__(self, table):
        rows = from_table(table)
        done = run_steps(self.steps, [item for _, item in rows])
        return to_table([(seq, item) for (seq, _), item in zip(rows, done, strict=True)])


def process(
    files: list[Path], out: Path, steps: list[Step], workers: int, batch: int = BATCH
) -> None:
    """Run `steps` over the rows of `files` on Ray Data and write the results to `out`,
    in input order. One read task per shard, then `workers` actors."""
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # results come back in input order
    ctx.enable_progress_bars = False
    # Shards are listed here, not by `read_parquet`: its footer-reading actors cost
    # seconds of start-up and a process each, for files whose layout is known.
    ds = ray.data.from_items([{"path": str(p)} for p in files], override_num_blocks=len(files))
    ds = ds.map_batches(read_shards, batch_size=1, batch_format="pyarrow", num_cpus=0.1)
    ds = ds.map_batches(
        StepsActor,
        fn_constructor_kwargs={"steps": steps},
        batch_size=batch,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
        # A lost actor fails the run (re-run to retry) rather than restarting from
        # arguments the object store may have dropped (Ray warns of it on the terminal).
        max_restarts=0,
    )
    ds.write_parquet(str(out), ray_remote_args={"num_cpus": 0.1})


def read_shards(paths):
    """The rows of the shards named in a batch of paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa.concat_tables([pq.read_table(p) for p in paths.column("path").to_pylist()])


@contextmanager
def _quiet_ray_logs() -> Iterator[None]:
    """Ray logs failed tasks with their exception messages, which may quote the data:
    none of it reaches this terminal (the run fails with the exception's type)."""
    import ray.data  # noqa: F401 - configures its loggers on import: quiet them after

    loggers = [logging.getLogger(name) for name in ("ray", "ray.data")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"ray(\.|$)")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _cause(exc: BaseException) -> str:
    """The type of the exception that failed the run; its message only if it is curate's
    own (a user error, worded never to quote data): others may quote raw text."""
    chain = [exc]
    while len(chain) < 20:
        inner = getattr(chain[-1], "cause", None) or chain[-1].__cause__
        if not isinstance(inner, BaseException) or inner in chain:
            break
        chain.append(inner)
    if isinstance(chain[-1], CurateError):
        return f"{type(chain[-1]).__name__}: {chain[-1]}"
    # An exception raised in a step reaches here only as traceback text inside Ray's
    # (UserCodeException): its type is the first 'Type: message' line that is not Ray's.
    import re

    text = "\n".join(str(e) for e in chain)
    for name in re.findall(r"^([A-Za-z_][\w.]*): ", text, flags=re.MULTILINE):
        if not name.startswith("ray.") and name not in ("RayTaskError", "UserCodeException"):
            return name
    return type(chain[-1]).__name__
