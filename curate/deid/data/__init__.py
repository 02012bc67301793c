"""Small data files of the de-identification stage, and spaCy's stop-word lists."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for `lang` (shipped with spaCy itself, no model needed)."""
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ModuleNotFoundError:
        return frozenset()
    return frozenset(w.casefold() for w in module.STOP_WORDS)


@cache
def zh_surnames() -> tuple[str, ...]:
    text = (HERE / "zh_surnames.txt").read_text(encoding="utf-8")
    return tuple(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@cache
def cultural_terms() -> frozenset[str]:
    """Nationalities, religions, practices (data/cultural_terms.txt): never names."""
    text = (HERE / "cultural_terms.txt").read_text(encoding="utf-8")
    return frozenset(
        w.casefold() for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


@cache
def zipf(word: str, lang: str) -> float:
    """How common `word` is in `lang` (wordfreq's Zipf scale: 3 = once per million words)."""
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, lang)
    except LookupError:
        return 0.0
