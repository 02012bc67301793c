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
than this audit warrants. (One set of static token embeddings, Llama-2 vocabulary,
shipped in its wheel, joins later, in the ranking: `curate.audit.embed`, `rank`.)
Probabilities are out-of-fold, so a label never grades itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from curate.records import ADJUDICATED, Record
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
    span: int | None = None  # index into the record's spans (span families)
    region: tuple[str, int, int] | None = None  # (field, start, end) when aligned


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
    # (item, annotator) -> quality of that annotator's label on that item
    detailed_quality: dict[tuple[Any, str], float] = field(default_factory=dict)


def audited_records(store: Store) -> list[Record]:
    """The records an audit may look at: de-identified and not duplicates.

    Why not every record: span phrases of records still awaiting de-identification are
    raw text, and the audit's reports (CSV, HTML, Label Studio) must never carry raw text.
    """
    return list(store.iter_records(deidentified=True))


def span_examples(
    store: Store, taxonomy: Taxonomy, family: str, records: Sequence[Record] | None = None
) -> list[Example]:
    """One example per span of `family`, labelled with the family's attribute value.

    Spans whose attribute is unset are skipped: there is no label to audit. Every
    annotator's span is its own example (pulled spans carry their annotator).
    """
    attribute = taxonomy.family(family).attribute
    out: list[Example] = []
    for record in audited_records(store) if records is None else records:
        for i, span in enumerate(record.spans):
            if span.label != family:
                continue
            value = span.attributes.get(attribute)
            if value is None or not span.text:
                continue
            region = (
                (span.field, span.start, span.end)
                if span.start is not None and span.end is not None
                else None
            )
            out.append(
                Example(record.id, record.culture, span.text, value, span.annotator, i, region)
            )
    return out


def empathy_examples(store: Store, records: Sequence[Record] | None = None) -> list[Example]:
    """One example per empathy score: the record's own (e.g. the release's) and each
    annotator's newest pulled score, or only a reviewer's adjudicated score where there is
    one. The text is the response.

    Records whose response text is empty fall back to their response-field span texts,
    which is the part empathy is judged on (the CultureCare release has phrases only).
    """
    from curate.annotate.pull import ingested_labels
    from curate.annotate.tables import latest_adjudication, latest_annotations

    out: list[Example] = []
    for record in audited_records(store) if records is None else records:
        text = record.response_text or " ".join(
            s.text for s in record.spans if s.field == "response" and s.text
        )
        if not text:
            continue
        decided = latest_adjudication(store, record.id)
        if decided is not None and decided.get("empathy") is not None:
            # a reviewer's decision wins over the release's and the annotators' scores
            out.append(
                Example(record.id, record.culture, text, str(decided["empathy"]), ADJUDICATED)
            )
            continue
        own = ingested_labels(store, record.id)["empathy"]  # not the annotators' consensus
        if own is not None:
            out.append(Example(record.id, record.culture, text, str(own), None))
        for annotator, ann in sorted(latest_annotations(store, record.id).items()):
            if ann.get("empathy") is not None:
                out.append(Example(record.id, record.culture, text, str(ann["empathy"]), annotator))
    return out


def ngram_features(char_min_df: int = 1):  # -> sklearn FeatureUnion, unfitted
    """The audit's text features: TF-IDF (sublinear) of character 2-5-grams inside word
    boundaries (those seen in fewer than `char_min_df` texts dropped) + word 1-2-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    return make_union(
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=char_min_df, sublinear_tf=True
        ),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True),
    )


def _model(c: float, min_df: int = 2):  # -> sklearn Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(ngram_features(min_df), LogisticRegression(max_iter=1000, C=c))


def out_of_fold_probs(
    texts: Sequence[str],
    labels: Sequence[str],
    classes: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    c: float = 4.0,
    groups: Sequence[str] | None = None,
    vectors: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold class probabilities, shape (n, len(classes)), columns in `classes` order.

    The model is TF-IDF n-grams of `texts` + logistic regression (`C=c`); with `vectors`
    (one dense row per text, e.g. `curate.audit.embed.embed`) it is a logistic regression
    on those rows instead (`texts` then only count), with the same folds and rules below.

    Small classes: stratified CV needs every class in every fold, so `folds` is lowered to
    the smallest class count among classes with >= 2 examples. Classes with a single
    example cannot be held out and learned at once: their rows are left out of the CV and
    get uniform probabilities (so they are never confidently flagged), and their column is
    0 for all other rows. Classes in `classes` but absent from `labels` also get 0.

    `groups` (e.g. record ids) keeps each group in one fold. Why: several annotators mark
    the same phrase of a record; were one annotator's copy in the training fold, the model
    would have seen the very text with a label when grading the other's, and CROWDLAB
    needs the probabilities of an item to come from a model that saw none of its labels.
    """
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

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
    texts_kept = [t for t, k_ in zip(texts, keep, strict=True) if k_]
    groups_kept = (
        [g for g, k_ in zip(groups, keep, strict=True) if k_] if groups is not None else None
    )
    n_groups = len(set(groups_kept)) if groups_kept is not None else 0
    if groups_kept is not None and n_groups < len(groups_kept):  # some group holds 2+ rows
        n_folds = max(2, min(n_folds, n_groups))
        cv: Any = StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed)
    else:
        groups_kept = None
        cv = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    # min_df=2 drops one-off character n-grams (typos, names); on a handful of texts it
    # can drop every n-gram of a training fold, so tiny audits keep them all.
    min_df = 2 if len(texts_kept) >= 50 else 1
    y_kept = y[keep]
    x_kept = np.asarray(vectors)[keep] if vectors is not None else None
    rows = np.full((len(y_kept), k), 1.0 / k)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class in y")
        splits = list(cv.split(texts_kept, y_kept, groups_kept))
    for train, test in splits:
        if len(np.unique(y_kept[train])) < 2:
            continue  # one class left to learn from: nothing to grade with (uniform)
        if x_kept is None:
            model = _model(c, min_df).fit([texts_kept[i] for i in train], y_kept[train])
            test_x: Any = [texts_kept[i] for i in test]
        else:
            from sklearn.linear_model import LogisticRegression

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence on tiny folds
                model = LogisticRegression(C=c, max_iter=3000).fit(x_kept[train], y_kept[train])
            test_x = x_kept[test]
        seen = model.classes_  # a grouped fold can miss a rare class in training
        fold = np.zeros((len(test), k))
        fold[:, seen] = model.predict_proba(test_x)
        # A row whose own class the fold never saw cannot be graded (e.g. the only two
        # examples of a class are two annotators' copies of one span): uniform, as for
        # singletons, rather than a confident "wrong".
        unseen = ~np.isin(y_kept[test], seen)
        fold[unseen] = 1.0 / k
        rows[test] = fold
    probs[keep] = rows
    return probs


def find_issues(
    examples: Sequence[Example],
    classes: Sequence[str],
    pred_probs: np.ndarray,
) -> list[Flag]:
    """Probable label errors among `examples`, worst (lowest label quality) first.

    `pred_probs` are the out-of-fold probabilities (`out_of_fold_probs`). Only
    classes that occur in the labels take part (cleanlab estimates per-class noise rates
    from the given labels, so an absent class has nothing to estimate from).
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    if not examples:
        return []
    labels = [e.label for e in examples]
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
    detailed: pd.DataFrame = result["detailed_label_quality"]
    per_label = {
        (item, annotator): float(q)
        for annotator in annotators
        for item, q in zip(item_ids, detailed[f"quality_annotator_{annotator}"], strict=True)
        if not np.isnan(q)
    }
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
        detailed_quality=per_label,
    )
