"""Label-noise audit on synthetic data: flipped labels are found, a careless annotator is
singled out, and examples are read from the store the way the audit expects."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curate.audit.labelnoise import (
    Example,
    crowdlab,
    empathy_examples,
    find_issues,
    out_of_fold_probs,
    span_examples,
)
from curate.deid import tables as deid_tables
from curate.records import Provenance, RawText, Record, Source, Span
from curate.schema import load_taxonomy
from curate.store import Store

CLASSES = ("light", "moderate", "high")
# Class-specific wording per intensity, English and German, plus shared filler.
CUES = {
    "light": [
        "a bit tired lately",
        "slightly annoyed today",
        "somewhat bored at work",
        "ein bisschen müde",
        "etwas genervt heute",
        "leicht gelangweilt",
    ],
    "moderate": [
        "really stressed and anxious",
        "quite sad most days",
        "worried all the time",
        "ziemlich gestresst und ängstlich",
        "oft traurig",
        "ständig besorgt",
    ],
    "high": [
        "completely hopeless and desperate",
        "cannot go on anymore",
        "totally overwhelmed and broken",
        "völlig hoffnungslos und verzweifelt",
        "kann nicht mehr weiter",
        "total überfordert und kaputt",
    ],
}
FILLER = ["honestly", "you know", "these days", "ehrlich gesagt", "irgendwie", "at home", "zuhause"]


def _synthetic(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    labels = [CLASSES[i] for i in rng.integers(0, len(CLASSES), n)]
    texts = [
        f"{rng.choice(FILLER)} I feel {rng.choice(CUES[lab])} {rng.choice(FILLER)}"
        for lab in labels
    ]
    return texts, labels


def _flip(labels: list[str], rate: float, rng: np.random.Generator) -> tuple[list[str], set]:
    noisy, flipped = list(labels), set()
    for i in rng.choice(len(labels), int(rate * len(labels)), replace=False):
        noisy[i] = rng.choice([c for c in CLASSES if c != labels[i]])
        flipped.add(int(i))
    return noisy, flipped


def test_flipped_labels_are_flagged() -> None:
    rng = np.random.default_rng(1)
    texts, truth = _synthetic(600, rng)
    noisy, flipped = _flip(truth, 0.10, rng)
    probs = out_of_fold_probs(texts, noisy, CLASSES, folds=5, seed=0)
    assert probs.shape == (600, 3) and np.allclose(probs.sum(axis=1), 1)
    examples = [
        Example(f"r{i}", None, t, lab, None)
        for i, (t, lab) in enumerate(zip(texts, noisy, strict=True))
    ]
    flags = find_issues(examples, CLASSES, pred_probs=probs)
    found = {f.index for f in flags}
    recall = len(found & flipped) / len(flipped)
    precision = len(found & flipped) / max(len(found), 1)
    print(f"flags={len(found)} recall={recall:.3f} precision={precision:.3f}")
    assert recall >= 0.8
    assert precision >= 0.5
    assert [f.quality for f in flags] == sorted(f.quality for f in flags)
    hits = [f for f in flags if f.index in flipped]
    assert sum(f.suggested == truth[f.index] for f in hits) >= 0.9 * len(hits)


def test_small_classes_get_fewer_folds_or_uniform_probs() -> None:
    texts = ["a bit tired", "ein bisschen müde", "a bit bored", "so hopeless", "hoffnungslos"]
    labels = ["light", "light", "light", "high", "high"]
    probs = out_of_fold_probs([*texts, "worried"], [*labels, "moderate"], CLASSES, folds=5)
    assert probs.shape == (6, 3)
    assert np.allclose(probs[5], 1 / 3)  # singleton class: uniform, never flagged
    assert np.allclose(probs[:5, 1], 0)  # and no other row is pulled towards it


def test_grouped_folds_keep_a_record_together_and_never_grade_an_unseen_class() -> None:
    rng = np.random.default_rng(4)
    texts, labels = _synthetic(120, rng)
    labels = [lab if lab != "moderate" else "light" for lab in labels]
    groups = [f"rec{i // 2}" for i in range(120)]  # two annotators' copies per record
    texts[:2] = ["really stressed and anxious", "really stressed and anxious"]
    labels[:2] = ["moderate", "moderate"]  # the only examples of a class, in one record
    probs = out_of_fold_probs(texts, labels, CLASSES, folds=5, groups=groups)
    assert np.allclose(probs[:2], 1 / 3)  # no fold saw "moderate": not graded
    assert (probs[2:].argmax(axis=1) == [CLASSES.index(x) for x in labels[2:]]).mean() > 0.9
    # without groups the copy in the training fold gives its twin away
    leaky = out_of_fold_probs(texts, labels, CLASSES, folds=2)
    assert leaky[:2, 1].min() > 0.3


def test_crowdlab_singles_out_the_careless_annotator() -> None:
    rng = np.random.default_rng(2)
    texts, truth = _synthetic(200, rng)
    accuracy = {"a1": 0.9, "a2": 0.9, "a3": 0.9, "a4": 0.9, "bad": 0.4}
    items: dict[str, dict[str, str]] = {}
    for i, lab in enumerate(truth):
        items[f"item{i}"] = {
            a: lab if rng.random() < acc else str(rng.choice([c for c in CLASSES if c != lab]))
            for a, acc in accuracy.items()
        }
    majority = [max(CLASSES, key=list(v.values()).count) for v in items.values()]
    probs = out_of_fold_probs(texts, majority, CLASSES, folds=5)
    result = crowdlab(items, probs, CLASSES)
    assert min(result.annotator_quality, key=result.annotator_quality.get) == "bad"
    agree = np.mean([result.consensus[f"item{i}"] == t for i, t in enumerate(truth)])
    assert agree >= 0.95
    assert set(result.consensus_quality) == set(items)


def _record(store: Store, sid: str, culture: str, spans: list[Span], empathy: int | None):
    from curate.records import pseudonymous_id

    rec = Record(
        id=pseudonymous_id(store.id_salt, "file", sid),
        culture=culture,
        source=Source(platform="file", source_id=sid),
        provenance=Provenance(input_file="x", line=1, format="jsonl", content_hash=sid * 8),
        spans=spans,
        empathy=empathy,
    )
    return rec, RawText(text=f"post {sid}", response=f"response {sid}")


def test_examples_come_from_the_store(tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    with Store.open(tmp_path / "ws") as store:
        run = store.begin_run("test", {})
        distress = "emotional_distress"
        a = _record(
            store,
            "a",
            "German",
            [
                Span("post", distress, "so müde", 0, 7, {"intensity": "light"}, "ann1"),
                Span("post", distress, "verzweifelt", 8, 19, {"intensity": None}),
                Span(
                    "response",
                    "emotional_support",
                    "Wie geht es dir?",
                    0,
                    16,
                    {"strategy": "Questions"},
                    "ann2",
                ),
                Span("post", distress, "erschöpft", None, None, {"intensity": "high"}),
            ],
            4,
        )
        b = _record(
            store,
            "b",
            "Chinese",
            [Span("post", distress, "非常绝望", 0, 4, {"intensity": "high"})],
            None,
        )
        store.put_batch([a, b], run)
        # Only `a` is de-identified; its response text stays null (phrases only, as in
        # the CultureCare release). `b` still waits: its phrases are raw text.
        a[0].post_text = "so müde verzweifelt"
        deid_tables.save_deid(store, [(a[0], [])], "test")
        got = span_examples(store, taxonomy, distress)
        assert got == [
            Example(a[0].id, "German", "so müde", "light", "ann1", 0, ("post", 0, 7)),
            Example(a[0].id, "German", "erschöpft", "high", None, 3, None),
        ]
        support = span_examples(store, taxonomy, "emotional_support")
        assert [(e.text, e.label, e.span) for e in support] == [
            ("Wie geht es dir?", "Questions", 2)
        ]
        # No response text: the response spans stand in.
        assert empathy_examples(store) == [
            Example(a[0].id, "German", "Wie geht es dir?", "4", None)
        ]
