"""Benchmark: `curate ingest` (with de-identification) on each engine, same input.

Usage:  .venv/bin/python bench/engines.py [--posts 1600] [--cores-per-node 16]
                                         [--checkout PATH]

Generates (once, cached in bench/.data/) a synthetic Reddit dump from the demo generator
(`curate.synthetic.dump`: posts in four cultures and five languages with planted personal data,
each with its comments), as monthly dumps come: a submissions and a comments file per
800 posts. Then runs, each in its own process on a fresh workspace:
  read-1      --no-deid --workers 1             (reading + language id, one process)
  read-all    --no-deid --workers <cores>       (files scanned and language id in workers)
  local-1     --engine local --workers 1        (one process)
  local-all   --engine local --workers <cores>  (forked workers on every core)
  ray         --engine ray   --workers <cores>  (a local Ray instance, one actor per core)
  ray-demo    --engine ray on the 56-post demo dump: Ray's fixed start-up cost
and prints posts/s side by side with the ratio to the one-process run, the peak memory
of all the run's processes together (PSS, so pages shared by forked workers count
once), the phases each engine reports, the rates of the two reading steps (scanning a
file, a task per file; pairing, in one place), and the estimate for 10 M posts on N
nodes that docs/scale.md explains. `--checkout PATH` runs another checkout's curate on the
same corpus (a side-by-side comparison with the commit before a change).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data"
CHUNK = 800  # the demo generator runs out of distinct texts well beyond this


def corpus(posts: int) -> Path:
    """A dump of `posts` submissions (+ comments): demo corpora of CHUNK posts with
    different seeds, their ids prefixed so that every post is its own record."""
    import zstandard

    from curate.synthetic.dump import generate

    folder = DATA / f"engines-{posts}-monthly" / "reddit"
    if (folder / ".done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    cctx = zstandard.ZstdCompressor(level=3)
    for k in range(-(-posts // CHUNK)):
        n = min(CHUNK, posts - k * CHUNK)
        rs: list[str] = []
        rc: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            paths = generate(Path(tmp), n_posts=max(n, 17), seed=100 + k)
            for key, out in (("submissions", rs), ("comments", rc)):
                raw = zstandard.ZstdDecompressor().decompress(paths[key].read_bytes())
                for line in raw.decode("utf-8").splitlines():
                    obj = json.loads(line)
                    for field in ("id", "link_id", "parent_id", "name"):
                        if isinstance(obj.get(field), str):
                            head, sep, tail = obj[field].rpartition("_")
                            obj[field] = f"{head}{sep}b{k}{tail}"
                    out.append(json.dumps(obj, ensure_ascii=False))
        for name, lines in ((f"RS_bench_{k:02d}.zst", rs), (f"RC_bench_{k:02d}.zst", rc)):
            (folder / name).write_bytes(cctx.compress(("\n".join(lines) + "\n").encode()))
    (folder / ".done").touch()
    return folder


def read_rates(dump: Path) -> dict[str, float]:
    """Records per second of the two reading steps in this process: scanning the files
    (one task per file, so per core) and pairing posts with responses (one place)."""
    from curate.config import load_config
    from curate.ingest import expand_paths
    from curate.sources import reddit

    config = load_config(None, DATA / "warm")
    policy = reddit.RedditPolicy.from_config(config.section("reddit"), 20_000)
    paths = expand_paths([dump])
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        jobs = [reddit.ScanJob(p, Path(tmp) / str(i), policy, b"s" * 32, 1 << 20)
                for i, p in enumerate(paths)]  # fmt: skip
        start = time.perf_counter()
        scans = [reddit.scan_file(job) for job in jobs]
        scanned = time.perf_counter() - start
        start = time.perf_counter()
        records = sum(1 for item in reddit.pair(scans, policy, Path(tmp)) if hasattr(item, "raw"))
        paired = time.perf_counter() - start
    return {"records": records, "scan": records / scanned, "pair": records / paired}


def _pss_tree(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_full_info().pss
    return total


def run(
    label: str, dump: Path, args: list[str], env: dict[str, str], checkout: Path = REPO
) -> dict:
    """One `curate ingest` in a fresh workspace: wall time, peak PSS of its process tree
    (sampled every 0.25 s), and the JSON report."""
    with tempfile.TemporaryDirectory(dir=DATA) as ws:
        cmd = [sys.executable, "-m", "curate.cli", "-w", ws, "ingest", str(dump)]
        cmd += ["--json", "--no-progress", *args]
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _pss_tree(proc.pid))
                done.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, err = proc.communicate()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{label} exited {proc.returncode}: {err.decode()[-2000:]}")
    report = json.loads(out)
    records = report["total"]["kept"] + report["total"]["duplicate"]
    return {
        "engine": label,
        "workers": report["engine"]["workers"],
        "records": records,
        "deidentified": (report["deid"] or {}).get("records", 0),
        "seconds": round(seconds, 1),
        "posts_per_s": round(records / seconds, 1),
        "peak_pss_MiB": round(peak[0] / 2**20),
        "phases": report["engine"]["seconds"],
    }


def estimate(
    rows: dict[str, dict], rates: dict[str, float], cores_per_node: int, posts: float = 10e6
) -> list[dict]:
    """Hours for `posts` on N nodes, from this machine's measured rates. The phases run
    one after the other: scanning the files (a task per file, every core of the cluster,
    given at least as many files as cores), pairing on the driver, the steps in the
    actors, loading on the driver."""
    one, ray, demo = rows["local-1"], rows["ray"], rows["ray-demo"]
    per_core = one["records"] / (one["phases"]["ingest"] + one["phases"].get("deid", 0.0))
    # What the driver does besides pairing while it reads: writing the input shards.
    phases = ray["phases"]
    shards = ray["records"] / max(phases["read"] - phases["scan"], 1e-9)
    # Storing the results: `load` before the one store writer, `write` since (the results
    # read back in order and written as they come).
    load = ray["records"] / max(phases.get("write", phases.get("load", 0.0)), 1e-9)
    fixed = demo["phases"]["ray_start"] + demo["phases"]["process"]
    out = []
    for nodes in (1, 4, 16, 64):
        cores = nodes * cores_per_node
        actors = cores - 1  # one CPU stays with Ray Data's read/write tasks
        seconds = {
            "scan": posts / (rates["scan"] * cores),
            "pair": posts / shards,
            "steps": posts / (per_core * actors),
            "load": posts / load,
        }
        hours = (sum(seconds.values()) + fixed) / 3600
        out.append({"nodes": nodes, "actors": actors, "hours": round(hours, 2),
                    **{k: round(v / 3600, 2) for k, v in seconds.items()}})  # fmt: skip
    return [{"per_core": per_core, **rates, "driver_read": shards, "load": load,
             "fixed_s": fixed}, *out]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1600)
    parser.add_argument("--cores-per-node", type=int, default=16)
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="measure this checkout's curate (default: this one); the corpus stays the same",
    )
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    DATA.mkdir(exist_ok=True)
    dump = corpus(args.posts)
    print(f"curate of {checkout}", file=sys.stderr)
    cores = len(os.sched_getaffinity(0))
    env = {**os.environ, "CURATE_CACHE": str(DATA / "cache"), "PYTHONPATH": str(checkout)}
    env.pop("CURATE_WORKSPACE", None)
    # the name gazetteer is derived once (~40 s) and cached: not part of any timing
    warm = "from pathlib import Path; from curate.config import load_config; "
    warm += "from curate.deid.stage import make_engine; "
    warm += f"make_engine(load_config(None, Path({str(DATA / 'warm')!r})))"
    subprocess.run([sys.executable, "-c", warm], env=env, check=True, cwd=checkout)
    rows = {}
    for label, dump_, extra in (
        ("read-1", dump, ["--no-deid", "--workers", "1"]),
        ("read-all", dump, ["--no-deid", "--workers", str(cores)]),
        ("local-1", dump, ["--engine", "local", "--workers", "1"]),
        ("local-all", dump, ["--engine", "local", "--workers", str(cores)]),
        ("ray", dump, ["--engine", "ray", "--workers", str(cores)]),
        ("ray-demo", REPO / "demo" / "reddit", ["--engine", "ray", "--workers", str(cores)]),
    ):
        print(f"running {label} ...", file=sys.stderr)
        rows[label] = run(label, dump_, extra, env, checkout)
    keys = ["engine", "workers", "records", "seconds", "posts_per_s", "ratio", "peak_pss_MiB"]
    print(" | ".join(keys))
    for row in rows.values():
        base = rows["read-1" if row["engine"].startswith("read") else "local-1"]
        row["ratio"] = round(row["posts_per_s"] / base["posts_per_s"], 2)
        print(" | ".join(str(row[k]) for k in keys))
    print()
    for row in rows.values():
        print(f"{row['engine']}: phases (s) {row['phases']}")
    rates, *plan = estimate(rows, read_rates(dump), args.cores_per_node)
    print()
    print(
        f"rates: steps {rates['per_core']:.1f} posts/s per core (local-1), scan "
        f"{rates['scan']:.0f} posts/s per core, pairing {rates['pair']:.0f} posts/s, driver "
        f"read (pairing + input shards) {rates['driver_read']:.0f} posts/s, driver load "
        f"{rates['load']:.0f} posts/s, Ray fixed start-up {rates['fixed_s']:.0f} s"
    )
    for row in plan:
        print(
            f"10 M posts on {row['nodes']} node(s) x {args.cores_per_node} cores "
            f"({row['actors']} actors): {row['hours']} h (scan {row['scan']}, driver read "
            f"{row['pair']}, steps {row['steps']}, load {row['load']})"
        )
    print(json.dumps({"rows": list(rows.values()), "rates": rates, "estimate": plan}))


if __name__ == "__main__":
    main()
