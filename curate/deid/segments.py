"""Language routing inside a text: which stretch of a post is in which language.

Why: posts mix languages. A German post quotes English, an Arabic post switches to
English for a sentence, a Chinese post carries an e-mail address. Each detector reads
only text in its own language: the English NER model never sees a German sentence
(where every noun is capitalised), and the Arabic name list never reads English.

A text is cut into runs of one script (Arabic, Hebrew, Han, Latin); digits, spaces,
punctuation and emoji belong to the run they stand in, and a run of fewer than
`MIN_LETTERS` letters (a Han character counts three) joins its neighbour ("Domino
effect" inside an Arabic sentence is its own run, an "OK" is not; nor is a lone
e-mail address or link, which has no English in it). Latin runs are then
cut into sentences, and each sentence is English or German by a vote of unambiguous
function words, falling back to the text's own Latin language (the vote over all its
Latin text), then to the hint (the record's detected language). Cuts fall only on
whitespace, so no e-mail address or URL is ever split between two segments.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from curate.charclasses import ARABIC, HAN, HEBREW, KANA

MIN_LETTERS = 4
# a Han character carries about a word's worth of text
_WEIGHT = {"zh": 3}

_SCRIPT_OF = (
    (re.compile(f"[{ARABIC}]"), "ar"),
    (re.compile(f"[{HEBREW}]"), "he"),
    (re.compile(f"[{HAN}{KANA}]"), "zh"),
)
_LEADING_MARKS = frozenset("@#/+")
# what an identifier in Latin letters may start with ('2001:db8::1', '42abc@x.de')
_GLUED_TO_LATIN = frozenset("0123456789@#/+:._-%~")
_LETTERS = re.compile(r"[^\W\d_]+")
# one token with an identifier's marks: 'x@y.org', 't.me/name', '/u/name', 'a.com/b?c=1'
_IDENTIFIER = re.compile(r"\S*(?:[@/]|\w\.\w)\S*")
_SENTENCE_END = re.compile(r"(?<=[.!?…:;)\]\"”»])\s+|\n\s*")
_WORDS = re.compile(r"[a-zäöüß']+")
# Function words that are frequent in one language and not words of the other.
_DE = frozenset(
    "der das und ist nicht ich mit sich auf für ein eine einen dem den auch es von wie "
    "aber mein meine meinen hat habe bin sind wenn noch nur schon mir mich dass daß oder "
    "weil kann wir sie ihr euch uns nach bei aus wird werden wurde hatte sehr immer "
    "jetzt einfach mal kein keine nichts zum zur vom im ins durch über gegen ohne "
    "wieder dann doch weiß gibt geht habe hab ja nein".split()
)
_EN = frozenset(
    "the and is not with for you that this have has was were but are my to of it me "
    "be so just what they do if can would could should about from there their been "
    "because when will him her she he we our your them don't i'm it's can't didn't "
    "really feel like know think want get got never always very".split()
)


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    language: str


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    for rx, lang in _SCRIPT_OF:
        if rx.match(ch):
            return lang
    return "latin"


def _runs(text: str) -> list[list]:
    """[start, end, script, letters] runs of one script; non-letters join the run."""
    runs: list[list] = []
    for m in _LETTERS.finditer(text):
        word, i = m.group(), m.start()
        if word.isascii():
            _add(runs, text, i, m.end(), "latin")
            continue
        scripts = [_script(ch) for ch in word]
        if len(set(scripts)) == 1:
            _add(runs, text, i, m.end(), scripts[0])
            continue
        # letters of two scripts glued together ('谢谢u'): character by character
        for j, script in enumerate(scripts):
            _add(runs, text, i + j, i + j + 1, script)
    if runs:
        runs[0][0] = 0
        runs[-1][1] = len(text)
    # a short run joins its longer neighbour; so does a Latin run that is one
    # identifier (an address, a link, a handle inside an Arabic sentence): the pattern
    # recognizers read every language, and it has no English for the English model
    for run in runs:
        if run[2] == "latin" and _IDENTIFIER.fullmatch(text[run[0] : run[1]].strip()):
            run[3] = 0
    merged: list[list] = []
    for run in runs:
        if merged and (run[3] < MIN_LETTERS or merged[-1][3] < MIN_LETTERS):
            keep = merged[-1] if merged[-1][3] >= run[3] else run
            merged[-1] = [merged[-1][0], run[1], keep[2], merged[-1][3] + run[3]]
            continue
        merged.append(run)
    # contiguous: a run starts where the previous ended
    for a, b in itertools.pairwise(merged):
        b[0] = a[1]
    return merged


def _add(runs: list[list], text: str, start: int, end: int, script: str, weight: int = 0) -> None:
    """Extend the last run or open a new one at `start`."""
    weight = weight or _WEIGHT.get(script, 1) * (end - start)
    if runs and runs[-1][2] == script:
        runs[-1][1] = end
        runs[-1][3] += weight
        return
    # spaces stay with the run before; the marks that open the new run's first word
    # ('@name', '/u/name', '#tag', '+49', the '2001:' of an IPv6 address) go with it
    floor = runs[-1][0] + 1 if runs else 0
    glued = _GLUED_TO_LATIN if script == "latin" else _LEADING_MARKS
    while start > floor and text[start - 1] in glued:
        start -= 1
    if runs:
        runs[-1][1] = start
    runs.append([start, end, script, weight])


def _vote(text: str) -> int:
    """> 0 German, < 0 English, 0 undecided."""
    words = _WORDS.findall(text.casefold())
    return sum(w in _DE for w in words) - sum(w in _EN for w in words)


def latin_language(text: str, hint: str | None) -> str:
    """English or German for a whole text's Latin script, by the function-word vote."""
    vote = _vote(text)
    if vote > 1:
        return "de"
    if vote < -1:
        return "en"
    return hint if hint in ("en", "de") else "en"


def segments(text: str, hint: str | None = None) -> list[Segment]:
    """The text cut into contiguous segments covering it, each with its language."""
    if not text:
        return []
    runs = _runs(text)
    if not runs:
        return [Segment(0, len(text), hint or "en")]
    latin_all = " ".join(text[s:e] for s, e, script, _ in runs if script == "latin")
    default = latin_language(latin_all, hint) if latin_all else "en"
    out: list[Segment] = []
    for start, end, script, _ in runs:
        if script != "latin":
            out.append(Segment(start, end, script))
            continue
        cut = start
        for m in _SENTENCE_END.finditer(text, start, end):
            out.append(_latin(text, cut, m.end(), default))
            cut = m.end()
        if cut < end:
            out.append(_latin(text, cut, end, default))
    return _join(out)


def _latin(text: str, start: int, end: int, default: str) -> Segment:
    vote = _vote(text[start:end])
    lang = "de" if vote >= 2 else "en" if vote <= -2 else default
    return Segment(start, end, lang)


def _join(parts: list[Segment]) -> list[Segment]:
    """Neighbouring segments of one language become one (fewer, longer texts for the
    models, which read context across sentences)."""
    out: list[Segment] = []
    for seg in parts:
        if seg.end <= seg.start:
            continue
        if out and out[-1].language == seg.language:
            out[-1] = Segment(out[-1].start, seg.end, seg.language)
        else:
            out.append(seg)
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line, covering the text (cut on whitespace
    only, as `segments` cuts)."""
    out, cut = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > cut:
            out.append((cut, m.end()))
            cut = m.end()
    if cut < len(text) or not out:
        out.append((cut, len(text)))
    return out
