"""`curate deid eval`: how good de-identification is, on a labelled synthetic corpus.

A planted identifier is *found* when replaced detections cover every letter and digit
of it (privacy recall: nothing of it is left); *typed* when an overlapping detection
also has the right type. A replaced detection that overlaps no planted
identifier is a false positive. Kept cultural spans (nationality, religion, practices,
subreddits) and public names (`PUBLIC`: King David, Confucius, Tavor ...) that were
replaced are counted apart as over-redaction, per type (`keep`). PERSON recall is also
given per style of name (`person_styles`: lower-case, nickname, initial, clitic ...).

The results of one `curate deid eval` (synthetic, and real and planted when measured) are
stored as the counts of a "deid eval" run in the workspace's run log (`recorded`); the
release card reads the newest with `latest_result`. `eval_results.json` beside the corpus
is the copy for people to read.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.config import Config
from curate.deid.operators import Detection
from curate.synthetic.corpus import ENTITY_TYPES, build_corpus, write_jsonl

if TYPE_CHECKING:
    from curate.store import Store

EVAL_COMMAND = "deid eval"

# Detected types that count as the same kind of identifier as a planted type.
SAME = {"SOCIAL_HANDLE": {"SOCIAL_HANDLE", "URL"}, "URL": {"URL", "SOCIAL_HANDLE"}}


def f_beta(p: float, r: float, beta: float = 2.0) -> float:
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def _covered(text: str, ent, hits: list[Detection]) -> bool:
    """Every letter and digit of the planted identifier was replaced: a part left behind
    ('li23@' + '<URL_1>') can still identify, so it does not count as found."""
    done = {i for d in hits for i in range(d.start, d.end)}
    return all(i in done for i in range(ent.start, ent.end) if text[i].isalnum())


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(docs, detections: list[list[Detection]], replaced: set[str]) -> dict[str, Any]:
    """Per (language, type) and overall: tp, fn, fp, precision, recall, F2."""
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    styles: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    keep: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for doc, dets in zip(docs, detections, strict=True):
        acted = [d for d in dets if d.entity_type in replaced]
        for ent in doc.entities:
            hits = [d for d in acted if _overlaps(d.start, d.end, ent.start, ent.end)]
            c = counts[(doc.language, ent.type)]
            c["gold"] += 1
            found = _covered(doc.text, ent, hits)
            c["found"] += found
            c["typed"] += any(d.entity_type in SAME.get(ent.type, {ent.type}) for d in hits)
            if ent.type == "PERSON" and getattr(ent, "style", None):
                styles[doc.language][ent.style]["gold"] += 1
                styles[doc.language][ent.style]["found"] += found
        for k in doc.keep:
            keep[doc.language][k.type]["spans"] += 1
            keep[doc.language][k.type]["replaced"] += any(
                _overlaps(d.start, d.end, k.start, k.end) for d in acted
            )
        for d in acted:
            ok = any(_overlaps(d.start, d.end, e.start, e.end) for e in doc.entities)
            c = counts[(doc.language, d.entity_type)]
            c["detected"] += 1
            c["fp"] += not ok
            if not ok:
                counts[(doc.language, "_keep_violation")]["n"] += any(
                    _overlaps(d.start, d.end, k.start, k.end) for k in doc.keep
                )
        counts[(doc.language, "_keep")]["n"] += len(doc.keep)

    def summarize(c: Counter) -> dict[str, Any]:
        recall = c["found"] / c["gold"] if c["gold"] else None
        precision = 1 - c["fp"] / c["detected"] if c["detected"] else None
        out = {
            "gold": c["gold"],
            "found": c["found"],
            "typed": c["typed"],
            "detected": c["detected"],
            "false_positives": c["fp"],
            "recall": _r(recall),
            "precision": _r(precision),
        }
        if recall is not None and precision is not None:
            out["f2"] = _r(f_beta(precision, recall))
        return out

    languages = sorted({lang for lang, _ in counts})
    table: dict[str, dict[str, Any]] = {}
    overall: Counter = Counter()
    by_type: dict[str, Counter] = defaultdict(Counter)
    for lang in languages:
        table[lang] = {}
        lang_total: Counter = Counter()
        for etype in ENTITY_TYPES:
            c = counts.get((lang, etype), Counter())
            table[lang][etype] = summarize(c)
            lang_total.update(c)
            by_type[etype].update(c)
        table[lang]["ALL"] = summarize(lang_total)
        table[lang]["ALL"]["kept_spans"] = counts[(lang, "_keep")]["n"]
        table[lang]["ALL"]["kept_spans_replaced"] = counts[(lang, "_keep_violation")]["n"]
        overall.update(lang_total)
    return {
        "by_language": table,
        "by_type": {t: summarize(c) for t, c in by_type.items()},
        "overall": summarize(overall),
        "person_styles": {
            lang: {
                style: {
                    "gold": c["gold"],
                    "found": c["found"],
                    "recall": _r(c["found"] / c["gold"]),
                }
                for style, c in sorted(by_style.items())
            }
            for lang, by_style in sorted(styles.items())
        },
        "keep": {
            lang: {t: dict(c) for t, c in sorted(by_type_keep.items())}
            for lang, by_type_keep in sorted(keep.items())
        },
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def evaluate(
    config: Config,
    per_language: int = 40,
    seed: int = 13,
    out_dir: Path | None = None,
    engine=None,
    hard: bool = True,
) -> dict[str, Any]:
    """Build the corpus (`hard=False`: the template-only one), run the workspace
    policy's analyzer on it, score."""
    import time

    from curate.deid.stage import make_engine

    docs = build_corpus(per_language=per_language, seed=seed, hard=hard)
    engine = engine or make_engine(config)
    start = time.perf_counter()
    detections: list[list[Detection]] = [None] * len(docs)  # type: ignore[list-item]
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        by_lang[doc.language].append(i)
    for lang, idx in by_lang.items():
        found = engine.analyze(
            [docs[i].text for i in idx],
            engine.policy.language_for(lang),
            [docs[i].culture for i in idx],  # a post's culture picks its allowlist section
        )
        for i, dets in zip(idx, found, strict=True):
            detections[i] = dets
    seconds = time.perf_counter() - start
    replaced = {t for t in ENTITY_TYPES if engine.policy.operator(t) != "keep"}
    replaced |= {t for t, op in engine.policy.data["operators"].items() if op != "keep"}
    replaced.discard("default")
    result = score(docs, detections, replaced)
    result["corpus"] = {
        "documents": len(docs),
        "per_language": per_language,
        "seed": seed,
        "hard": hard,
        "seconds": round(seconds, 2),
        "policy": engine.policy.fingerprint,
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_jsonl(docs, out_dir / "eval_corpus.jsonl")
        (out_dir / "eval_results.json").write_text(json.dumps(result, indent=2))
    return result


@contextmanager
def recorded(config: Config, out_dir: Path, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The results of one `curate deid eval`, which the body fills in, logged as the
    counts of a "deid eval" run in the workspace's run log: completed when the body
    returns, failed (with what it had filled in) when it raises.

    Logged when the workspace exists, or when `out_dir` is inside it (the default
    `<workspace>/reports/deid-eval`, which creates it, as writing the results there
    always did). Counts only: a real-text result must come without its `errors`."""
    from curate.store import DB_NAME, Store

    result: dict[str, Any] = {}
    workspace = config.workspace.resolve()
    inside = workspace == out_dir.resolve() or workspace in out_dir.resolve().parents
    if not inside and not (workspace / DB_NAME).is_file():
        yield result
        return
    with Store.open(workspace) as store, store.run(EVAL_COMMAND, args, lambda: result):
        yield result


def run_eval(
    config: Config,
    *,
    out: Path | None = None,
    per_language: int,
    seed: int,
    real: Path | None = None,
    planted_from: Path | None = None,
    planted_per_language: int = 40,
) -> dict[str, Any]:
    """`curate deid eval`: the synthetic corpus, and beside it the hand-labelled real
    phrases (when there are any) and, with `planted_from` (released records), identifiers
    planted into real phrases; logged as a "deid eval" run (`recorded`). Counts only
    leave this function: nothing of the licensed text."""
    from curate.deid.planted import evaluate_planted
    from curate.deid.realtext import evaluate_real, labelled_file
    from curate.deid.stage import make_engine

    out = out or config.workspace / "reports" / "deid-eval"
    engine = make_engine(config)
    args = {"per_language": per_language, "seed": seed, "out": str(out),
            "planted": planted_from is not None}  # fmt: skip
    with recorded(config, out, args) as result:  # the "deid eval" run; counts: the results
        result.update(
            evaluate(config, per_language=per_language, seed=seed, out_dir=out, engine=engine)
        )
        real_path = labelled_file(config, real)
        if real_path is not None:
            real_result = evaluate_real(config, real_path, engine=engine)
            real_result.pop("errors")  # offsets into licensed text: not kept in reports
            result["real"] = real_result
        if planted_from is not None:
            # counts only: nothing of the licensed phrases goes into the report
            result["planted"] = evaluate_planted(
                config, planted_from, per_language=planted_per_language, seed=seed, engine=engine
            )
        if real_path is not None or planted_from is not None:
            (out / "eval_results.json").write_text(json.dumps(result, indent=2))
    return result


def latest_result(store: Store) -> dict[str, Any] | None:
    """The results of the newest completed `curate deid eval` of this workspace (as its
    `eval_results.json` holds them), or None when none completed."""
    run = store.latest_run(EVAL_COMMAND)
    return run["counts"] if run and run["counts"] else None
