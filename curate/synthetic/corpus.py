"""Labelled synthetic corpus for measuring de-identification.

Why: recall cannot be measured on the real posts (their identifiers are exactly what must
never leave the vault), so known identifiers are planted into hand-written peer-support
templates and their code-point offsets recorded. `keep` spans mark the dataset's cultural
content (nationality, religion, practices, subreddits) that a de-identifier must NOT remove,
so over-redaction is measured too.

Template text outside placeholders holds no names, emails, phones, URLs, handles or IPs, so
every identifier in a document is a labelled one. Markup: `{TYPE}` / `{TYPE:variant}` is a
planted identifier (or a `{SUBREDDIT}` keep span drawn from a pool); `[[TYPE|text]]` is a
literal keep span.

The sentences are data (`data/corpus.yaml`, `data/hard.yaml`, read by
`curate.synthetic.templates`); the values come from the shared planter
(`curate.synthetic.planter`). By default (`hard=True`) every post also carries the hard
cases: a name written the way real posts write it (lower-cased, a
nickname, an initial, glued to an Arabic or Hebrew clitic, after a title, in Latin
letters inside Arabic, Hebrew or Chinese text, inside dialect), a public name that must
be kept (`PUBLIC`), informal or mixed-language filler, and harder identifier shapes
(Reddit's `Adjective-Noun-1234` names, links without a scheme). A post then has a
culture (its allowlist section) and each PERSON span a `style`, so recall can be read
per style. `hard=False` gives the template-only corpus of before, unchanged.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from curate.synthetic.planter import Planter, fill
from curate.synthetic.templates import HARD, TEMPLATES
from curate.synthetic.words import word_count

ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "URL",
    "REDDIT_USERNAME",
    "SOCIAL_HANDLE",
    "IP_ADDRESS",
)
KEEP_TYPES: tuple[str, ...] = ("NRP", "CULTURAL_TERM", "SUBREDDIT", "PUBLIC")
LANGUAGES: tuple[str, ...] = ("en", "de", "ar", "he", "zh")
EMOJI: tuple[str, ...] = ("😔", "🙏", "❤️", "😢", "💔")

_MIN_WORDS, _MAX_WORDS = 60, 160
_EMOJI_RATE = 0.2


@dataclass(frozen=True)
class Entity:
    """A labelled span; offsets are Python code points into the document text."""

    start: int
    end: int
    type: str
    text: str
    style: str | None = None  # what makes a planted name hard ("nickname", "clitic" ...)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end or self.end - self.start != len(self.text):
            raise ValueError(f"bad span {self.start}:{self.end} for {self.text!r}")


@dataclass(frozen=True)
class EvalDoc:
    """One post with its identifiers (`entities`) and must-keep cultural spans (`keep`)."""

    id: str
    language: str
    text: str
    entities: tuple[Entity, ...]
    keep: tuple[Entity, ...]
    culture: str | None = None  # the allowlist section a post of the dataset would have

    def __post_init__(self) -> None:
        # Validated on construction so a corrupted JSONL file fails loudly on read.
        spans = sorted((*self.entities, *self.keep), key=lambda e: (e.start, e.end))
        for span in spans:
            if self.text[span.start : span.end] != span.text:
                raise ValueError(f"{self.id}: offsets do not match {span.text!r}")
        for left, right in pairwise(spans):
            if right.start < left.end:
                raise ValueError(f"{self.id}: overlapping spans {left.text!r}, {right.text!r}")


_Span = tuple[int, int, str, bool, str | None]  # start, end, type, is_keep, style
_Part = tuple[str, list[_Span]]


def _render(template: str, planter: Planter, style: str | None = None) -> _Part:
    """Fill one template; spans are relative to the returned sentence. Its names get
    `style`."""
    out: list[str] = []
    spans: list[_Span] = []
    pos = 0
    for part in fill(template, planter.fill):
        if part.slot is not None:
            if part.slot not in ENTITY_TYPES + KEEP_TYPES:
                raise ValueError(f"unknown slot {part.slot!r} in {template!r}")
            is_keep = part.literal or part.slot in KEEP_TYPES
            style_ = style if part.slot == "PERSON" else None
            spans.append((pos, pos + len(part.text), part.slot, is_keep, style_))
        out.append(part.text)
        pos += len(part.text)
    return "".join(out), spans


def _build_doc(
    doc_id: str, language: str, planter: Planter, kinds: Sequence[str], index: int = 0
) -> EvalDoc:
    rng, t = planter.rng, TEMPLATES[language]
    opener = rng.choice(t.openers)
    if rng.random() < _EMOJI_RATE:  # before every entity, so offsets must count code points
        opener += (" " if t.sep else "") + rng.choice(EMOJI)
    culture = rng.sample(t.culture, 2)
    person = rng.choice(t.slots["PERSON"])
    body_templates = [culture[0], person]
    body_templates += [rng.choice(t.slots[kind]) for kind in kinds]
    styles: dict[str, str] = {}  # PERSON template -> the style of its names
    doc_culture = None
    if planter.hard:
        # one hard name per post, its style in turn; it replaces the easy one in 60 % of
        # posts and joins it in the rest. One public name, of the post's culture.
        hard = HARD[language]
        style = list(hard.people)[index % len(hard.people)]
        hard_person = rng.choice(hard.people[style])
        styles = {person: "plain", hard_person: style}
        if rng.random() < 0.6:
            body_templates[1] = hard_person
        else:
            body_templates.append(hard_person)
        doc_culture = hard.cultures[index % len(hard.cultures)]
        body_templates.append(
            rng.choice(hard.public.get(doc_culture, ()) + hard.public.get("all", ()))
        )
    if rng.random() < 0.3:
        body_templates.append(culture[1])
    rng.shuffle(body_templates)
    body = [_render(x, planter, styles.get(x)) for x in body_templates]
    closer = rng.choice(t.closers)

    def total(parts: list[_Part]) -> int:
        return word_count(" ".join(s for s, _ in parts) + f" {opener} {closer}", language)

    target = rng.randint(_MIN_WORDS + 10, _MAX_WORDS - 30)
    fillers = rng.sample(t.fillers, len(t.fillers))
    first_hard = None
    if planter.hard:  # one informal, dialect or mixed-language filler in every post
        fillers = rng.sample(fillers + list(HARD[language].fillers), len(fillers) + 2)
        first_hard = rng.choice(HARD[language].fillers)
        fillers = [first_hard, *(f for f in fillers if f != first_hard)]
    for filler in fillers:
        if total(body) >= target and filler is not first_hard:
            break
        candidate: _Part = (filler, [])
        if total([*body, candidate]) <= _MAX_WORDS:
            body.insert(rng.randint(0, len(body)), candidate)

    paragraphs: list[list[_Part]] = [[(opener, [])], body, [(closer, [])]]
    text = ""
    entities: list[Entity] = []
    keep: list[Entity] = []
    for p_index, paragraph in enumerate(paragraphs):
        if p_index:
            text += "\n\n"
        for s_index, (sentence, spans) in enumerate(paragraph):
            if s_index:
                text += t.sep
            base = len(text)
            text += sentence
            for start, end, kind, is_keep, style in spans:
                span = Entity(base + start, base + end, kind, sentence[start:end], style)
                (keep if is_keep else entities).append(span)
    return EvalDoc(doc_id, language, text, tuple(entities), tuple(keep), doc_culture)


def build_corpus(
    per_language: int = 40,
    seed: int = 13,
    languages: Sequence[str] = LANGUAGES,
    hard: bool = True,
) -> list[EvalDoc]:
    """`per_language` labelled posts per language, identical for identical arguments.
    `hard=False`: the template-only corpus (easy names, no public names)."""
    others = [kind for kind in ENTITY_TYPES if kind != "PERSON"]
    docs: list[EvalDoc] = []
    for language in languages:
        if language not in TEMPLATES:
            raise ValueError(f"unsupported language {language!r}; have {sorted(TEMPLATES)}")
        # One stream per language (seeded from `seed`), so a language's docs do not depend
        # on which other languages were asked for.
        planter = Planter(language, random.Random(f"{seed}:{language}"), seed, hard)
        cursor = 0
        for index in range(per_language):
            # Round-robin over the non-name types: every type appears in any ~3 docs.
            n = 2 + index % 2
            kinds = [others[(cursor + j) % len(others)] for j in range(n)]
            cursor += n
            docs.append(_build_doc(f"{language}-{index:03d}", language, planter, kinds, index))
    return docs


def _span_json(span: Entity) -> dict[str, int | str]:
    out: dict[str, int | str] = {
        "start": span.start,
        "end": span.end,
        "type": span.type,
        "text": span.text,
    }
    if span.style:
        out["style"] = span.style
    return out


def write_jsonl(docs: Iterable[EvalDoc], path: str | Path) -> None:
    """One JSON object per line, UTF-8 unescaped, so the file reads like the posts."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for doc in docs:
            record = {
                "id": doc.id,
                "language": doc.language,
                "text": doc.text,
                "entities": [_span_json(e) for e in doc.entities],
                "keep": [_span_json(e) for e in doc.keep],
            }
            if doc.culture:
                record["culture"] = doc.culture
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[EvalDoc]:
    """Inverse of `write_jsonl`; raises ValueError if any span's offsets do not match."""
    docs: list[EvalDoc] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            docs.append(
                EvalDoc(
                    id=obj["id"],
                    language=obj["language"],
                    text=obj["text"],
                    entities=tuple(Entity(**e) for e in obj["entities"]),
                    keep=tuple(Entity(**e) for e in obj["keep"]),
                    culture=obj.get("culture"),
                )
            )
    return docs


def type_counts(docs: Iterable[EvalDoc]) -> dict[str, Counter[str]]:
    """Entity counts per language and type, for reports and coverage checks."""
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        counts.setdefault(doc.language, Counter()).update(e.type for e in doc.entities)
    return counts
