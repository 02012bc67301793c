"""Label-noise audit: which span labels (and empathy scores) are probably wrong.

Why: span attributes (intensity, cultural-signal type, support strategy) and empathy
scores come from crowd annotators in four cultures, and a few percent of them are slips.
Re-reading everything is too costly, so we rank labels by how much an out-of-fold text
model disagrees with them (confident learning, `cleanlab`) and send only the worst ones
back for review. With several annotators per item, CROWDLAB additionally estimates a
consensus label and how reliable each annotator is.

The text model is deliberately language-agnostic (character n-grams inside word
boundaries plus word uni/bigrams, TF-IDF, logistic regression): the data mixes languages
and scripts and a tokenizer or embedding model per language would be a heavier dependency
than this audit warrants. Probabilities are out-of-fold, so a label never grades itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.schema import Taxonomy
from curate.store import Store


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: a span (label = its attribute value) or a record (empathy)."""

    record_id: str
    culture: str | None
    text: str
    label: str
    annotator: str | None


@dataclass(frozen=True, slots=True)
class Flag:
    """A probable label error: `index` into the audited examples, worst first."""

    index: int
    record_id: str
    annotator: str | None
    text: str
    given: str
    suggested: str
    quality: float


@dataclass
class CrowdResult:
    """CROWDLAB output in plain dicts, plus cleanlab's frames for anyone needing more."""

    consensus: dict[Any, str]
    consensus_quality: dict[Any, float]
    annotator_quality: dict[str, float]
    label_quality: pd.DataFrame
    annotator_stats: pd.DataFrame


def span_examples(store: Store, taxonomy: Taxonomy, family: str) -> list[Example]:
    """One example per span of `family`, labelled with the family's attribute value.

    Spans whose attribute is unset are skipped: there is no label to audit.
    """
    attribute = taxonomy.family(family).attribute
    out: list[Example] = []
    for record in store.iter_records():
        for span in record.spans:
            if span.label != family:
                continue
            value = span.attributes.get(attribute)
            if value is None or not span.text:
                continue
            out.append(Example(record.id, record.culture, span.text, value, span.annotator))
    return out


def empathy_examples(store: Store) -> list[Example]:
    """One example per record with an empathy score; the text is the response.

    Records whose response text is not filled in yet (before de-identification) fall
    back to their response-field span texts, which is the part empathy is judged on.
    """
    out: list[Example] = []
    for record in store.iter_records():
        if record.empathy is None:
            continue
        text = record.response_text or " ".join(
            s.text for s in record.spans if s.field == "response" and s.text
        )
        if not text:
            continue
        out.append(Example(record.id, record.culture, text, str(record.empathy), None))
    return out


def _model(c: float, min_df: int = 2):  # -> sklearn Pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=min_df, sublinear_tf=True),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(max_iter=1000, C=c))


def out_of_fold_probs(
    texts: Sequence[str],
    labels: Sequence[str],
    classes: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    c: float = 4.0,
) -> np.ndarray:
    """Out-of-fold class probabilities, shape (n, len(classes)), columns in `classes` order.

    Small classes: stratified CV needs every class in every fold, so `folds` is lowered to
    the smallest class count among classes with >= 2 examples. Classes with a single
    example cannot be held out and learned at once: their rows are left out of the CV and
    get uniform probabilities (so they are never confidently flagged), and their column is
    0 for all other rows. Classes in `classes` but absent from `labels` also get 0.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    index = {c_: i for i, c_ in enumerate(classes)}
    unknown = sorted({lab for lab in labels if lab not in index})
    if unknown:
        raise ValueError(f"labels not in classes: {unknown}")
    y = np.array([index[lab] for lab in labels], dtype=int)
    k = len(classes)
    probs = np.full((len(y), k), 1.0 / k)
    counts = np.bincount(y, minlength=k)
    keep = counts[y] >= 2
    present = np.flatnonzero(counts >= 2)
    if len(present) < 2:
        return probs  # nothing to contrast: no class can be told from another
    n_folds = int(min(folds, counts[present].min()))
    cv = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    texts_kept = [t for t, k_ in zip(texts, keep, strict=True) if k_]
    # min_df=2 drops one-off character n-grams (typos, names); on a handful of texts it
    # can drop every n-gram of a training fold, so tiny audits keep them all.
    min_df = 2 if len(texts_kept) >= 50 else 1
    oof = cross_val_predict(
        _model(c, min_df), texts_kept, y[keep], cv=cv, method="predict_proba", n_jobs=None
    )
    rows = np.zeros((int(keep.sum()), k))
    rows[:, present] = oof  # cross_val_predict's columns are the sorted labels present
    probs[keep] = rows
    return probs


def find_issues(
    examples: Sequence[Example],
    classes: Sequence[str],
    pred_probs: np.ndarray | None = None,
    folds: int = 5,
    seed: int = 0,
) -> list[Flag]:
    """Probable label errors among `examples`, worst (lowest label quality) first.

    `pred_probs` are the out-of-fold probabilities; computed here when not given. Only
    classes that occur in the labels take part (cleanlab estimates per-class noise rates
    from the given labels, so an absent class has nothing to estimate from).
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    if not examples:
        return []
    labels = [e.label for e in examples]
    if pred_probs is None:
        pred_probs = out_of_fold_probs([e.text for e in examples], labels, classes, folds, seed)
    index = {c_: i for i, c_ in enumerate(classes)}
    used = sorted({index[lab] for lab in labels})
    if len(used) < 2:
        return []
    remap = {full: i for i, full in enumerate(used)}
    y = np.array([remap[index[lab]] for lab in labels], dtype=int)
    sub = pred_probs[:, used]
    totals = sub.sum(axis=1, keepdims=True)
    sub = np.where(totals > 0, sub / np.where(totals > 0, totals, 1), 1.0 / len(used))
    issues = find_label_issues(y, sub, return_indices_ranked_by="self_confidence")
    quality = get_label_quality_scores(y, sub, method="self_confidence")
    suggested = pred_probs.argmax(axis=1)
    flags = [
        Flag(
            index=int(i),
            record_id=examples[i].record_id,
            annotator=examples[i].annotator,
            text=examples[i].text,
            given=examples[i].label,
            suggested=classes[int(suggested[i])],
            quality=float(quality[i]),
        )
        for i in issues
    ]
    flags.sort(key=lambda f: f.quality)
    return flags


def crowdlab(
    items: Mapping[Any, Mapping[str, str]],
    pred_probs_for_items: np.ndarray,
    classes: Sequence[str],
) -> CrowdResult:
    """Consensus label per item and a quality score per annotator (cleanlab CROWDLAB).

    `pred_probs_for_items` rows follow the iteration order of `items` (e.g. out-of-fold
    probabilities trained on majority labels). Why CROWDLAB rather than majority vote:
    it weighs each annotator by estimated reliability and the model, so one careless
    annotator does not swing items, and it says who that annotator is.
    """
    from cleanlab.multiannotator import get_label_quality_multiannotator

    index = {c_: i for i, c_ in enumerate(classes)}
    item_ids = list(items)
    if len(item_ids) != len(pred_probs_for_items):
        raise ValueError("pred_probs_for_items must have one row per item, in items' order")
    annotators = sorted({a for votes in items.values() for a in votes})
    frame = pd.DataFrame(np.nan, index=range(len(item_ids)), columns=annotators)
    for row, item in enumerate(item_ids):
        for annotator, label in items[item].items():
            frame.loc[row, annotator] = index[label]
    result = get_label_quality_multiannotator(
        frame, np.asarray(pred_probs_for_items, dtype=float), verbose=False
    )
    lq: pd.DataFrame = result["label_quality"]
    stats: pd.DataFrame = result["annotator_stats"]
    return CrowdResult(
        consensus={
            item: classes[int(lab)]
            for item, lab in zip(item_ids, lq["consensus_label"], strict=True)
        },
        consensus_quality={
            item: float(q) for item, q in zip(item_ids, lq["consensus_quality_score"], strict=True)
        },
        annotator_quality={str(a): float(q) for a, q in stats["annotator_quality"].items()},
        label_quality=lq,
        annotator_stats=stats,
    )
