"""A `curate ingest` killed with -9 in the middle of a dump scan leaves raw text in its
scratch folder (`<workspace>/tmp/curate-reddit-*/`). The next command that opens the
workspace deletes it, `curate stats` says so, `curate vault purge` deletes it too, a live
run's folder is left alone, and a re-run stores what a clean run stores.

Real processes throughout: a real ingest killed for real, the real CLI after it. Timing
is made deterministic by polling (bounded) for the folder to appear before the kill, and
by stopping the live run (SIGSTOP) while its folder is looked at."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, comment, run_cli, salted_workspace, start_cli, submission, write_lines

from curate.store import Store

MARKER = "jonas.weber@example.de"  # a raw identifier planted in every post
POLL_SECONDS = 120


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A .zst dump whose scan takes seconds (80,000 lines, ~30 MB of NDJSON), most of it
    out of scope (skipped: cheap to store), every line with a raw identifier."""
    rng = random.Random(5)
    words = "alone family work tired hope night parents school friends sleep".split()
    lines: list[dict] = []
    for i in range(40_000):
        pid = f"p{i:x}"
        text = " ".join(rng.choice(words) for _ in range(60))
        sub = "germany" if i % 200 == 0 else "gardening"
        post = submission(pid, subreddit=sub, selftext=f"{text}, mail {MARKER}", author=f"u{i}")
        body = " ".join(rng.choice(words) for _ in range(30)) + f" mail {MARKER}"
        lines += [post, comment(f"c{i:x}", pid, body)]
    return write_lines(tmp_path_factory.mktemp("dump") / "RS_2023-01.zst", lines, "zst")


def _start_ingest(ws: Path, dump: Path) -> subprocess.Popen:
    return start_cli(
        "-w", str(ws), "ingest", str(dump), "--no-deid", "--no-progress", "--workers", "1"
    )


def _spools(ws: Path) -> list[Path]:
    tmp = ws / "tmp"
    return sorted(tmp.glob("curate-reddit-*")) if tmp.is_dir() else []


def _wait_for_spool(ws: Path, proc: subprocess.Popen, exclude: tuple[Path, ...] = ()) -> Path:
    """The run's scratch folder, once its first spool holds data."""
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the ingest ended before it was caught: {proc.stderr}"
        for folder in _spools(ws):
            posts = folder / "00000" / "posts.pkl"
            if folder not in exclude and posts.is_file() and posts.stat().st_size > 0:
                return folder
        time.sleep(0.01)
    raise AssertionError("no spool appeared in time")


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _records(ws: Path) -> list[dict]:
    with Store.open(ws, create=False) as store:
        docs = [r.to_dict() for r in store.iter_records()]
    for doc in docs:
        doc["provenance"].pop("run_id")
    return docs


def _stats(ws: Path) -> dict:
    proc = run_cli("-w", str(ws), "stats", "--json", check=True)
    return json.loads(proc.stdout)["scratch"]


def test_a_killed_ingest_leaves_no_raw_text_behind(tmp_path: Path, dump: Path):
    clean = salted_workspace(tmp_path / "clean")
    run_cli("-w", str(clean), "ingest", str(dump), "--no-deid", "--no-progress", check=True)
    assert not _spools(clean)  # a run that ends deletes its own folder

    ws = salted_workspace(tmp_path / "ws")
    killed = _start_ingest(ws, dump)
    try:
        stale = _wait_for_spool(ws, killed)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=60)
    # What the issue found: raw text, identifiers and all, left on disk by the kill.
    spooled = b"".join(p.read_bytes() for p in stale.rglob("*.pkl"))
    assert MARKER.encode() in spooled
    size = _size(stale)
    keep = tmp_path / "stale-copy"  # the dead run's folder, to plant again below
    shutil.copytree(stale, keep)

    # The next command (here `curate stats`) deletes it and says how much it deleted.
    scratch = _stats(ws)
    assert scratch["removed_stale"] == {"folders": 1, "bytes": size}
    assert scratch["in_use"] == {"folders": 0, "bytes": 0}
    assert not _spools(ws)
    text = run_cli("-w", str(ws), "stats").stdout
    assert "scratch folder" not in text  # nothing left to say: it was deleted
    assert MARKER not in text

    # A live run's folder is not touched: the re-run, stopped mid-scan.
    rerun = _start_ingest(ws, dump)
    try:
        live = _wait_for_spool(ws, rerun)
        os.kill(rerun.pid, signal.SIGSTOP)
        shutil.copytree(keep, ws / "tmp" / stale.name)  # a dead run's folder beside it
        scratch = _stats(ws)
        assert scratch["removed_stale"] == {"folders": 1, "bytes": size}
        assert scratch["in_use"]["folders"] == 1 and scratch["in_use"]["bytes"] > 0
        assert _spools(ws) == [live]
        os.kill(rerun.pid, signal.SIGCONT)
        err = rerun.communicate(timeout=600)[1]
    finally:
        if rerun.poll() is None:
            os.kill(rerun.pid, signal.SIGCONT)
            rerun.kill()
            rerun.communicate()
    assert rerun.returncode == 0, err
    assert "Traceback" not in err
    assert not _spools(ws)
    # The re-run after the kill stored exactly what a clean run stores.
    assert _records(ws) == _records(clean)

    # `curate vault purge` deletes a dead run's folder too, and counts it.
    shutil.copytree(keep, ws / "tmp" / stale.name)
    proc = run_cli("-w", str(ws), "vault", "purge", "--yes", check=True)
    assert f"1 scratch folder(s) of killed runs deleted ({size} bytes)" in proc.stdout
    assert not _spools(ws)


ORPHAN = """
import multiprocessing as mp, os, sys, time
from pathlib import Path
from curate.scratch import Scratch

folder = Scratch.create(Path(sys.argv[1]), "curate-reddit").path
child = mp.get_context("fork").Process(target=time.sleep, args=(120,))
child.start()
print(child.pid, folder, flush=True)
os._exit(0)  # gone without cleaning up, as after kill -9; its forked worker lives on
"""


def test_an_orphaned_worker_does_not_keep_a_dead_runs_folder(tmp_path: Path):
    ws = salted_workspace(tmp_path / "ws")
    proc = subprocess.Popen(
        [sys.executable, "-c", ORPHAN, str(ws / "tmp")], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    pid, folder = proc.stdout.readline().split()  # the orphan keeps the pipe open: one line
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()
    try:
        assert Path(folder).is_dir()
        scratch = _stats(ws)
        assert scratch["removed_stale"]["folders"] == 1
        assert not Path(folder).exists()
    finally:
        os.kill(int(pid), signal.SIGKILL)
