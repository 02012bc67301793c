"""Ranking of label issues: which labels of a family a curator should look at first.

Why not the text model alone: on the real CultureCare release with 10 % of the labels
flipped on purpose (`bench/audit_real_noise.py`), ranking by the text model's
out-of-fold confidence put only 27 % flipped intensities, 40 % flipped strategies and
47 % flipped cultural-signal types among the first k flags (k = the number flipped). A
span's phrase alone says little about its intensity; its record says more.

So each example's out-of-fold text probabilities are combined with what its record and
culture say, by a second, small model (multinomial logistic regression, itself
out-of-fold, folds grouped by record, so no label grades itself):

- the text model's log-probabilities;
- **record mates**: the labels of the record's *other* examples of the same family (the
  share of each label, and how many there are); the example's own label is never among
  them. A flipped span disagrees with its record-mates: the intensities a post's
  annotator gave its spans go together;
- the culture (one-hot): label habits differ per culture and annotator pool;
- the text's **surface cues** (`surface_features`: length, '?', '!', shares of first and
  second person, modal, negation words, an imperative first word). Harness over the
  bench's flips, seeds 0-2, p@k without -> with them: strategy 0.41 -> 0.46 (every seed
  up), cultural-signal type 0.47 -> 0.50, empathy 0.36 -> 0.39, intensity 0.36 -> 0.36.
  Tried and dropped: VADER valence scores (the vaderSentiment lexicon) and wordfreq Zipf
  frequencies, in this model or in the text model: not better for intensity either.

- with `features="wordllama"` (`curate.audit.run`, the default), the **embedding
  models' out-of-fold log-probabilities** (`curate.audit.embed.embedding_log_probs`): a
  logistic regression on the phrase's WordLlama vector (packaged token embeddings,
  averaged) and one on the mean vector of the record's other phrases. Bench, seeds 0-2,
  p@k tfidf -> wordllama: intensity 0.368 -> 0.395 (every seed up), type 0.489 -> 0.507,
  strategy 0.452 -> 0.455, empathy 0.421 -> 0.405 (one flag = 0.024). Tried and not
  better (same harness; intensity / type / strategy / empathy): the embedding model as
  the text model instead of TF-IDF 0.386 / 0.482 / 0.426 / 0.405; the raw 256-d vector
  as combining-model input 0.391 / 0.500 / 0.455 / 0.413; kNN label shares among the 10
  nearest phrases of other records 0.380 / 0.496 / 0.462 / 0.421 (25: 0.366 / 0.498 /
  0.458 / 0.429); the phrase model alone 0.391 / 0.509 / 0.446 / 0.413; one model on
  phrase and context vectors together 0.386 / 0.502 / 0.455 / 0.429; on top of the kept
  two: the kNN shares 0.397 / 0.507 / 0.458 / 0.413, a third model on the record's
  same-family phrases only 0.388 / 0.509 / 0.452 / 0.413, STACK_C 0.3 0.395 / 0.493 /
  0.442 / 0.429.

The combined probabilities rank the flags (self-confidence: `p_given`, the probability
of the given label, lowest first), and cleanlab's `find_label_issues` on them decides
which examples are flagged at all. Two more signals then join, where they exist:

- **annotator disagreement** (CROWDLAB, Label Studio annotators overlapping): when the
  example's annotator dissents from a consensus, the score becomes the geometric mean of
  `p_given` and the share of the item's votes that back the given label;
- **near duplicates labelled differently** (Datalab): the partner record and its label go
  into `detail` (they are flagged as their own kind too).

Measured (seeds 0-2, `bench/audit_real_noise.py --baseline`): p@k intensity 0.27 ->
0.36, cultural-signal type 0.47 -> 0.50, strategy 0.40 -> 0.46, empathy 0.25 -> 0.39;
with the embeddings (re-measured on a rebuilt workspace, tfidf -> wordllama:) 0.37 ->
0.40, 0.49 -> 0.51, 0.45 -> 0.46, 0.42 -> 0.41 (docs/audit.md "Measured"; the targets
0.4 / 0.6 / 0.6 are not reached: the models are right on about half of the unflipped
labels, so as many clean labels score as low as the flipped ones). Tried and dropped, not
better: other C values, balanced class weights, 10 folds, character- or word-only
models, cleanlab's normalized_margin and confidence_weighted_entropy, an expected-distance
score for the ordinal intensity, the record's labels of the other families as features,
and ranking by the posterior under cleanlab's estimated noise matrix (worse; and as a
"probability the label is wrong" it is not calibrated on real data: 0.7-0.9 on average
among the top k flags, of which 0.4-0.5 were flipped, as it takes the model's
disagreement with ambiguous real labels for noise).

`detail` of a label issue: `p_given`, `p_suggested` (the combined model's probabilities
of the given and the suggested label), `p_given_text` (the text model's alone),
`record_mates` (label -> count of the record's other labels of the family), and, when
present, `near_duplicate` (partner record, its label, distance) and `consensus` (the
CROWDLAB consensus and the votes). Ids, labels and numbers only.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.audit.labelnoise import Example

MIN_STACK = 30  # fewer examples (or records) than this: the text model's probabilities alone
STACK_C = 0.1  # regularisation of the combining model (measured: 0.03-1 about equal)


# Tiny generic English cue lists for `surface_features` (dictionary words, not the data's).
_WORD = re.compile(r"[\w']+", re.UNICODE)
_FIRST = frozenset({"i", "me", "my", "mine", "myself", "im", "i'm"})
_FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
_SECOND = frozenset({"you", "your", "yours", "yourself", "u", "ur"})
_MODAL = frozenset(
    {"should", "could", "would", "might", "may", "can", "try", "maybe", "perhaps", "consider"}
)
_NEGATION = frozenset(
    {"not", "no", "never", "nothing", "don't", "dont", "can't", "cant", "won't", "nobody"}
)
_IMPERATIVE = frozenset({"try", "let", "don't", "dont", "be", "take"})


@dataclass
class Ranked:
    """A flagged example: `index` into the examples, `score` (lower is worse), `detail`."""

    index: int
    score: float
    suggested: str
    detail: dict[str, Any] = field(default_factory=dict)


def record_mates(examples: Sequence[Example], classes: Sequence[str]) -> np.ndarray:
    """Per example, the count of each class among the *other* examples of its record
    (shape (n, len(classes))): its own label is never counted."""
    index = {c: i for i, c in enumerate(classes)}
    per_record: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(classes)))
    for e in examples:
        per_record[e.record_id][index[e.label]] += 1
    mates = np.array([per_record[e.record_id] for e in examples], dtype=float)
    if len(examples):
        mates[np.arange(len(examples)), [index[e.label] for e in examples]] -= 1
    return mates


def surface_features(texts: Sequence[str]) -> np.ndarray:
    """Per text, cues a TF-IDF text model weighs poorly, standardised over `texts`: length
    (words, characters), a question mark, an exclamation mark, the shares of first person
    singular and plural, second person, modal/suggestion and negation words, and an
    imperative first word. Why: the strategies (questions, self-disclosure, suggestions)
    and cultural-signal types differ in these; measured in the module's docstring."""
    rows = []
    for text in texts:
        words = [w.lower() for w in _WORD.findall(text)]
        n = max(len(words), 1)
        rows.append(
            [
                np.log1p(len(words)),
                np.log1p(len(text)),
                "?" in text,
                "!" in text,
                sum(w in _FIRST for w in words) / n,
                sum(w in _FIRST_PLURAL for w in words) / n,
                sum(w in _SECOND for w in words) / n,
                sum(w in _MODAL for w in words) / n,
                sum(w in _NEGATION for w in words) / n,
                bool(words) and words[0] in _IMPERATIVE,
            ]
        )
    x = np.array(rows, dtype=float).reshape(len(rows), 10)
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def context_features(
    examples: Sequence[Example],
    classes: Sequence[str],
    text_probs: np.ndarray,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """The combining model's inputs: text log-probabilities, record-mate label shares and
    count, culture one-hot, the text's surface cues (`surface_features`), and `extra`
    columns when given (the embedding models' log-probabilities, `curate.audit.embed`)."""
    mates = record_mates(examples, classes)
    n = mates.sum(axis=1, keepdims=True)
    cultures = sorted({e.culture or "" for e in examples})
    culture = np.array([[(e.culture or "") == c for c in cultures] for e in examples], float)
    return np.hstack(
        [
            np.log(np.clip(text_probs, 1e-4, 1.0)),
            mates / np.maximum(n, 1),
            np.log1p(n),
            (n == 0).astype(float),
            culture,
            surface_features([e.text for e in examples]),
            *([] if extra is None else [np.asarray(extra, dtype=float)]),
        ]
    )


def context_probs(
    examples: Sequence[Example],
    classes: Sequence[str],
    text_probs: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold class probabilities from the text probabilities plus the record and
    culture context (see the module) and `extra` inputs (`context_features`); the text
    probabilities as they are when there is too little to learn the combination from.
    Rows the text model left uniform (a class seen once) stay uniform."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[e.label] for e in examples], dtype=int)
    groups = [e.record_id for e in examples]
    counts = np.bincount(y, minlength=len(classes))
    n_folds = min(folds, int(counts[counts > 0].min()) if len(y) else 0, len(set(groups)))
    if len(y) < MIN_STACK or len(set(groups)) < MIN_STACK or n_folds < 2:
        return text_probs
    x = context_features(examples, classes, text_probs, extra)
    out = np.array(text_probs, dtype=float, copy=True)
    cv = StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small classes, convergence on tiny folds
        for train, test in cv.split(x, y, groups):
            if len(np.unique(y[train])) < 2:
                continue
            model = LogisticRegression(C=STACK_C, max_iter=3000).fit(x[train], y[train])
            fold = np.zeros((len(test), len(classes)))
            fold[:, model.classes_] = model.predict_proba(x[test])
            unseen = ~np.isin(y[test], model.classes_)
            fold[unseen] = text_probs[test][unseen]
            out[test] = fold
    uniform = np.all(np.isclose(text_probs, 1.0 / len(classes)), axis=1)
    out[uniform] = text_probs[uniform]
    return out


def rank_label_issues(
    examples: Sequence[Example],
    classes: Sequence[str],
    text_probs: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    extra: np.ndarray | None = None,
) -> list[Ranked]:
    """The label issues of one family, worst first, with their `detail` (see the module);
    `extra`: more inputs of the combining model (`context_features`)."""
    from curate.audit.labelnoise import find_issues

    if not examples:
        return []
    probs = context_probs(examples, classes, text_probs, folds, seed, extra)
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[e.label] for e in examples], dtype=int)
    rows = np.arange(len(y))
    mates = record_mates(examples, classes)
    out = []
    for f in find_issues(examples, classes, pred_probs=probs):
        i = f.index
        s = int(probs[i].argmax())
        detail = {
            "p_given": round(float(probs[i, y[i]]), 4),
            "p_suggested": round(float(probs[i, s]), 4),
            "p_given_text": round(float(text_probs[i, y[i]]), 4),
            "record_mates": {classes[c]: int(n) for c, n in enumerate(mates[i]) if n},
        }
        out.append(Ranked(i, float(probs[rows[i], y[i]]), classes[s], detail))
    out.sort(key=lambda r: r.score)
    return out


def join_signals(label_flags: list, other_flags: list) -> None:
    """Add to each label-issue flag (in place) the near duplicate and the CROWDLAB
    consensus filed on the same example, and let a dissent from the other annotators
    lower its score (geometric mean of `p_given` and the votes' support of the label)."""
    key = lambda f: (f.record_id, f.span_index, f.annotator)  # noqa: E731
    dups = {key(f): f for f in other_flags if f.kind == "near_duplicate"}
    consensus = {key(f): f for f in other_flags if f.kind == "consensus"}
    for f in label_flags:
        dup = dups.get(key(f))
        if dup is not None:
            f.detail["near_duplicate"] = {
                "partner": dup.detail.get("partner"),
                "partner_label": dup.detail.get("partner_label"),
                "distance": dup.detail.get("distance"),
            }
        crowd = consensus.get(key(f))
        if crowd is not None and crowd.given == f.given:
            votes = crowd.detail.get("votes") or {}
            support = Counter(votes.values())[f.given] / max(len(votes), 1)
            f.detail["consensus"] = {"label": crowd.suggested, "votes": votes}
            f.score = float(np.sqrt(max(f.score, 0.0) * support))
