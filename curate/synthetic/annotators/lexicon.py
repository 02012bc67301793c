"""The "true" labels of the demo corpus: what `curate.synthetic.dump` planted, phrase by
phrase.

The generator (`curate.synthetic.dump`) builds every post and response from hand-written
template sentences but records only the personal identifiers it plants, not which
sentence expresses distress, culture or support. This map (`data/lexicon.yaml`) supplies
that, keyed by fragments of its templates: each entry is a phrase that occurs verbatim
in one template (outside its {slots}), the field it is found in, its span family and the
family's value.

Values are written as ALIASES (a lowercase word of the value, e.g. `norms`), resolved
against `schemas/taxonomy.yaml` at run time (`resolve`): the taxonomy stays the one copy
of the label names, and a renamed value fails loudly instead of silently drifting.

The assignments are one reasonable reading of the synthetic sentences (openers are
strong distress, details lighter; cultural cues carry one or two typed signals;
response sentences one strategy each), not a gold standard. `tests/annotate/
test_demo_annotate.py` checks that every phrase still occurs in a template of
`curate.synthetic.dump`, so a change to the generator shows up here.

Empathy is derived from the true strategies of the response (`empathy_truth`);
demographics from the few facts the posts state (`DEMOGRAPHICS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curate.schema import Taxonomy
from curate.synthetic.data import load

DISTRESS = "emotional_distress"
CULTURE = "cultural_signal"
SUPPORT = "emotional_support"

Entry = tuple[str, str, str, str]  # (field, phrase, family, value alias)


# The entries: data/lexicon.yaml of `curate.synthetic`.
SPANS: tuple[Entry, ...] = tuple(tuple(entry) for entry in load("lexicon")["spans"])
# Facts a post states about its writer: (phrase, demographic field, value); first match
# per field wins (title first, then the post in text order).
DEMOGRAPHICS: tuple[tuple[str, str, str], ...] = tuple(
    tuple(entry) for entry in load("lexicon")["demographics"]
)


@dataclass(frozen=True)
class TrueSpan:
    field: str
    start: int  # code points
    end: int
    family: str
    value: str  # the taxonomy value (resolved alias)


def resolve(taxonomy: Taxonomy, family: str, alias: str) -> str:
    """The taxonomy value of `family` that `alias` names: the value itself (any case) or
    the one value having `alias` as a word. Raises ValueError otherwise."""
    values = taxonomy.family(family).values
    exact = [v for v in values if v.lower() == alias]
    if exact:
        return exact[0]
    hits = [v for v in values if alias in v.lower().replace("-", " ").split()]
    if len(hits) != 1:
        raise ValueError(f"alias {alias!r} names {len(hits)} values of {family}: {hits}")
    return hits[0]


# What the simulated annotators count as one character-word (CJK blocks, compatibility
# and full-width forms): declared once, for `occurrences` and the word splitter of
# `simulate.py`.
CJK_CLASS = "\u3000-\u9fff\uf900-\uffef"
_CJK = re.compile(f"[{CJK_CLASS}]")


def _cjk(ch: str) -> bool:
    return _CJK.fullmatch(ch) is not None


def occurrences(text: str, phrase: str) -> list[int]:
    """Start offsets of `phrase` in `text` as a whole phrase: not glued to a letter or
    digit on either side (CJK, written without spaces, may touch anything)."""
    out, i = [], text.find(phrase)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + len(phrase)] if i + len(phrase) < len(text) else " "
        glued = (before.isalnum() and not (_cjk(before) or _cjk(phrase[0]))) or (
            after.isalnum() and not (_cjk(after) or _cjk(phrase[-1]))
        )
        if not glued:
            out.append(i)
        i = text.find(phrase, i + 1)
    return out


def true_spans(taxonomy: Taxonomy, texts: dict[str, str]) -> list[TrueSpan]:
    """Every planted span in the texts ({field: text}), in text order. Longer phrases
    win: a phrase inside a longer one of the same family is not a span of its own."""
    found: list[TrueSpan] = []
    entries = sorted(SPANS, key=lambda e: -len(e[1]))
    for field, phrase, family, alias in entries:
        text = texts.get(field) or ""
        if family not in taxonomy.families or field not in taxonomy.family(family).fields:
            continue
        value = resolve(taxonomy, family, alias)
        for start in occurrences(text, phrase):
            end = start + len(phrase)
            if any(
                s.field == field and s.family == family and s.start < end and start < s.end
                for s in found
            ):
                continue
            found.append(TrueSpan(field, start, end, family, value))
    return sorted(found, key=lambda s: (s.field, s.start, s.end, s.family))


def empathy_truth(taxonomy: Taxonomy, spans: list[TrueSpan], response: str) -> int | None:
    """Empathy from the response's true strategies: none for an empty response; the
    lowest score without support; else one step above it, plus one each for reflected
    feelings, for affirmation, and for a rich response (5+ support spans)."""
    if not response.strip():
        return None
    scale = sorted(taxonomy.empathy)
    support = [s for s in spans if s.family == SUPPORT]
    if not support:
        return scale[0]
    kinds = {s.value for s in support}
    score = 1
    score += resolve(taxonomy, SUPPORT, "reflection") in kinds
    score += resolve(taxonomy, SUPPORT, "affirmation") in kinds
    score += len(support) >= 5
    return scale[min(score, len(scale) - 1)]


def demographics_truth(taxonomy: Taxonomy, title: str, post: str) -> dict[str, str]:
    """{field: value} the title or post states, first match per field."""
    out: dict[str, str] = {}
    hits = []
    for order, text in enumerate((title or "", post or "")):
        for phrase, field, value in DEMOGRAPHICS:
            for start in occurrences(text, phrase):
                hits.append((order, start, field, value))
    for _, _, field, value in sorted(hits):
        if field in taxonomy.demographic_fields:
            out.setdefault(field, value)
    return out
