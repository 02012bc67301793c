"""Language identification with `langdetect`, made deterministic.

langdetect samples n-grams at random: without a fixed seed the same text can get a
different answer on the next run, which would make ingest non-idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

UNDETERMINED = "und"


@dataclass(frozen=True)
class LangidSettings:
    seed: int = 0
    min_chars: int = 20
    min_confidence: float = 0.80
    max_chars: int = 500


@cache
def _factory(seed: int):
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY

    factory = DetectorFactory()
    factory.seed = seed
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def detect(text: str | None, settings: LangidSettings = LangidSettings()) -> tuple[str, float]:
    """Return (ISO 639-1 code or 'und', confidence). Short or unsure text is 'und'."""
    if not text:
        return UNDETERMINED, 0.0
    sample = text[: settings.max_chars]
    if sum(ch.isalpha() for ch in sample) < settings.min_chars:
        return UNDETERMINED, 0.0
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(settings.seed).create()
    detector.append(sample)
    try:
        candidates = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED, 0.0
    # zh-cn and zh-tw split the vote for Chinese: add them up under "zh".
    totals: dict[str, float] = {}
    for cand in candidates:
        base = cand.lang.split("-")[0]
        totals[base] = totals.get(base, 0.0) + cand.prob
    if not totals:
        return UNDETERMINED, 0.0
    lang, prob = max(totals.items(), key=lambda kv: kv[1])
    prob = min(prob, 1.0)
    if prob < settings.min_confidence:
        return UNDETERMINED, prob
    return lang, prob
