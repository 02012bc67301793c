"""Static token embeddings that ship inside a package: WordLlama's `l2_supercat_256`.

Why: the audit's TF-IDF text model only knows the n-grams it saw in the other folds; a
phrase worded unlike any training phrase ("I can't take it anymore" beside "I'm at the
end of my rope") gets no help from it. Token embeddings put such phrases near each other.
`wordllama` (MIT) ships its 256-d token embeddings (Llama-2 vocabulary, 32k tokens, 16 MB)
and their tokenizer *inside the wheel*, so nothing is downloaded at run time.

Why not `wordllama.WordLlama.load()`: in 0.4.0.post1 it looks for the tokenizer under
`wordllama/tokenizer/` while the wheel has it under `wordllama/tokenizers/`, so it falls
back to a download into `~/.cache/wordllama` (or a FileNotFoundError with
`disable_download=True`); and importing `wordllama` calls `logging.basicConfig(INFO)` on
the root logger. Here the two files are located without importing the package
(`importlib.util.find_spec`) and read with `safetensors` and `tokenizers` (its own
dependencies): no network, nothing written anywhere, no side effect on logging.

A text's vector is the mean of its tokens' vectors (what WordLlama's `embed` does),
L2-normalised.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = "wordllama"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
DIM = 256
BATCH = 256


def package_dir() -> Path:
    """The installed `wordllama` package folder, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{PACKAGE} is not installed (pip install {PACKAGE}): the audit's embedding "
            "features need its packaged weights"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _model() -> tuple[np.ndarray, Any]:
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = package_dir()
    with safe_open(str(root / WEIGHTS), framework="np", device="cpu") as f:
        table = np.ascontiguousarray(f.get_tensor(TENSOR), dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(root / TOKENIZER))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return table, tokenizer


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised 256-d vector per text (mean of its token vectors); an empty
    text (no token) gets zeros."""
    table, tokenizer = _model()
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for start in range(0, len(texts), BATCH):
        chunk = list(texts[start : start + BATCH])
        for row, enc in enumerate(tokenizer.encode_batch(chunk, add_special_tokens=False)):
            ids = np.clip(np.asarray(enc.ids, dtype=np.int64), 0, table.shape[0] - 1)
            if len(ids):
                out[start + row] = table[ids].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


EMBED_C = 1.0  # regularisation of the embedding models (measured: C=1 ~ C=10)


def context_texts(example_text: str, record_texts: Sequence[str]) -> list[str]:
    """The record's other span texts (any family): the example's context."""
    return [t for t in record_texts if t and t != example_text]


def embedding_log_probs(
    examples: Sequence[Any],
    classes: Sequence[str],
    record_texts: dict[str, Sequence[str]],
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Extra inputs of the combining model (`curate.audit.rank`), shape (n, 2 * classes):
    the out-of-fold log-probabilities of two logistic regressions, one on the example's
    own text vector, one on the mean vector of its record's other span texts
    (`record_texts`: record id -> the texts of all its spans). Folds grouped by record,
    as for the text model, so no label grades itself.

    Why both: the phrase's vector generalises over wordings the TF-IDF model never saw;
    the record's other phrases (the post's distress, the response's strategies) say how
    intense or what kind of post it is. Measured in `curate.audit.rank`'s docstring.
    """
    from curate.audit.labelnoise import out_of_fold_probs

    texts = [e.text for e in examples]
    labels = [e.label for e in examples]
    groups = [e.record_id for e in examples]
    # every text once: the phrases are among their records' span texts too
    unique = sorted({*texts, *(t for e in examples for t in record_texts.get(e.record_id, ()))})
    table = dict(zip(unique, embed(unique), strict=True)) if unique else {}
    own = np.stack([table[t] for t in texts])  # a family is audited with 10+ examples
    context = np.zeros_like(own)
    for row, e in enumerate(examples):
        others = context_texts(e.text, record_texts.get(e.record_id, ()))
        if others:
            context[row] = np.mean([table[t] for t in others], axis=0)
    parts = [
        out_of_fold_probs(texts, labels, classes, folds, seed, EMBED_C, groups, vectors=x)
        for x in (own, context)
    ]
    return np.log(np.clip(np.hstack(parts), 1e-4, 1.0))
