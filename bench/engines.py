"""Benchmark: `curate ingest` (with de-identification) on each engine, same input.

Usage:  .venv/bin/python bench/engines.py [--posts 1600] [--cores-per-node 16]

Generates (once, cached in bench/.data/) a synthetic Reddit dump from the demo generator
(`curate.demo`: posts in four cultures and five languages with planted personal data,
each with its comments), then runs, each in its own process on a fresh workspace:
  local-1     --engine local --workers 1        (one process)
  local-all   --engine local --workers <cores>  (forked workers on every core)
  ray         --engine ray   --workers <cores>  (a local Ray instance, one actor per core)
  ray-demo    --engine ray on the 56-post demo dump: Ray's fixed start-up cost
and prints posts/s side by side with the ratio to local-1, the peak memory of all the
run's processes together (PSS, so pages shared by forked workers count once), the
phases each engine reports, and the estimate for 10 M posts on N nodes that
docs/scale.md explains.
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

    from curate.demo import generate

    folder = DATA / f"engines-{posts}" / "reddit"
    if (folder / "RC_bench.zst").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rs, rc = [], []
    for k in range(-(-posts // CHUNK)):
        n = min(CHUNK, posts - k * CHUNK)
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
    cctx = zstandard.ZstdCompressor(level=3)
    for name, lines in (("RS_bench.zst", rs), ("RC_bench.zst", rc)):
        (folder / name).write_bytes(cctx.compress(("\n".join(lines) + "\n").encode()))
    return folder


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


def run(label: str, dump: Path, args: list[str], env: dict[str, str]) -> dict:
    """One `curate ingest` in a fresh workspace: wall time, peak PSS of its process tree
    (sampled every 0.25 s), and the JSON report."""
    with tempfile.TemporaryDirectory(dir=DATA) as ws:
        cmd = [sys.executable, "-m", "curate.cli", "-w", ws, "ingest", str(dump)]
        cmd += ["--json", "--no-progress", *args]
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
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
        "deidentified": report["deid"]["records"],
        "seconds": round(seconds, 1),
        "posts_per_s": round(records / seconds, 1),
        "peak_pss_MiB": round(peak[0] / 2**20),
        "phases": report["engine"]["seconds"],
    }


def estimate(rows: dict[str, dict], cores_per_node: int, posts: float = 10e6) -> list[dict]:
    """Hours for `posts` on N nodes: driver read + cluster steps + driver load (the
    three run one after the other), from this machine's measured rates."""
    one, ray, demo = rows["local-1"], rows["ray"], rows["ray-demo"]
    per_core = one["records"] / (one["phases"]["ingest"] + one["phases"]["deid"])
    read = ray["records"] / ray["phases"]["read"]
    load = ray["records"] / max(ray["phases"]["load"], 1e-9)
    fixed = demo["phases"]["ray_start"] + demo["phases"]["process"]
    out = []
    for nodes in (1, 4, 16, 64):
        actors = nodes * cores_per_node - 1  # one CPU stays with Ray Data's read/write tasks
        hours = (posts / read + posts / (per_core * actors) + posts / load + fixed) / 3600
        out.append({"nodes": nodes, "actors": actors, "hours": round(hours, 2)})
    return [{"per_core": per_core, "read": read, "load": load, "fixed_s": fixed}, *out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1600)
    parser.add_argument("--cores-per-node", type=int, default=16)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    dump = corpus(args.posts)
    cores = len(os.sched_getaffinity(0))
    env = {**os.environ, "CURATE_CACHE": str(DATA / "cache")}
    env.pop("CURATE_WORKSPACE", None)
    # the name gazetteer is derived once (~40 s) and cached: not part of any timing
    warm = "from pathlib import Path; from curate.config import load_config; "
    warm += "from curate.deid.stage import make_engine; "
    warm += f"make_engine(load_config(None, Path({str(DATA / 'warm')!r})))"
    subprocess.run([sys.executable, "-c", warm], env=env, check=True, cwd=REPO)
    rows = {}
    for label, dump_, extra in (
        ("local-1", dump, ["--engine", "local", "--workers", "1"]),
        ("local-all", dump, ["--engine", "local", "--workers", str(cores)]),
        ("ray", dump, ["--engine", "ray", "--workers", str(cores)]),
        ("ray-demo", REPO / "demo" / "reddit", ["--engine", "ray", "--workers", str(cores)]),
    ):
        print(f"running {label} ...", file=sys.stderr)
        rows[label] = run(label, dump_, extra, env)
    base = rows["local-1"]["posts_per_s"]
    keys = ["engine", "workers", "records", "seconds", "posts_per_s", "ratio", "peak_pss_MiB"]
    print(" | ".join(keys))
    for row in rows.values():
        row["ratio"] = round(row["posts_per_s"] / base, 2)
        print(" | ".join(str(row[k]) for k in keys))
    print()
    for row in rows.values():
        print(f"{row['engine']}: phases (s) {row['phases']}")
    rates, *plan = estimate(rows, args.cores_per_node)
    print()
    print(
        f"rates: {rates['per_core']:.1f} posts/s per core (local-1), driver read "
        f"{rates['read']:.0f} posts/s, driver load {rates['load']:.0f} posts/s, "
        f"Ray fixed start-up {rates['fixed_s']:.0f} s"
    )
    for row in plan:
        print(
            f"10 M posts on {row['nodes']} node(s) x {args.cores_per_node} cores "
            f"({row['actors']} actors): {row['hours']} h"
        )
    print(json.dumps({"rows": list(rows.values()), "rates": rates, "estimate": plan}))


if __name__ == "__main__":
    main()
