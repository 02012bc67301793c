"""Scratch folders for raw text inside the workspace: locked while in use, swept when stale.

Some steps must put raw (not de-identified) text on disk for a while: the Reddit dump
scan spools every line and indexes the response candidates, the Ray engine writes its
input and result shards and keeps its object store and spill folder. They do it in a
folder of their own under `<workspace>/tmp/`, made by `Scratch.create`, and delete it
when they end. A run killed with -9 cannot delete anything, so the next command that
opens the workspace (`Store.open`) sweeps the folders of runs that are gone.

How a folder is known to be in use: its owner holds an exclusive `flock` on the file
`.owner` inside it for as long as the folder lives. The kernel drops the lock when the
owner ends, however it ends (kill -9 included), so a folder whose lock can be taken
belongs to no live process. A lock, not a pid in the name: a pid can be reused by an
unrelated process after a reboot or a long time, and a pid says nothing to a process on
another machine of a cluster sharing the workspace; a lock is held by exactly the live
owner. Worker processes forked by the owner close their copy of the lock
(`os.register_at_fork`), so an orphaned worker of a killed run does not keep its
folder alive. `.owner` also says who made the folder (pid, host, what for, when), for
a person looking at it; it never holds data.

Creating a folder and sweeping are serialized by a second lock, on `tmp/.lock`: a
sweep never sees a folder between its creation and its owner taking the lock. A folder
without `.owner` (left by an older curate, or by a process killed in that instant) is
stale.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

SCRATCH = "tmp"  # the workspace's folder of scratch folders
OWNER = ".owner"
SWEEP_LOCK = ".lock"

_held: set[int] = set()  # lock descriptors this process holds (closed in forked children)


def _close_in_child() -> None:
    """A forked child closes its copies of the parent's locks: the lock stays the
    parent's alone (flock drops it only when every copy is closed or the parent ends)."""
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


@dataclass(frozen=True)
class Usage:
    """Scratch folders and their size on disk (what is in them is never read)."""

    folders: int = 0
    bytes: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.folders + other.folders, self.bytes + other.bytes)

    def to_dict(self) -> dict[str, int]:
        return {"folders": self.folders, "bytes": self.bytes}


class Scratch:
    """One scratch folder, locked by this process until `remove`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def create(cls, parent: Path | None, purpose: str) -> Scratch:
        """A new folder `<parent>/<purpose>-<random>/`, locked (`parent`: the
        workspace's tmp/; None: the system's temp folder, where nothing sweeps)."""
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        with _sweep_lock(parent):
            path = Path(tempfile.mkdtemp(prefix=f"{purpose}-", dir=parent))
            fd = os.open(path / OWNER, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _held.add(fd)
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "purpose": purpose}
        os.write(fd, json.dumps({**owner, "started": time.time()}).encode())
        return cls(path, fd)

    def remove(self) -> None:
        """Delete the folder and everything in it, then let go of the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            _held.discard(self._fd)
            os.close(self._fd)
            self._fd = None


@contextmanager
def scratch(parent: Path | None, purpose: str) -> Iterator[Path]:
    """A scratch folder for the duration of the block (see `Scratch.create`)."""
    folder = Scratch.create(parent, purpose)
    try:
        yield folder.path
    finally:
        folder.remove()


@contextmanager
def _sweep_lock(parent: Path | None) -> Iterator[None]:
    if parent is None:
        yield
        return
    fd = os.open(parent / SWEEP_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _size(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def _folders(root: Path) -> Iterator[Path]:
    tmp = root / SCRATCH
    if tmp.is_dir():
        yield from sorted(p for p in tmp.iterdir() if p.is_dir() and not p.is_symlink())


def _is_stale(folder: Path) -> tuple[bool, int | None]:
    """(stale, the descriptor that now holds its lock, if any). Stale: no `.owner`, or
    its lock could be taken: no live process holds it."""
    try:
        fd = os.open(folder / OWNER, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return True, None
    except OSError:
        return False, None  # cannot tell: leave it (reported as in use)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False, None
    return True, fd


def sweep(root: Path) -> Usage:
    """Delete the scratch folders of the workspace `root` that no live process owns;
    return what was deleted. Folders in use (a concurrent run's) are left alone."""
    tmp = root / SCRATCH
    if not tmp.is_dir():
        return Usage()
    removed = Usage()
    try:
        with _sweep_lock(tmp):
            for folder in _folders(root):
                stale, fd = _is_stale(folder)
                if not stale:
                    continue
                try:
                    size = _size(folder)
                    shutil.rmtree(folder, ignore_errors=True)
                    if not folder.exists():
                        removed += Usage(1, size)
                finally:
                    if fd is not None:
                        os.close(fd)
    except OSError:
        pass  # tmp/ not writable: nothing could be swept; `usage` reports what is left
    return removed


def usage(root: Path) -> dict[str, Usage]:
    """The workspace's scratch folders now: `in_use` by live runs, and `stale` ones a
    sweep could not delete (their sizes; never their contents)."""
    found = {"in_use": Usage(), "stale": Usage()}
    tmp = root / SCRATCH
    if not tmp.is_dir():
        return found
    with ExitStack() as stack:
        with suppress(OSError):  # tmp/ not writable: look without the lock (no deletion)
            stack.enter_context(_sweep_lock(tmp))
        for folder in _folders(root):
            stale, fd = _is_stale(folder)
            if fd is not None:
                os.close(fd)
            found["stale" if stale else "in_use"] += Usage(1, _size(folder))
    return found
