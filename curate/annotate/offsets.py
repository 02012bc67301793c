"""Label Studio offsets are JavaScript string offsets (UTF-16 code units); Python counts
code points. Every character outside the Basic Multilingual Plane (emoji, some CJK)
is two units in JavaScript and one in Python, so offsets after it differ."""

from __future__ import annotations

import bisect


class Utf16Index:
    """Conversions between code-point and UTF-16 offsets of one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # code-point positions of astral characters (2 UTF-16 units each)
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self.length16 = len(text) + len(self.astral)

    def to_utf16(self, cp: int) -> int:
        return cp + bisect.bisect_left(self.astral, cp)

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
