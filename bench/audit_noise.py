"""Benchmark: label-noise audit on 10k synthetic support-strategy spans.

Usage:  .venv/bin/python bench/audit_noise.py [--spans 10000] [--noise 0.10] [--seed 0]

Spans over the taxonomy's 8 `emotional_support` strategies, in English and German:
each span is shared filler around one class-specific phrase. A seeded RNG flips
`--noise` of the labels to another strategy; `out_of_fold_probs` + `find_issues` then
flag label issues, and the flags are scored against the injected flips; Datalab
(outliers, near duplicates) runs on the same spans and is timed too.
Targets: recall >= 0.8 at 10% noise, and <= 60 s for 10k spans (all of it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from curate.audit.datalab import family_flags  # noqa: E402
from curate.audit.labelnoise import Example, find_issues, out_of_fold_probs  # noqa: E402
from curate.schema import load_taxonomy  # noqa: E402

# Class-specific wording (English, German) keyed by the taxonomy's strategy names.
CUES: dict[str, list[str]] = {
    "Questions": [
        "what happened after that",
        "how are you feeling now",
        "have you talked to anyone",
        "was ist danach passiert",
        "wie fühlst du dich jetzt",
        "hast du mit jemandem gesprochen",
    ],
    "Restatement or Paraphrasing": [
        "so what you are saying is",
        "it sounds like your boss keeps",
        "if I understand you correctly",
        "du sagst also dass",
        "wenn ich dich richtig verstehe",
        "es klingt so als ob dein Chef",
    ],
    "Reflection of Feelings": [
        "you must feel so lonely",
        "that sounds really frustrating for you",
        "I can hear how hurt you are",
        "du fühlst dich bestimmt sehr einsam",
        "das muss wirklich frustrierend sein",
        "ich höre wie verletzt du bist",
    ],
    "Self-disclosure": [
        "when I went through this myself",
        "I had the same problem last year",
        "my own mother was like that",
        "als ich das selbst erlebt habe",
        "ich hatte letztes Jahr dasselbe Problem",
        "meine eigene Mutter war genauso",
    ],
    "Affirmation and Reassurance": [
        "you are stronger than you think",
        "it will get better I promise",
        "you did the right thing",
        "du bist stärker als du denkst",
        "es wird besser versprochen",
        "du hast das Richtige getan",
    ],
    "Providing Suggestions": [
        "maybe you could try going for a walk",
        "you should consider seeing a therapist",
        "try writing it down every evening",
        "vielleicht könntest du spazieren gehen",
        "du solltest einen Therapeuten aufsuchen",
        "schreib es jeden Abend auf",
    ],
    "Information": [
        "studies show that sleep affects mood",
        "the helpline is open around the clock",
        "this is a common symptom of burnout",
        "Studien zeigen dass Schlaf die Stimmung beeinflusst",
        "die Telefonseelsorge ist rund um die Uhr erreichbar",
        "das ist ein typisches Symptom von Burnout",
    ],
    "Others": [
        "thanks for sharing this",
        "good luck with everything",
        "sending hugs",
        "danke fürs Teilen",
        "viel Glück mit allem",
        "fühl dich gedrückt",
    ],
}
FILLER = [
    "honestly",
    "well",
    "I think",
    "you know",
    "anyway",
    "ehrlich gesagt",
    "naja",
    "ich glaube",
    "weißt du",
    "jedenfalls",
    "",
]


def synthetic(
    n: int, classes: tuple[str, ...], noise: float, seed: int
) -> tuple[list[Example], list[str], set[int]]:
    """n spans with true labels, then `noise` of them flipped: (examples, truth, flipped)."""
    rng = np.random.default_rng(seed)
    truth = [classes[i] for i in rng.integers(0, len(classes), n)]
    texts = [
        " ".join(w for w in (rng.choice(FILLER), rng.choice(CUES[c]), rng.choice(FILLER)) if w)
        for c in truth
    ]
    given, flipped = list(truth), set()
    for i in rng.choice(n, int(noise * n), replace=False):
        given[i] = str(rng.choice([c for c in classes if c != truth[i]]))
        flipped.add(int(i))
    examples = [
        Example(f"s{i}", None, t, lab, None)
        for i, (t, lab) in enumerate(zip(texts, given, strict=True))
    ]
    return examples, truth, flipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--noise", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    family = load_taxonomy().family("emotional_support")
    classes = family.values
    missing = set(classes) - set(CUES)
    if missing:
        raise SystemExit(f"no templates for strategies: {sorted(missing)}")
    examples, truth, flipped = synthetic(args.spans, classes, args.noise, args.seed)

    start = time.perf_counter()
    probs = out_of_fold_probs([e.text for e in examples], [e.label for e in examples], classes)
    t_probs = time.perf_counter() - start
    flags = find_issues(examples, classes, pred_probs=probs)
    seconds = time.perf_counter() - start
    # What `curate audit` also does per family: Datalab outliers and near duplicates on
    # the TF-IDF k-NN graph.
    start_dl = time.perf_counter()
    _, data_counts = family_flags("emotional_support", examples)
    t_datalab = time.perf_counter() - start_dl

    found = {f.index for f in flags}
    hits = found & flipped
    recall = len(hits) / max(len(flipped), 1)
    precision = len(hits) / max(len(found), 1)
    fixed = sum(f.suggested == truth[f.index] for f in flags if f.index in flipped)
    print(f"spans {args.spans}, classes {len(classes)}, injected noise {args.noise:.0%}")
    print(f"flipped {len(flipped)}, flagged {len(found)}, true flags {len(hits)}")
    print(f"recall    {recall:.3f}  (target >= 0.8)  {'OK' if recall >= 0.8 else 'MISSED'}")
    print(f"precision {precision:.3f}")
    print(f"suggested = true label on {fixed}/{len(hits)} true flags")
    print(
        f"datalab   {data_counts.get('outlier', 0)} outliers, "
        f"{data_counts.get('near_duplicate', 0)} inconsistent near duplicates "
        f"({data_counts.get('near_duplicates_consistent', 0)} consistent), {t_datalab:.1f} s"
    )
    total = seconds + t_datalab
    ok = total <= 60
    print(
        f"time      {total:.1f} s (OOF probs {t_probs:.1f} s, cleanlab "
        f"{seconds - t_probs:.1f} s, Datalab {t_datalab:.1f} s)  (target <= 60 s)  "
        f"{'OK' if ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
