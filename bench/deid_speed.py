"""Benchmark: de-identification speed, the project's stage vs a plain Presidio loop.

Usage:  .venv/bin/python bench/deid_speed.py [--posts 400] [--workers 2] [--multilingual]
                                            [--repeat 3] [--checkout PATH]

Both run on the same English Reddit-style posts (~160 words: two documents of the
synthetic labelled corpus joined), with the same spaCy model:
  plain   `AnalyzerEngine(nlp_engine=<spaCy en>).analyze(text, "en")` in a loop, one
          post at a time, Presidio's default recognizers, full spaCy pipeline
  curate  the stage's engine (`curate.deid.engine.run_all`): spaCy with unused
          components removed, `nlp.pipe` batches, all cores in forked workers, plus the
          Reddit/handle/gazetteer recognizers
With --multilingual the posts are in all five languages (en, de, ar, he, zh; the same
number each): the plain loop reads each with its English pipeline (Presidio's default
setup has no other), curate routes each sentence to its language's detectors.
It prints posts/s for each, their ratio, and each one's privacy recall on the planted
identifiers of those posts (all of an identifier's letters and digits replaced), so the
speed-up is not bought with recall. Both run `--repeat` times in turn; the run with the
median ratio is reported, and every run's ratio beside it (the forked workers' share of
two cores varies from run to run on a shared machine). `--checkout PATH` imports that
checkout's curate instead of this one's (a side-by-side run against the commit before).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import checkout_arg  # noqa: E402

CHECKOUT = checkout_arg()  # --checkout: whose curate is imported below (default: this one)
sys.path.insert(0, str(CHECKOUT))

from curate.config import load_config  # noqa: E402
from curate.deid.evaluate import ENTITY_TYPES, score  # noqa: E402
from curate.deid.operators import from_presidio  # noqa: E402
from curate.synthetic.corpus import Entity, EvalDoc, build_corpus  # noqa: E402


def posts(n: int, languages: tuple[str, ...] = ("en",)) -> list[EvalDoc]:
    """n posts of ~160 words (pairs of labelled documents joined), in turn from each of
    `languages`."""
    per = -(-n // len(languages))
    out: list[EvalDoc] = []
    for lang in languages:
        out += _pairs(build_corpus(per_language=2 * per, seed=7, languages=(lang,)), lang)[:per]
    return out[:n]


def _pairs(docs: list[EvalDoc], lang: str) -> list[EvalDoc]:
    out = []
    for a, b in zip(docs[0::2], docs[1::2], strict=False):
        shift = len(a.text) + 2
        text = a.text + "\n\n" + b.text
        ents = a.entities + tuple(
            Entity(e.start + shift, e.end + shift, e.type, e.text) for e in b.entities
        )
        keep = a.keep + tuple(
            Entity(k.start + shift, k.end + shift, k.type, k.text) for k in b.keep
        )
        out.append(EvalDoc(f"{a.id}+{b.id}", lang, text, ents, keep))
    return out


def plain_engine(model: str):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from curate.deid.analyzer import make_tldextract_offline

    make_tldextract_offline()
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--multilingual", action="store_true", help="en, de, ar, he, zh posts")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of both, in turn; the median run is shown"
    )
    parser.add_argument(
        "--checkout", type=Path, default=CHECKOUT, help="measure this checkout's curate"
    )
    args = parser.parse_args()
    print(f"curate of {CHECKOUT}", file=sys.stderr)
    os.environ.setdefault("CURATE_CACHE", str(HERE / ".data" / "cache"))
    languages = ("en", "de", "ar", "he", "zh") if args.multilingual else ("en",)
    data = posts(args.posts, languages)
    words = sum(len(d.text.split()) for d in data) / len(data)

    from curate.deid.engine import DeidInput, run_all
    from curate.deid.stage import make_engine

    with tempfile.TemporaryDirectory() as ws:
        config = load_config(None, Path(ws))
        engine = make_engine(config)
        model = engine.policy.data["nlp"]["models"]["en"]
        plain = plain_engine(model)
        for doc in data[:: max(1, len(data) // len(languages))]:  # warm up both
            plain.analyze(doc.text, language="en")
        engine.warm()  # every language's models, as the stage loads them before forking

        inputs = [DeidInput(d.id, d.language, None, {"text": d.text}) for d in data]
        runs: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            # side by side, in turn: a slow spell of the machine hits both
            start = time.perf_counter()
            plain_results = [plain.analyze(d.text, language="en") for d in data]
            plain_s = time.perf_counter() - start
            start = time.perf_counter()
            outputs = [o for chunk in run_all(engine, inputs, workers=args.workers) for o in chunk]
            runs.append((plain_s, time.perf_counter() - start))
        ratios = sorted(p / c for p, c in runs)
        plain_s, curate_s = sorted(runs, key=lambda r: r[0] / r[1])[len(runs) // 2]

    replaced = set(ENTITY_TYPES) | {"PERSON"}
    plain_dets = [
        [d for d in from_presidio(r) if d.score >= 0.4 and d.entity_type in replaced]
        for r in plain_results
    ]
    from curate.deid.operators import Detection

    curate_dets = [
        [Detection(x.start, x.end, x.entity_type, x.score, x.recognizer) for x in o.decisions]
        for o in outputs
    ]
    plain_score = score(data, plain_dets, replaced)["overall"]
    curate_score = score(data, curate_dets, replaced | {"SOCIAL_HANDLE", "REDDIT_USERNAME"})
    row = {
        "posts": len(data),
        "avg_words": round(words),
        "workers": args.workers,
        "plain_posts_per_s": round(len(data) / plain_s, 1),
        "curate_posts_per_s": round(len(data) / curate_s, 1),
        "speedup": round(plain_s / curate_s, 2),  # the median run's
        "speedup_runs": [round(r, 2) for r in ratios],
        "plain_recall": plain_score["recall"],
        "curate_recall": curate_score["overall"]["recall"],
        "plain_precision": plain_score["precision"],
        "curate_precision": curate_score["overall"]["precision"],
        # the models load in the parent; workers are forked from it (copy-on-write)
        "peak_rss_parent_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_worker_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "languages": ",".join(languages),
    }
    print(" | ".join(row))
    print(" | ".join(str(v) for v in row.values()))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
