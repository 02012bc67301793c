"""Where a text addresses or signs: the places a name stands without any other cue.

Why: replies open with the person they answer ("Sarah, I am so sorry", "Gertrud: ich
kenne das") and posts are signed off ("- Leon", "~ روعة"). There no kinship word or verb
says a person follows, but the place does: a listed first name that fills such a place is a
name, as one after "my friend" is. Every language's name recognizer asks the same two
questions, so they live here once.
"""

from __future__ import annotations

import re

# what ends the opening: a comma (Latin or Arabic) or a colon, right after the name
_OPENING_END = re.compile(r"[ \t]*[,:،]")
# a sentence end before the opening, when it does not open the line ("... Gertrud: ich")
_SENTENCE_END = re.compile(r"[.!?؟。！？…][\"'”’)]*[ \t]+$")
SIGN_MARKS = ("-", "~", "—", "–")
# what may follow a signature: closing punctuation and emoji-free space
_SIGNATURE_TAIL = re.compile(r"[ \t.!]*$")


def starts_sentence(text: str, start: int) -> bool:
    """Only space before `start` on its line, or the end of a sentence."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return not before.strip() or _SENTENCE_END.search(before) is not None


def opening(text: str, start: int, end: int) -> bool:
    """text[start:end] opens a line or a sentence and a comma or colon follows it at once:
    "Sarah, ...", "Gertrud: ...", "... Das hilft. Jonas, ..." (the address of a reply)."""
    return starts_sentence(text, start) and _OPENING_END.match(text, end) is not None


def signature(text: str, start: int, end: int) -> bool:
    """text[start:end] follows a dash or a tilde and ends the text: "... - Leon", "~ Lara"."""
    before = text[text.rfind("\n", 0, start) + 1 : start].rstrip()
    if not before.endswith(SIGN_MARKS):
        return False
    if len(before) > 1 and not before[-2].isspace():
        return False  # "Anna-Lena", "x~y": a hyphen inside a word
    return _SIGNATURE_TAIL.fullmatch(text, end) is not None


def addressed(text: str, start: int, end: int) -> str:
    """'opening' or 'signature' when text[start:end] stands where a name addresses or
    signs, else ''."""
    if opening(text, start, end):
        return "opening"
    if signature(text, start, end):
        return "signature"
    return ""
