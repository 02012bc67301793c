"""The local engine's worker processes: a function run on work items in processes forked
from this one, results handed back in the order the items went in.

Forked, not spawned: a worker starts with everything this process has loaded (a
de-identification engine, the language profiles) shared copy-on-write, and the function
and its arguments need not be importable by name. At most two items per worker are in
flight, so memory stays bounded however many items come.

The local executor (`local.py`) runs its steps on it, one batch per item, and scans
dump files with it, one file per item.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def _init_worker() -> None:
    """Plain SIGTERM, so that `close` stops a worker whatever handler this process had
    when it forked (a Ray node started in this process installs one that waits for the
    node to drain: a forked worker would hang in it); one BLAS thread per worker: the
    workers already use every core."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    one_blas_thread()


def one_blas_thread() -> None:
    """One BLAS/OpenMP thread in this process: the engines already run a worker per core,
    and each worker's own thread pool would oversubscribe them."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


class OrderedPool:
    """`workers` forked processes running `fn`; `submit` returns the results that are
    due (in submission order) once enough are in flight, `drain` the rest."""

    def __init__(self, fn: Callable[..., Any], workers: int) -> None:
        self.fn = fn
        self.workers = workers
        self.pool = mp.get_context("fork").Pool(workers, initializer=_init_worker)
        self.pending: deque = deque()

    def submit(self, *args: Any) -> list[Any]:
        self.pending.append(self.pool.apply_async(self.fn, args))
        done = []
        while len(self.pending) >= 2 * self.workers:
            done.append(self.pending.popleft().get())
        return done

    def drain(self) -> Iterator[Any]:
        while self.pending:
            yield self.pending.popleft().get()

    def close(self) -> None:
        """Stop the workers (after `drain`, they are idle; on an error, they are killed
        with what they were doing)."""
        self.pool.terminate()
        self.pool.join()


def default_workers() -> int:
    """One worker per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)))


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter), pulled lazily: the one chunker
    of the engines (records claimed or stored a chunk at a time). Hand-written rather
    than `more_itertools.chunked`, which measured slower in `bench/deid_speed.py`
    --multilingual with two workers (58-67 posts/s against 67-72)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def map_ordered(fn: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
    """`fn(item)` for every item, in worker processes when `workers` > 1, in order."""
    if workers <= 1:
        yield from map(fn, items)
        return
    pool = OrderedPool(fn, workers)
    try:
        for item in items:
            yield from pool.submit(item)
        yield from pool.drain()
    finally:
        pool.close()
