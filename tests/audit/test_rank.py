"""Ranking of label issues (curate.audit.rank) on synthetic cases: record-mates reveal a
flip the text cannot, a label never grades itself, the detail holds ids, labels and
numbers only, and the near-duplicate and CROWDLAB signals join the flag."""

from __future__ import annotations

import json

import numpy as np

from curate.audit.labelnoise import Example
from curate.audit.rank import (
    MIN_STACK,
    context_probs,
    join_signals,
    rank_label_issues,
    record_mates,
)
from curate.audit.store import AuditFlag

CLASSES = ("light", "moderate", "high")


def _records_case(n_records: int = 120, per_record: int = 5, seed: int = 0):
    """Records whose spans all share one intensity; text probabilities that say nothing
    (near uniform, noisy); one span flipped in every fourth record."""
    rng = np.random.default_rng(seed)
    examples, flipped = [], set()
    for r in range(n_records):
        true = CLASSES[r % 3]
        for s in range(per_record):
            label = true
            if r % 4 == 0 and s == 0:
                label = CLASSES[(r + 1 + r // 4 % 2) % 3]
                flipped.add(len(examples))
            examples.append(
                Example(f"r{r}", "German" if r % 2 else "Jewish", f"t{r}-{s}", label, None, s)
            )
    probs = rng.dirichlet(np.full(3, 50.0), size=len(examples))  # about 1/3 each
    return examples, probs, flipped


def test_record_mates_never_count_the_example_itself() -> None:
    examples = [
        Example("a", None, "x", "light", None, 0),
        Example("a", None, "y", "light", None, 1),
        Example("a", None, "z", "high", None, 2),
        Example("b", None, "w", "high", None, 0),
    ]
    mates = record_mates(examples, CLASSES)
    assert mates.tolist() == [[1, 0, 1], [1, 0, 1], [2, 0, 0], [0, 0, 0]]


def test_record_mates_reveal_flips_the_text_cannot() -> None:
    examples, probs, flipped = _records_case()
    ranked = rank_label_issues(examples, CLASSES, probs)
    k = len(flipped)
    top = [r.index for r in ranked[:k]]
    # the text alone ranks at chance (flipped: 1 span in 20)
    by_text = np.argsort(
        probs[np.arange(len(examples)), [CLASSES.index(e.label) for e in examples]]
    )
    assert len(flipped & set(by_text[:k].tolist())) / k < 0.3
    assert len(flipped & set(top)) / k >= 0.9
    assert [r.score for r in ranked] == sorted(r.score for r in ranked)


def test_combined_probabilities_are_out_of_fold() -> None:
    """Were the combining model to see an example's own label, a flipped span alone in a
    record (no mates to betray it) would still be graded by its own label."""
    examples, probs, _ = _records_case()
    # the same records, plus 30 single-span records labelled at random
    rng = np.random.default_rng(1)
    lonely = [
        Example(f"solo{i}", "German", f"s{i}", CLASSES[int(rng.integers(3))], None, 0)
        for i in range(30)
    ]
    all_examples = examples + lonely
    all_probs = np.vstack([probs, rng.dirichlet(np.full(3, 50.0), size=len(lonely))])
    combined = context_probs(all_examples, CLASSES, all_probs)
    own = combined[
        np.arange(len(examples), len(all_examples)),
        [CLASSES.index(e.label) for e in lonely],
    ]
    assert own.max() < 0.6  # no memory of their own (random) labels


def test_small_family_keeps_the_text_probabilities() -> None:
    examples, probs, _ = _records_case(n_records=MIN_STACK // 5 - 1)
    assert np.array_equal(context_probs(examples, CLASSES, probs), probs)


def test_detail_holds_numbers_labels_and_ids_only() -> None:
    examples, probs, flipped = _records_case()
    ranked = rank_label_issues(examples, CLASSES, probs)
    worst = ranked[0]
    assert worst.index in flipped
    d = worst.detail
    assert set(d) == {"p_given", "p_suggested", "p_given_text", "record_mates"}
    assert d["p_given"] < d["p_suggested"]
    assert worst.suggested != examples[worst.index].label
    assert sum(d["record_mates"].values()) == 4
    text = json.dumps(d)
    assert all(e.text not in text for e in examples)


def _flag(kind: str, **kw) -> AuditFlag:
    base = dict(family="emotional_distress", record_id="r1", culture="German", span_index=2)
    return AuditFlag(kind=kind, **{**base, **kw})


def test_near_duplicate_and_consensus_join_the_label_issue() -> None:
    issue = _flag("label_issue", score=0.36, given="high", annotator="ann-b", detail={})
    other = _flag("label_issue", score=0.2, given="light", span_index=3, detail={})
    dup = _flag(
        "near_duplicate",
        score=0.1,
        given="high",
        annotator="ann-b",
        detail={"partner": "r9", "partner_label": "light", "distance": 0.05, "labels": {}},
    )
    votes = {"ann-a": "light", "ann-b": "high", "ann-c": "light", "ann-d": "high"}
    crowd = _flag(
        "consensus",
        score=0.4,
        given="high",
        suggested="light",
        annotator="ann-b",
        detail={"votes": votes},
    )
    join_signals([issue, other], [dup, crowd])
    assert issue.detail["near_duplicate"] == {
        "partner": "r9",
        "partner_label": "light",
        "distance": 0.05,
    }
    assert issue.detail["consensus"] == {"label": "light", "votes": votes}
    assert abs(issue.score - np.sqrt(0.36 * 0.5)) < 1e-9  # half the votes back "high"
    assert other.detail == {} and other.score == 0.2
