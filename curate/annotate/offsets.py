"""Offsets between Python's code points and Label Studio's Text regions.

Label Studio 1.23.2's labeling frontend counts Text offsets in **code points**, as Python
does: measured in Chromium, a span the annotator selects after an emoji comes back with
its code-point start, and a region sent with UTF-16 offsets is drawn one character late
per emoji before it (tests/annotate/test_annotator_browser.py). JavaScript strings and
older notes count UTF-16 code units instead, where every character outside the Basic
Multilingual Plane (emoji, some CJK) is two units; `Utf16Index` converts those, and
`OFFSET_UNIT` picks which one push and pull use, so a Label Studio that changes its unit
is one line here.
"""

from __future__ import annotations

import bisect

OFFSET_UNIT = "codepoint"  # Label Studio 1.23.2, measured in the browser


class CodepointIndex:
    """Label Studio offsets that are code points: the same numbers, range-checked."""

    def __init__(self, text: str) -> None:
        self.length = len(text)

    def to_ls(self, cp: int) -> int:
        return cp

    def to_codepoint(self, offset: int) -> int | None:
        """`offset` when it lies on the text, else None (an invalid offset)."""
        return offset if 0 <= offset <= self.length else None


class Utf16Index:
    """Conversions between code-point and UTF-16 offsets of one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # code-point positions of astral characters (2 UTF-16 units each)
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self.length16 = len(text) + len(self.astral)

    def to_utf16(self, cp: int) -> int:
        return cp + bisect.bisect_left(self.astral, cp)

    to_ls = to_utf16

    def to_codepoint(self, u16: int) -> int | None:
        """The code point at UTF-16 offset `u16`, or None when `u16` falls inside a
        surrogate pair or outside the text (an invalid offset)."""
        if u16 < 0 or u16 > self.length16:
            return None
        lo, hi = 0, len(self.text)
        while lo < hi:  # smallest cp with to_utf16(cp) >= u16
            mid = (lo + hi) // 2
            if self.to_utf16(mid) < u16:
                lo = mid + 1
            else:
                hi = mid
        return lo if self.to_utf16(lo) == u16 else None


def ls_index(text: str) -> CodepointIndex | Utf16Index:
    """The offset index of `text` in the unit Label Studio uses (`OFFSET_UNIT`)."""
    return CodepointIndex(text) if OFFSET_UNIT == "codepoint" else Utf16Index(text)
