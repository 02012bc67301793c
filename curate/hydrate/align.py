"""Where in a text is an annotated phrase? Phrase -> code-point offsets.

A reference release gives phrases without offsets; the text comes later, from the user's
own dump, and it may not be byte-identical to what the annotators saw: Reddit escapes
`&` as `&amp;`, whitespace and typographic quotes drift between exports, a post may have
been edited, and a release made by `curate export --mode reference` holds de-identified
phrases (`<PERSON_1>`) where the raw text has the name. So each phrase is looked for with
increasingly tolerant methods, each tried only when the previous one failed:

1. exact: the phrase (trimmed) as a substring;
2. placeholder: a phrase with de-identification placeholders, each matching the
   identifier it replaced (type-aware: an e-mail or URL is one token, a name a short run
   on one line), the rest literally with flexible whitespace;
3. normalized: both sides NFKD-decomposed, case-folded, accents and invisible format
   characters dropped, HTML entities unescaped, typographic quotes/dashes folded,
   markdown markers dropped, whitespace runs collapsed; an index map gives the offsets in
   the original text back;
4. fuzzy: rapidfuzz's partial-ratio alignment finds the best window of the normalized
   text, whose ends are then moved to nearby word boundaries to maximize the full ratio;
   accepted at or above the threshold, and the score is reported.

A phrase that occurs several times takes the first occurrence not already taken by an
identical phrase of the same group (span family and annotator: two annotators marking
the same words point at the same place), preferring occurrences that stand as whole
words and that do not overlap a phrase of the same group already placed; longer phrases are placed
first, as an annotator marks a long span before a short one inside it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

EXACT, PLACEHOLDER, NORMALIZED, FUZZY, UNALIGNED = (
    "exact",
    "placeholder",
    "normalized",
    "fuzzy",
    "unaligned",
)

_FOLD = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
    }
)
# Markdown markers: present in a dump's raw markdown, absent from the rendered text an
# annotator copied (or the other way round). Dropped on both sides, so it only widens
# what matches.
_MARKUP = frozenset("*\\~`#>^")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})  # accents, enclosing marks, invisible
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Placeholders of the de-identification operators: <PERSON_1> (pseudonym), <URL> (tag).
_TAG = re.compile(r"<([A-Z][A-Z_]*?)(?:_\d+)?>")
# Identifiers that are one token: a placeholder of these matches one run of non-spaces.
_ONE_TOKEN = frozenset(
    {"EMAIL_ADDRESS", "URL", "REDDIT_USERNAME", "SOCIAL_HANDLE", "IP_ADDRESS", "SUBREDDIT"}
)
_PHONE = r"[+(]?\d[\d\s().\-/]{3,30}\d"
_MIN_LITERAL = 4  # non-space characters outside placeholders needed to place a phrase


@dataclass(frozen=True, slots=True)
class Aligned:
    """Where one phrase is. `score`: 1.0 for exact, placeholder and normalized matches,
    the similarity (0-1) for fuzzy ones, and for an unaligned phrase the best similarity
    seen (below the threshold), so a report can say how close it came."""

    start: int | None
    end: int | None
    method: str
    score: float
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.start is not None


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized text and, for each of its characters, the original [start, end)."""

    text: str
    starts: list[int] = field(repr=False)
    ends: list[int] = field(repr=False)

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or "\uac00" <= ch <= "\ud7af"


def normalize(text: str) -> Normalized:
    """The normalized form used by the `normalized` and `fuzzy` methods, with its index
    map. Decomposition is per character (NFKD), so a precomposed `é` in one text and
    `e` + combining accent in the other come out the same."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    space: tuple[int, int] | None = None  # a pending whitespace run
    i, n = 0, len(text)
    while i < n:
        piece, j = text[i], i + 1
        if piece == "&" and (m := _ENTITY.match(text, i)):
            unescaped = html.unescape(m.group())
            if unescaped != m.group():
                piece, j = unescaped, m.end()
        decomposed = (
            piece.lower() if piece.isascii() else unicodedata.normalize("NFKD", piece).casefold()
        )
        for ch in decomposed.translate(_FOLD):
            if ch.isspace():
                space = (space[0] if space else i, j)
                continue
            if ch in _MARKUP or (
                not ch.isascii() and unicodedata.category(ch) in _DROPPED_CATEGORIES
            ):
                continue
            if space is not None:
                if chars:
                    chars.append(" ")
                    starts.append(space[0])
                    ends.append(space[1])
                space = None
            chars.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return Normalized("".join(chars), starts, ends)


@dataclass
class Target:
    """A text to align phrases in; its normalized form is computed once, when needed."""

    text: str

    @cached_property
    def norm(self) -> Normalized:
        return normalize(self.text)


def _glued(text: str, start: int, end: int) -> bool:
    """True when the match starts or ends inside a word (CJK, written without spaces,
    may touch anything)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    first, last = text[start], text[end - 1]
    return (before.isalnum() and first.isalnum() and not (_cjk(before) or _cjk(first))) or (
        after.isalnum() and last.isalnum() and not (_cjk(after) or _cjk(last))
    )


def _find_all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _choose(
    candidates: list[tuple[int, int, bool]],
    taken: set[tuple[int, int]],
    placed: list[tuple[int, int]],
) -> tuple[int, int] | None:
    """The first candidate (start, end, glued) not taken by an identical phrase,
    preferring ones that overlap no phrase of the same group, then whole words."""
    free = [c for c in candidates if (c[0], c[1]) not in taken]
    if not free:
        return None

    def key(c: tuple[int, int, bool]) -> tuple[bool, bool, int]:
        overlaps = any(s < c[1] and c[0] < e for s, e in placed)
        return overlaps, c[2], c[0]

    best = min(free, key=key)
    return best[0], best[1]


# -- placeholders ------------------------------------------------------------------------
def _loose(literal: str) -> str:
    """A literal part of a phrase as a pattern: whitespace runs match any whitespace."""
    return "".join(
        r"\s+" if part.isspace() else re.escape(part)
        for part in re.split(r"(\s+)", literal)
        if part
    )


def _wildcard(entity: str) -> str:
    if entity in _ONE_TOKEN:
        return r"\S+"
    if entity == "PHONE_NUMBER":
        return _PHONE
    return r"[^\n]{1,80}?"


def placeholder_pattern(
    phrase: str, normalized: bool = False
) -> tuple[re.Pattern[str], str | None] | None:
    """A pattern for a phrase holding placeholders, or None when it holds none or too
    little else to be placed; `normalized`: for the normalized text (the literal parts
    normalized the same way). A placeholder at an edge of the phrase whose identifier can
    span words (a name) has no anchor on its outer side, so its extent in the raw text is
    unknown: it is left out of the pattern (and of the span), and the note says so."""
    pieces = _TAG.split(phrase)  # literal, entity, literal, entity, ..., literal
    if len(pieces) == 1:
        return None
    if sum(not c.isspace() for c in "".join(pieces[0::2])) < _MIN_LITERAL:
        return None
    seq = [("entity" if k % 2 else "literal", piece) for k, piece in enumerate(pieces)]
    seq = [item for item in seq if item[0] == "entity" or item[1].strip()]
    note = None
    if seq[0][0] == "entity" and seq[0][1] not in _ONE_TOKEN:
        seq.pop(0)
        note = "a placeholder at the start of the phrase is left out of the span"
    if seq[-1][0] == "entity" and seq[-1][1] not in _ONE_TOKEN:
        seq.pop()
        note = "a placeholder at the end of the phrase is left out of the span"
    parts = []
    for k, (kind, value) in enumerate(seq):
        if kind == "entity":
            parts.append(_wildcard(value))
            continue
        lead = k > 0 and value[:1].isspace()
        trail = k < len(seq) - 1 and value[-1:].isspace()
        core = normalize(value).text if normalized else value.strip()
        parts.append((r"\s+" if lead else "") + _loose(core) + (r"\s+" if trail else ""))
    prefix = r"(?<!\S)" if seq[0][0] == "entity" else ""  # a one-token identifier
    return re.compile(prefix + "".join(parts)), note


# -- fuzzy -------------------------------------------------------------------------------
def _boundary_start(t: str, s: int) -> bool:
    if s >= len(t) or t[s] == " ":
        return False
    return s == 0 or not (t[s - 1].isalnum() and t[s].isalnum()) or _cjk(t[s]) or _cjk(t[s - 1])


def _boundary_end(t: str, e: int) -> bool:
    if e <= 0 or t[e - 1] == " ":
        return False
    return (
        e == len(t) or not (t[e - 1].isalnum() and t[e].isalnum()) or _cjk(t[e]) or _cjk(t[e - 1])
    )


def fuzzy_window(needle: str, haystack: str) -> tuple[int, int, float]:
    """(start, end, similarity 0-100) of the window of `haystack` most like `needle`:
    rapidfuzz's partial-ratio window, its ends then moved to word boundaries within a
    third of the needle's length to maximize the full ratio (an edit that adds or drops
    words changes the window's length, which a fixed-length window cannot follow)."""
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(needle, haystack)
    if found is None or found.score == 0:
        return 0, 0, 0.0
    ds, de = found.dest_start, found.dest_end
    reach = max(3, len(needle) // 3)
    lo, hi = max(0, ds - reach), min(len(haystack), de + reach)
    starts = {ds} | {
        s for s in range(lo, min(ds + reach, len(haystack))) if _boundary_start(haystack, s)
    }
    ends = {de} | {e for e in range(max(1, de - reach), hi + 1) if _boundary_end(haystack, e)}
    best = (ds, de, fuzz.ratio(needle, haystack[ds:de]))
    for s in starts:
        for e in ends:
            if e <= s:
                continue
            score = fuzz.ratio(needle, haystack[s:e], score_cutoff=best[2])
            if score > best[2] or (score == best[2] and score and e - s > best[1] - best[0]):
                best = (s, e, score)
    return best


# -- one phrase, all phrases ---------------------------------------------------------------
def _mapped(norm: Normalized, start: int, end: int) -> tuple[int, int, bool]:
    """A match in the normalized text as (original start, original end, glued)."""
    return (*norm.original(start, end), _glued(norm.text, start, end))


def _align_one(
    target: Target,
    phrase: str,
    threshold: float,
    taken: set[tuple[int, int]],
    placed: list[tuple[int, int]],
) -> Aligned:
    text = target.text
    needle = phrase.strip()
    if not needle:
        return Aligned(None, None, UNALIGNED, 0.0, "empty phrase")
    # 1. exact
    hits = [(s, s + len(needle), _glued(text, s, s + len(needle))) for s in _find_all(text, needle)]
    if (pick := _choose(hits, taken, placed)) is not None:
        return Aligned(*pick, EXACT, 1.0)
    # 2. placeholders of a de-identified phrase, in the raw text
    compiled = placeholder_pattern(needle)
    if compiled is not None:
        rx, note = compiled
        hits = [(m.start(), m.end(), _glued(text, m.start(), m.end())) for m in rx.finditer(text)]
        if (pick := _choose(hits, taken, placed)) is not None:
            return Aligned(*pick, PLACEHOLDER, 1.0, note)
    # 3. normalized (and placeholders in the normalized text)
    norm, p = target.norm, normalize(needle).text
    if not p:
        return Aligned(None, None, UNALIGNED, 0.0, "nothing left of the phrase once normalized")
    hits = [_mapped(norm, s, s + len(p)) for s in _find_all(norm.text, p)]
    if (pick := _choose(hits, taken, placed)) is not None:
        return Aligned(*pick, NORMALIZED, 1.0)
    compiled = placeholder_pattern(needle, normalized=True)
    if compiled is not None:
        rx, note = compiled
        hits = [_mapped(norm, m.start(), m.end()) for m in rx.finditer(norm.text)]
        if (pick := _choose(hits, taken, placed)) is not None:
            return Aligned(*pick, PLACEHOLDER, 1.0, note)
    # 4. fuzzy
    if not norm.text:
        return Aligned(None, None, UNALIGNED, 0.0, "empty text")
    s, e, score = fuzzy_window(p, norm.text)
    similarity = round(score / 100, 4)
    if score and similarity >= threshold:
        start, end = norm.original(s, e)
        if (start, end) in taken:
            return Aligned(
                None, None, UNALIGNED, similarity, "already taken by an identical phrase"
            )
        return Aligned(start, end, FUZZY, similarity)
    return Aligned(None, None, UNALIGNED, similarity, "not found")


def align_all(
    text: str,
    phrases: Sequence[str],
    threshold: float,
    groups: Sequence[str] | None = None,
) -> list[Aligned]:
    """Align every phrase in `text`; `groups` (e.g. span family + annotator), when given,
    are what "a phrase of the same group already placed" means: identical phrases take
    distinct occurrences only within a group. Results are in input order."""
    target = Target(text)
    groups = groups or [""] * len(phrases)
    taken: dict[str, set[tuple[int, int]]] = {}
    placed: dict[str, list[tuple[int, int]]] = {}
    out: list[Aligned | None] = [None] * len(phrases)
    for i in sorted(range(len(phrases)), key=lambda k: (-len(phrases[k].strip()), k)):
        phrase = phrases[i].strip()
        used = taken.setdefault(f"{groups[i]}\x1f{phrase}", set())
        group = placed.setdefault(groups[i], [])
        found = _align_one(target, phrase, threshold, used, group)
        if found.ok:
            used.add((found.start, found.end))  # type: ignore[arg-type]
            group.append((found.start, found.end))  # type: ignore[arg-type]
        out[i] = found
    return out  # type: ignore[return-value]


def total_score(aligned: Sequence[Aligned]) -> float:
    """How well a candidate text holds the phrases: the sum of the accepted scores."""
    return sum(a.score for a in aligned if a.ok)
