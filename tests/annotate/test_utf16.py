"""Label Studio (JavaScript) offsets are UTF-16 code units; Python's are code points."""

from __future__ import annotations

import random

from curate.annotate.offsets import Utf16Index

ALPHABET = "ab cd😔🫂שלוםمرحبا中文\u0301é𝄞"


def js_offset(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def test_round_trip_on_random_texts():
    rng = random.Random(5)
    for _ in range(300):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        index = Utf16Index(text)
        assert index.length16 == js_offset(text, len(text))
        for cp in range(len(text) + 1):
            u16 = index.to_utf16(cp)
            assert u16 == js_offset(text, cp)
            assert index.to_codepoint(u16) == cp


def test_offsets_inside_a_surrogate_pair_or_off_the_text_are_invalid():
    index = Utf16Index("a😔b")
    assert index.to_codepoint(2) is None  # between the two halves of the emoji
    assert index.to_codepoint(3) == 2
    assert index.to_codepoint(5) is None and index.to_codepoint(-1) is None
