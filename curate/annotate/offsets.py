"""Offsets between Python's code points and Label Studio's Text regions.

Label Studio 1.23.2's labeling frontend counts Text offsets in **code points**, as Python
does: measured in Chromium, a span the annotator selects after an emoji comes back with
its code-point start, and a region sent with UTF-16 offsets (JavaScript string units,
what older notes assumed) is drawn one character late per emoji before it
(tests/annotate/test_annotator_browser.py). So no conversion is needed, only the check
that an offset lies on the text; push, pull, the simulated annotators and the audit
review queue all go through `ls_index`, the one place to change should a later Label
Studio count otherwise.
"""

from __future__ import annotations


class LsIndex:
    """Label Studio offsets of one text: code points, range-checked."""

    def __init__(self, text: str) -> None:
        self.length = len(text)

    def to_ls(self, cp: int) -> int:
        return cp

    def to_codepoint(self, offset: int) -> int | None:
        """`offset` when it lies on the text, else None (an invalid offset)."""
        return offset if 0 <= offset <= self.length else None


def ls_index(text: str) -> LsIndex:
    """The offset index of `text` in the unit Label Studio's frontend uses."""
    return LsIndex(text)
