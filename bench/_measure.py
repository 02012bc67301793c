"""Run a command and report its wall time and peak RSS (from the kernel, via wait4)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def checkout_arg(argv: list[str] | None = None) -> Path:
    """The `--checkout PATH` of the command line (default: this repository), read before
    argparse so that a benchmark can put it first on sys.path before importing `curate`.

    Why: the benchmarks measure the `curate` of the checkout they live in; for a side by
    side run (the commit before a refactor against the one after) each is pointed at the
    other checkout's code while the inputs (cached in this checkout's bench/.data/) stay
    the same."""
    argv = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(argv):
        if arg == "--checkout" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--checkout="):
            return Path(arg.split("=", 1)[1]).resolve()
    return REPO


def checkout_env(checkout: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `curate` subprocess that runs `checkout`'s code."""
    return {**(os.environ if env is None else env), "PYTHONPATH": str(checkout)}


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None):
    """Return (seconds, peak RSS in MiB, stdout) of `cmd`; raise if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage, not the max over all children so far.
    out_chunks = []
    while True:
        chunk = proc.stdout.read(65536)
        if not chunk:
            break
        out_chunks.append(chunk)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]}... exited {proc.returncode}: {err.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, b"".join(out_chunks).decode()


def print_rows(rows: list[dict]) -> None:
    """Rows side by side (`a | b | c`), then the same as one JSON line for scripts."""
    import json

    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    print(json.dumps(rows))
