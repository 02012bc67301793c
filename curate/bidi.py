"""Which way a paragraph of text runs, for pages that show dataset text to people.

Arabic and Hebrew paragraphs run right to left, English, German and Chinese ones left to
right, and one page mixes them all. The browser's own guess (`dir="auto"`) takes the
first letter with a direction; in a de-identified text that is often a pseudonym tag
(`<PERSON_1> قال لي …`), whose Latin letters would make an Arabic paragraph run left to
right. `direction` skips the tags and otherwise follows the same rule (Unicode's
bidirectional algorithm, rules P2-P3): the first strong letter decides. The text itself
is never changed; pages put the result in a `dir` attribute.
"""

from __future__ import annotations

import unicodedata

from curate.deid.operators import PLACEHOLDER

_RTL = {"R", "AL"}


def direction(text: object) -> str:
    """`"rtl"` or `"ltr"` by the first strong letter outside pseudonym tags; `"auto"`
    when there is none (None, numbers, punctuation, only tags: the browser decides)."""
    if text is None:
        return "auto"
    for char in PLACEHOLDER.sub(" ", str(text)):
        kind = unicodedata.bidirectional(char)
        if kind in _RTL:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"
