"""Benchmark: `curate ingest` of a large generated .zst Reddit dump vs a bare loop.

Usage:  .venv/bin/python bench/ingest_zst.py [--mb 1024] [--mb 128 ...]

For each size it generates (once, cached in bench/.data/) a synthetic Pushshift-layout
dump of that many MB of uncompressed NDJSON (1 submission : 4 comments), then runs, side
by side on the same file and each in its own process:
  baseline  a bare `zstandard` stream + `json.loads` loop over every line
  curate    `curate ingest FILE --no-deid` into a fresh workspace (one pass spools items and
            response candidates on disk, then posts are paired, language-identified and
            stored)
and prints lines/s, records stored/s, peak RSS and the curate/baseline time ratio.
Peak RSS at two sizes shows whether memory stays flat as the dump grows.
`--checkout PATH` measures another checkout's curate on the same dump (side by side).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import checkout_env, measure, print_rows

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"

WORDS = (
    "I feel so alone lately and my family does not understand why I am struggling with work "
    "school friends anxious tired overwhelmed hope tomorrow maybe talk someone help because "
    "every day the same thoughts come back night sleep parents expect more"
).split()
CULTURE_SUBS = ["germany", "de", "arabs", "egypt", "china", "taiwan", "judaism", "jewish"]
OTHER_SUBS = ["gardening", "cooking", "gaming", "movies", "cars", "travel", "fitness", "books"]

BASELINE = """
import json, sys, zstandard
n = 0
with open(sys.argv[1], 'rb') as fh:
    reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(fh)
    import io
    for line in io.BufferedReader(reader):
        if line.strip():
            json.loads(line)
            n += 1
print(n)
"""


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" {rng.getrandbits(48):x}."


def generate(path: Path, megabytes: int, seed: int = 1) -> int:
    """Write the dump; return its number of lines."""
    import zstandard

    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    written = lines = 0
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh, zstandard.ZstdCompressor(level=3).stream_writer(fh) as out:
        i = 0
        while written < target:
            pid = f"b{i:x}"
            sub = rng.choice(CULTURE_SUBS) if rng.random() < 0.25 else rng.choice(OTHER_SUBS)
            objs = [
                {
                    "id": pid,
                    "subreddit": sub,
                    "author": f"user{rng.randrange(10**6)}",
                    "title": _text(rng, 8),
                    "selftext": _text(rng, 160),
                    "created_utc": 1600000000 + i,
                    "score": rng.randrange(100),
                    "permalink": f"/r/{sub}/comments/{pid}/x/",
                }
            ]
            for j in range(4):
                objs.append(
                    {
                        "id": f"{pid}c{j}",
                        "link_id": f"t3_{pid}",
                        "parent_id": f"t3_{pid}",
                        "author": f"user{rng.randrange(10**6)}",
                        "body": _text(rng, 60),
                        "score": rng.randrange(50),
                        "created_utc": 1600000100 + i,
                        "subreddit": sub,
                    }
                )
            for obj in objs:
                blob = (json.dumps(obj) + "\n").encode()
                out.write(blob)
                written += len(blob)
                lines += 1
            i += 1
    tmp.rename(path)
    return lines


def baseline(megabytes: int) -> tuple[Path, int, float, float]:
    """The dump of `megabytes` (generated once) and the bare loop over it: (dump, lines,
    seconds, peak RSS in MiB)."""
    DATA.mkdir(exist_ok=True)
    dump = DATA / f"RS_RC_{megabytes}MB.zst"
    if not dump.exists():
        print(f"generating {dump.name} ...", file=sys.stderr)
        generate(dump, megabytes)
    base_s, base_rss, out = measure([sys.executable, "-c", BASELINE, str(dump)])
    return dump, int(out.strip()), base_s, base_rss


def run(megabytes: int, checkout: Path = HERE.parent) -> dict:
    dump, lines, base_s, base_rss = baseline(megabytes)
    with tempfile.TemporaryDirectory(dir=DATA) as ws:
        cmd = [
            sys.executable,
            "-m",
            "curate.cli",
            "-w",
            ws,
            "ingest",
            str(dump),
            "--json",
            "--no-progress",
            "--no-deid",
        ]
        cur_s, cur_rss, out = measure(cmd, env=checkout_env(checkout), cwd=str(checkout))
    report = json.loads(out)
    stored = report["total"]["kept"] + report["total"]["duplicate"]
    return {
        "MB": megabytes,
        "zst_MB": round(dump.stat().st_size / 2**20, 1),
        "lines": lines,
        "records": stored,
        "baseline_s": round(base_s, 1),
        "curate_s": round(cur_s, 1),
        "baseline_lines_per_s": round(lines / base_s),
        "curate_lines_per_s": round(lines / cur_s),
        "curate_records_per_s": round(stored / cur_s),
        "baseline_rss_MiB": round(base_rss),
        "curate_rss_MiB": round(cur_rss),
        "time_ratio": round(cur_s / base_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, action="append", help="uncompressed size (repeat)")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=HERE.parent,
        help="measure this checkout's curate (default: this one); the dump stays the same",
    )
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    print(f"curate of {checkout}", file=sys.stderr)
    print_rows([run(mb, checkout) for mb in (args.mb or [128, 1024])])


if __name__ == "__main__":
    main()
