"""Phone numbers: Presidio's PhoneRecognizer (python-phonenumbers), tuned.

Lenient matching (possible numbers, not only allocated ranges) is needed for numbers
people actually type, but it also returns ages and years, and the same number once per
region. Those are dropped here, before Presidio's context step, which costs a pass over
the document's tokens for every result. A text without seven digits close together is
not read at all.
"""

from __future__ import annotations

import re

from presidio_analyzer.predefined_recognizers import PhoneRecognizer

MIN_DIGITS = 7  # personal numbers; 116 117 or 110 are public services
# MIN_DIGITS digits with at most four other characters between any two ("+49 (0)152"):
# a text without it holds no number worth the matcher's pass (most sentences)
_DIGITS_CLOSE = re.compile(rf"\d(?:\D{{0,4}}\d){{{MIN_DIGITS - 1}}}")


class CuratePhoneRecognizer(PhoneRecognizer):
    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        if not _DIGITS_CLOSE.search(text):
            return []
        seen: set[tuple[int, int]] = set()
        out = []
        for result in super().analyze(text, entities, nlp_artifacts):
            span = (result.start, result.end)
            digits = sum(ch.isdigit() for ch in text[result.start : result.end])
            if span in seen or digits < MIN_DIGITS:
                continue
            seen.add(span)
            out.append(result)
        return out
