"""How long a synthetic text is, in words: the one word count of the generators."""

from __future__ import annotations

import re

from curate.charclasses import HAN

_HAN = re.compile(f"[{HAN}]")
_LATIN_RUN = re.compile(r"[!-~]+")


def word_count(text: str, language: str) -> int:
    """Whitespace words; for Chinese, written without spaces, two Han characters count
    as one word, and each run of ASCII (a Latin word, a number, an address) as one."""
    if language == "zh":
        return len(_HAN.findall(text)) // 2 + len(_LATIN_RUN.findall(text))
    return len(text.split())
