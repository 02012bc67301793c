"""Outliers and near duplicates (cleanlab `Datalab`) among audited texts and records.

Why: a label can be right and the example still wrong for the dataset. An outlier
(a span in another script, a pasted URL, a phrase unlike anything else of its family)
is worth a curator's look; two records with (nearly) the same post are the same item
counted twice, which leaks across splits. Datalab finds both from feature vectors: here
the audit's own TF-IDF features (character 2-5-grams + word 1-2-grams) and their exact
cosine k-nearest-neighbour graph, so that no embedding model is needed and every
language is handled alike.

Near duplicates within a label family are looked at across records only, and flagged
only when labelled inconsistently: the same short phrase ("so lonely") recurs across
posts by nature and is no problem, but the same words labelled two ways are. An example
is flagged when its label is not the strict majority among its near duplicates in other
records (so in a tie both sides are flagged, and of ten copies labelled "high" and one
"light" only the "light" one). Spans of one record that several annotators marked are
CROWDLAB's business (`crowd`), not duplicates. Near-duplicate records are flagged
regardless of labels: the same post twice is a data problem.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from curate.audit.labelnoise import Example, ngram_features
from curate.audit.store import RECORDS, AuditFlag, example_flag
from curate.records import Record

K = 10  # neighbours Datalab looks at (fewer when there are fewer examples)
MIN_ITEMS = 10


def text_features(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF vectors (sparse): character 2-5-grams + word 1-2-grams.

    Cosine distance between rows then tracks n-gram overlap: 0 for the same text, small
    for a text with one word changed, near 1 for another script or topic.
    """
    from sklearn.preprocessing import normalize

    return normalize(ngram_features(char_min_df=1).fit_transform(texts)).tocsr()


def knn_graph(features: Any, k: int) -> Any:
    """The exact k-nearest-neighbour graph (cosine distance, self excluded) in the form
    Datalab takes (`knn_graph`: CSR, k distances per row, ascending).

    Why not let Datalab build it from a dense matrix: a TruncatedSVD small enough to be
    dense squeezes each minority language into a few directions (measured on the
    CultureCare phrases: unrelated German sentences 0.02 apart), so near duplicates
    drown in false ones; brute-force cosine on the sparse vectors is exact and, at 10k
    texts, takes about a second.
    """
    from scipy.sparse import csr_matrix
    from sklearn.neighbors import NearestNeighbors

    n = features.shape[0]
    nn = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(features)
    distances, indices = nn.kneighbors()
    distances = np.clip(distances, 0.0, None)
    return csr_matrix(
        (distances.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n)
    )


def data_issues(features: Any, issue_types: Sequence[str]) -> dict:
    """Run Datalab for `issue_types` ("outlier", "near_duplicate") on the k-NN graph of
    `features`.

    Returns {"issues": DataFrame (is_<type>_issue, <type>_score per row),
    "near_duplicate_sets": list of index arrays}. Datalab is kept quiet (verbosity 0,
    stdout captured) so that `--json` output stays clean.
    """
    from cleanlab import Datalab

    n = features.shape[0]
    k = max(1, min(K, n - 1))
    lab = Datalab(data={"row": list(range(n))}, verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab.find_issues(
            knn_graph=knn_graph(features, k), issue_types={t: {"k": k} for t in issue_types}
        )
    out: dict = {"issues": lab.get_issues()}
    if "near_duplicate" in issue_types:
        out["near_duplicate_sets"] = lab.get_info("near_duplicate")["near_duplicate_sets"]
    return out


def family_flags(
    family: str, examples: Sequence[Example], features: Any = None
) -> tuple[list[AuditFlag], dict[str, int]]:
    """Outlier and (label-conflicting, cross-record) near-duplicate flags of one family.

    Returns the flags and counts for the summary, including how many examples have near
    duplicates but a consistent (majority) label (`near_duplicates_consistent`).
    """
    if len(examples) < MIN_ITEMS:
        return [], {}
    if features is None:
        features = text_features([e.text for e in examples])
    found = data_issues(features, ("outlier", "near_duplicate"))
    issues = found["issues"]
    out: list[AuditFlag] = []
    for i in np.flatnonzero(issues["is_outlier_issue"].to_numpy()):
        e = examples[i]
        out.append(example_flag(family, "outlier", e, float(issues["outlier_score"].iloc[i]), {}))
    consistent = 0
    for i, partners in enumerate(found["near_duplicate_sets"]):
        e = examples[i]
        others = [int(j) for j in partners if examples[j].record_id != e.record_id]
        votes = Counter([e.label, *(examples[j].label for j in others)])
        if len(votes) < 2 or votes[e.label] > max(n for lab, n in votes.items() if lab != e.label):
            consistent += bool(others)  # its label is the (strict) majority of its set
            continue
        conflicting = [j for j in others if examples[j].label != e.label]
        j, distance = _nearest(features, i, conflicting)
        detail = {
            "partner": examples[j].record_id,
            "partner_label": examples[j].label,
            "partner_annotator": examples[j].annotator,
            "labels": dict(votes.most_common()),
            "distance": distance,
        }
        score = float(issues["near_duplicate_score"].iloc[i])
        out.append(example_flag(family, "near_duplicate", e, score, detail))
    counts = {
        "outlier": sum(f.kind == "outlier" for f in out),
        "near_duplicate": sum(f.kind == "near_duplicate" for f in out),
        "near_duplicates_consistent": consistent,
    }
    return out, counts


def _nearest(features: Any, i: int, candidates: list[int]) -> tuple[int, float]:
    """The candidate closest to row `i` and its cosine distance (rows are unit length;
    Datalab's near-duplicate sets are not ordered by distance)."""
    similarity = np.asarray((features[candidates] @ features[i].T).todense()).ravel()
    best = int(np.argmax(similarity))
    return candidates[best], round(max(1.0 - float(similarity[best]), 0.0), 4)


def record_text(record: Record) -> str:
    """What makes two records the same item: the de-identified title and post."""
    return "\n".join(t for t in (record.post_title, record.post_text) if t)


def duplicate_records(records: Sequence[Record]) -> list[AuditFlag]:
    """Near-duplicate records by their de-identified post text (title + post).

    Exact duplicates (after normalisation) are already caught at ingest and left out of
    audits; this finds the rest: a word changed, a signature added, a re-post. Each
    record of a near-duplicate set is flagged with its closest partner in `detail`.
    """
    items = [(r, record_text(r)) for r in records]
    items = [(r, t) for r, t in items if t.strip()]
    if len(items) < MIN_ITEMS:
        return []
    features = text_features([t for _, t in items])
    found = data_issues(features, ("near_duplicate",))
    issues = found["issues"]
    out = []
    for i, partners in enumerate(found["near_duplicate_sets"]):
        if len(partners) == 0:
            continue
        record, text = items[i]
        j, distance = _nearest(features, i, [int(p) for p in partners])
        out.append(
            AuditFlag(
                family=RECORDS,
                kind="near_duplicate",
                record_id=record.id,
                culture=record.culture,
                score=float(issues["near_duplicate_score"].iloc[i]),
                detail={
                    "partner": items[j][0].id,
                    "partners": sorted(items[int(p)][0].id for p in partners),
                    "distance": distance,
                },
                text=text,
            )
        )
    return out
