"""Benchmark: the audit's label-issue ranking on the real CultureCare release with 10 % of
the labels flipped on purpose.

Usage:  .venv/bin/python bench/audit_real_noise.py [--seeds 0 1 2] [--noise 0.10]
            [--features tfidf|wordllama]   # what the ranking sees (default: the audit's)
            [--baseline-features tfidf|wordllama]   # the same for the --baseline run
            [--family emotional_support ...] [--data ../shared/culturecare] [--json]
            [--baseline PATH]   # another checkout (or its saved --json output), side by side
            [--checkout PATH]   # measure another checkout's curate (what --baseline runs)

The release (`../shared/culturecare`, licensed: never copied into the repository) is
ingested and de-identified once into a cached workspace (`bench/.data/real-noise/ws-schema<N>`).
Per seed, a copy of it gets, in every audited family at once, a seeded `--noise` share of
its labels flipped to another value of the taxonomy (uniformly among the others): span
attributes (intensity, cultural-signal type, strategy) and the records' empathy scores.
Then `curate.audit.run.audit_workspace` runs on the copy (the real pipeline: the
ranking measured is the one users get), and per family, with k = number flipped:

- `p@k`: of the k best-ranked `label_issue` flags of the family, the share that are
  flipped labels (the top of the review queue);
- `r@k`: flipped labels among those k flags / k (equal to p@k unless fewer than k flags);
- `recall`: flipped labels among all the family's label_issue flags / k;
- `flags`: how many label_issue flags the family has.
Targets (issue 16): p@k >= 0.6 for strategies and cultural-signal types, >= 0.4 for
intensity. The real labels have their own errors and ambiguity: a flag on an unflipped
label counts as a miss here though some are real errors.

No text of the data is printed: ids, labels and figures only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import REPO, checkout_arg, checkout_env

sys.path.insert(0, str(checkout_arg()))

import numpy as np

DATA = REPO / "bench" / ".data" / "real-noise"
SHARED = REPO.parent / "shared" / "culturecare"
FAMILIES = ("emotional_distress", "cultural_signal", "emotional_support", "empathy")
_QUIET = ("--no-progress", "--json")
TARGETS = {"emotional_distress": 0.4, "cultural_signal": 0.6, "emotional_support": 0.6}


def cached_workspace(data: Path, cache: Path = DATA) -> Path:
    """The release ingested and de-identified once (`curate ingest`) by the measured
    checkout, reused afterwards. One per workspace schema version: a baseline checkout of
    an older curate cannot open a workspace a newer one has migrated."""
    from curate.store import SCHEMA_VERSION

    ws = cache / f"ws-schema{SCHEMA_VERSION}"
    if (ws / "curate.sqlite").exists():
        return ws
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f"ws-schema{SCHEMA_VERSION}-building"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "curate.cli", "--workspace", str(tmp), "ingest", str(data), *_QUIET],
        check=True,
        stdout=subprocess.DEVNULL,
        env=checkout_env(checkout_arg()),
        cwd=checkout_arg(),  # `-m` puts the working directory first on sys.path
    )
    tmp.rename(ws)
    return ws


def flip_workspace(ws: Path, families: list[str], noise: float, seed: int) -> dict[str, set]:
    """Flip `noise` of each family's audited labels in place; the flipped keys per family:
    (record id, span index) for span families, (record id, None) for empathy."""
    from curate.audit.labelnoise import audited_records
    from curate.schema import load_taxonomy
    from curate.store import Store

    taxonomy = load_taxonomy()
    flipped: dict[str, set] = {}
    with Store.open(ws, create=False) as store:
        records = audited_records(store)
        by_id = {r.id: r for r in records}
        for n_fam, family in enumerate(families):
            rng = np.random.default_rng([seed, n_fam])
            if family == "empathy":
                values = [str(v) for v in taxonomy.empathy]
                keys = [(r.id, None) for r in records if r.empathy is not None]
            else:
                attribute = taxonomy.family(family).attribute
                values = list(taxonomy.family(family).values)
                keys = [
                    (r.id, i)
                    for r in records
                    for i, s in enumerate(r.spans)
                    if s.label == family and s.text and s.attributes.get(attribute) is not None
                ]
            chosen = rng.choice(len(keys), round(noise * len(keys)), replace=False)
            flipped[family] = set()
            for j in sorted(chosen):
                rid, i = keys[j]
                record = by_id[rid]
                if family == "empathy":
                    old = str(record.empathy)
                    new = str(rng.choice([v for v in values if v != old]))
                    record.empathy = type(record.empathy)(new)
                else:
                    span = record.spans[i]
                    old = span.attributes[attribute]
                    span.attributes[attribute] = str(rng.choice([v for v in values if v != old]))
                flipped[family].add((rid, i))
        store.update_records(records)
        # empathy is read from the ingested revision (not the annotators' consensus)
        empathy = {r.id: r.empathy for r in records}
    if "empathy" in families:
        conn = sqlite3.connect(ws / "curate.sqlite")
        with conn:
            rows = conn.execute(
                "SELECT x.id, x.revision, x.doc FROM records r JOIN revisions x "
                "ON x.id=r.id AND x.revision=r.revision"
            ).fetchall()
            for rid, rev, doc in rows:
                if rid in empathy:
                    d = json.loads(doc)
                    d["empathy"] = empathy[rid]
                    conn.execute(
                        "UPDATE revisions SET doc=? WHERE id=? AND revision=?",
                        (json.dumps(d, ensure_ascii=False), rid, rev),
                    )
        conn.close()
    return flipped


def measure_seed(
    ws: Path, families: list[str], noise: float, seed: int, features: str | None = None
) -> dict[str, dict]:
    """Flip a copy of `ws`, audit it, score each family's label_issue ranking."""
    from curate.audit.run import audit_workspace
    from curate.audit.store import flags
    from curate.schema import load_taxonomy
    from curate.store import Store

    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="real-noise-") as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(ws, copy, ignore=shutil.ignore_patterns("reports", "tmp"))
        flipped = flip_workspace(copy, families, noise, seed)
        start = time.perf_counter()
        with Store.open(copy, create=False) as store:
            kwargs = {"features": features} if features else {}  # older checkouts: none
            report = audit_workspace(
                store, load_taxonomy(), families=families, html=False, **kwargs
            )
            seconds = time.perf_counter() - start
            for family in families:
                found = [
                    (f.record_id, f.span_index)
                    for f in flags(store, report.run_id, family=family, kind="label_issue")
                ]  # rank order
                truth = flipped[family]
                k = len(truth)
                top = found[:k]
                hits_top = sum(key in truth for key in top)
                hits_all = sum(key in truth for key in found)
                out[family] = {
                    "n": report.families[family].get("examples", 0),
                    "k": k,
                    "p@k": hits_top / max(len(top), 1),
                    "r@k": hits_top / max(k, 1),
                    "recall": hits_all / max(k, 1),
                    "flags": len(found),
                    "seconds": seconds,
                }
    return out


def run(
    families: list[str], seeds: list[int], noise: float, data: Path, features: str | None = None
) -> dict:
    ws = cached_workspace(data)
    per_seed = {seed: measure_seed(ws, families, noise, seed, features) for seed in seeds}
    result: dict = {"seeds": seeds, "noise": noise, "features": features, "families": {}}
    for family in families:
        rows = [per_seed[s][family] for s in seeds]
        mean = {m: float(np.mean([r[m] for r in rows])) for m in rows[0]}
        result["families"][family] = {"per_seed": rows, "mean": mean}
    result["seconds_per_audit"] = float(
        np.mean([per_seed[s][families[0]]["seconds"] for s in seeds])
    )
    return result


def _table(result: dict, baseline: dict | None) -> None:
    cols = ["family", "n", "k", "p@k", "r@k", "recall", "flags", "target"]
    if baseline:
        cols += ["base p@k", "base recall", "base flags", "p@k ratio"]
    print(" | ".join(cols))
    for family, fam in result["families"].items():
        m = fam["mean"]
        target = TARGETS.get(family)
        ok = "" if target is None else f">={target} {'OK' if m['p@k'] >= target else 'MISSED'}"
        row = [family, f"{m['n']:.0f}", f"{m['k']:.0f}", f"{m['p@k']:.3f}", f"{m['r@k']:.3f}"]
        row += [f"{m['recall']:.3f}", f"{m['flags']:.0f}", ok]
        if baseline:
            b = baseline["families"][family]["mean"]
            ratio = m["p@k"] / b["p@k"] if b["p@k"] else float("inf")
            row += [f"{b['p@k']:.3f}", f"{b['recall']:.3f}", f"{b['flags']:.0f}", f"{ratio:.2f}"]
        print(" | ".join(row))
    seeds = " ".join(map(str, result["seeds"]))
    print(f"means over seeds {seeds}; noise {result['noise']:.0%} per family; ")
    print(
        "per seed p@k: "
        + "; ".join(
            f"{f} " + " ".join(f"{r['p@k']:.3f}" for r in v["per_seed"])
            for f, v in result["families"].items()
        )
    )
    print(f"audit {result['seconds_per_audit']:.1f} s per seed (all families)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--noise", type=float, default=0.10)
    parser.add_argument("--family", action="append", choices=FAMILIES)
    parser.add_argument("--data", type=Path, default=SHARED)
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument(
        "--baseline", type=Path, help="checkout to measure side by side, or its saved --json"
    )
    parser.add_argument("--checkout", type=Path, help="checkout whose curate is measured")
    parser.add_argument(
        "--features",
        choices=("tfidf", "wordllama"),
        help="what the ranking sees (audit_workspace's `features`; default: the audit's)",
    )
    parser.add_argument(
        "--baseline-features",
        choices=("tfidf", "wordllama"),
        help="the baseline run's --features (e.g. this checkout with tfidf: --baseline .)",
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"no release at {args.data} (the licensed CultureCare files)")
    families = list(args.family or FAMILIES)
    baseline = None
    if args.baseline and args.baseline.suffix == ".json":
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
    elif args.baseline:
        cmd = [sys.executable, __file__, "--json", "--checkout", str(args.baseline.resolve())]
        cmd += ["--seeds", *map(str, args.seeds), "--noise", str(args.noise)]
        cmd += [a for f in families for a in ("--family", f)] + ["--data", str(args.data)]
        cmd += ["--features", args.baseline_features] if args.baseline_features else []
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        baseline = json.loads(proc.stdout)
    result = run(families, args.seeds, args.noise, args.data, args.features)
    if args.json:
        print(json.dumps(result))
        return
    _table(result, baseline)


if __name__ == "__main__":
    main()
