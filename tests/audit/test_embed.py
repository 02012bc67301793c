"""The audit's packaged embeddings (curate.audit.embed): they load from the wheel without
importing wordllama (no download, no logging side effect), they put phrases of one
meaning together where their words differ, and the `features` switch reaches the
ranking's combining model."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from curate.audit import embed
from curate.audit.labelnoise import Example, out_of_fold_probs
from curate.audit.rank import context_features

# Two classes without a shared content word between any two phrases: TF-IDF n-grams of
# the training folds say little about a held-out phrase, its meaning does.
SAD = (
    "I feel hopeless",
    "so lonely tonight",
    "crying all the time",
    "nobody cares about me",
    "deep grief and sorrow",
    "I am depressed",
    "heartbroken and miserable",
    "tears every evening",
    "feeling empty inside",
    "utterly despairing",
    "my sadness is unbearable",
    "mourning my mother",
    "isolated and abandoned",
    "can't stop weeping",
    "anguish keeps growing",
    "gloomy dark thoughts",
)
FOOD = (
    "pasta with tomato sauce",
    "a slice of pizza",
    "fresh bread rolls",
    "grilled chicken breast",
    "banana smoothie recipe",
    "cheese omelette",
    "vegetable soup",
    "chocolate cake dessert",
    "rice and beans",
    "apple pie",
    "roasted potatoes",
    "sushi platter",
    "strawberry yoghurt",
    "beef burger",
    "salad with cucumber",
    "pancakes for breakfast",
)


def test_loads_from_the_wheel_without_importing_wordllama() -> None:
    code = (
        "import sys, logging; from curate.audit.embed import embed; "
        "v = embed(['hello there']); "
        "assert v.shape == (1, 256) and abs(float((v ** 2).sum()) - 1) < 1e-5; "
        "assert 'wordllama' not in sys.modules, 'imported wordllama'; "
        "assert not logging.getLogger().handlers, 'root logger configured'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"HF_HUB_OFFLINE": "1", **_env()})


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "HOME")}


def test_similar_meaning_is_near_and_empty_text_is_zero() -> None:
    v = embed.embed(["I feel so lonely", "I am very alone", "grilled chicken breast", ""])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    assert not v[3].any()


def test_embeddings_separate_meanings_the_ngrams_cannot() -> None:
    texts = list(SAD + FOOD)
    labels = ["sad"] * len(SAD) + ["food"] * len(FOOD)
    classes = ["sad", "food"]
    y = np.array([classes.index(label) for label in labels])

    def accuracy(probs: np.ndarray) -> float:
        return float((probs.argmax(axis=1) == y).mean())

    vectors = embed.embed(texts)
    by_meaning = accuracy(out_of_fold_probs(texts, labels, classes, c=1.0, vectors=vectors))
    by_ngrams = accuracy(out_of_fold_probs(texts, labels, classes))
    assert by_meaning >= 0.85
    assert by_meaning > by_ngrams  # measured: 0.88 against 0.78


def test_embedding_inputs_are_out_of_fold_and_reach_the_combining_model() -> None:
    examples = [
        Example(f"r{i}", "German", t, "sad" if t in SAD else "food", None, 0)
        for i, t in enumerate(SAD + FOOD)
    ]
    record_texts = {e.record_id: [e.text, "another phrase"] for e in examples}
    extra = embed.embedding_log_probs(examples, ["sad", "food"], record_texts)
    assert extra.shape == (len(examples), 4)
    own = np.exp(extra[:, :2])
    assert (own.argmax(axis=1) == [0 if e.label == "sad" else 1 for e in examples]).mean() >= 0.85
    text_probs = np.full((len(examples), 2), 0.5)
    plain = context_features(examples, ["sad", "food"], text_probs)
    more = context_features(examples, ["sad", "food"], text_probs, extra)
    assert more.shape[1] == plain.shape[1] + 4
    assert np.array_equal(more[:, -4:], extra)
    assert embed.context_texts("a", ["a", "b", "", "c"]) == ["b", "c"]


def test_audit_refuses_unknown_features(tmp_path) -> None:
    from curate.audit.run import DEFAULT_FEATURES, FEATURES, audit_workspace
    from curate.errors import CurateError
    from curate.schema import load_taxonomy
    from curate.store import Store

    assert DEFAULT_FEATURES in FEATURES
    with Store.open(tmp_path / "ws") as store, pytest.raises(CurateError, match="features"):
        audit_workspace(store, load_taxonomy(), features="glove")
