"""Benchmark: `curate hydrate` streaming a large .zst dump vs a bare decode loop.

Usage:  .venv/bin/python bench/hydrate_stream.py [--mb 128] [--mb 1024 ...] [--wanted 200]

For each size it takes the synthetic Pushshift-layout dump of `bench/ingest_zst.py`
(generated once, cached in bench/.data/), picks `--wanted` posts spread over it and
writes a CultureCare-layout reference for them (three phrases from each post, one from
its first comment). Then, each in its own process:
  baseline  a bare `zstandard` stream + `json.loads` loop over every line
  curate    `curate hydrate REFERENCE DUMP --json` into a fresh workspace (one pass,
            byte-level pre-filter, alignment, store, de-identification of the hydrated
            records with the default policy)
and prints lines/s, peak RSS and the ratio. The wanted set is the same size at every
dump size, so equal peak RSS at two sizes shows that memory does not grow with the dump.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import measure, print_rows
from ingest_zst import DATA, baseline

HERE = Path(__file__).resolve().parent


def _reference(dump: Path, lines: int, wanted: int) -> Path:
    """A CultureCare-layout reference for `wanted` posts spread over the dump."""
    import io

    import zstandard

    path = DATA / f"{dump.stem}-reference-{wanted}.jsonl"
    if path.exists():
        return path
    posts = lines // 5  # the generator writes 1 submission : 4 comments
    step = max(1, posts // wanted)
    chosen = {f"b{i:x}" for i in range(0, posts, step)}
    found: dict[str, dict] = {}
    with dump.open("rb") as fh:
        reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(fh)
        for line in io.TextIOWrapper(reader, encoding="utf-8"):
            obj = json.loads(line)
            if obj.get("id") in chosen and "selftext" in obj:  # comment ids may collide
                words = obj["selftext"].split()
                found[obj["id"]] = {
                    "post": [" ".join(words[a : a + 10]) for a in (5, 60, 120)],
                    "response": None,
                }
            link = obj.get("link_id", "")[3:]
            if link in found and found[link]["response"] is None:
                found[link]["response"] = " ".join(obj["body"].split()[10:22])
    with path.open("w", encoding="utf-8") as out:
        for pid, got in sorted(found.items()):
            line = {
                "culture": "German",
                "post_id": pid,
                "post": {
                    "text": f"https://www.reddit.com/comments/{pid}",
                    "emotional_distress": [
                        {"phrase": p, "intensity": "light"} for p in got["post"]
                    ],
                    "cultural_signals": [],
                    "demographic_info": {},
                },
                "response": {
                    "emotional_support": [{"phrase": got["response"], "strategy": "Others"}],
                    "cultural_signals": [],
                    "empathy_score": "3 moderately empathetic",
                },
            }
            out.write(json.dumps(line) + "\n")
    return path


def run(megabytes: int, wanted: int) -> dict:
    dump, lines, base_s, base_rss = baseline(megabytes)
    reference = _reference(dump, lines, wanted)
    with tempfile.TemporaryDirectory(dir=DATA) as ws:
        cmd = [sys.executable, "-m", "curate.cli", "hydrate", str(reference), str(dump),
               "-w", ws, "--json", "--no-progress", "--workers", "1"]  # fmt: skip
        # the name gazetteer is derived once and cached beside the data, not per workspace
        env = {**os.environ, "CURATE_CACHE": str(DATA / "cache")}
        cur_s, cur_rss, out = measure(cmd, env=env, cwd=str(HERE.parent))
    report = json.loads(out)
    spans = report["spans"]["total"]
    return {
        "MB": megabytes,
        "zst_MB": round(dump.stat().st_size / 2**20, 1),
        "lines": lines,
        "wanted": report["items"]["total"]["wanted"],
        "hydrated": report["items"]["total"]["hydrated"],
        "spans_exact": f"{spans['exact']}/{spans['spans']}",
        "baseline_s": round(base_s, 1),
        "curate_s": round(cur_s, 1),
        "baseline_lines_per_s": round(lines / base_s),
        "curate_lines_per_s": round(lines / cur_s),
        "baseline_rss_MiB": round(base_rss),
        "curate_rss_MiB": round(cur_rss),
        "time_ratio": round(cur_s / base_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, action="append", help="uncompressed size (repeat)")
    parser.add_argument("--wanted", type=int, default=200, help="posts in the reference")
    args = parser.parse_args()
    print_rows([run(mb, args.wanted) for mb in (args.mb or [128, 1024])])


if __name__ == "__main__":
    main()
