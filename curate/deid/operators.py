"""Replacement: what happens to each detected entity, by the policy's operator for its
type, with an offset map from the original to the de-identified text.

Kept apart from detection (as Presidio keeps analyzer and anonymizer apart). The
replacement is done here rather than by presidio-anonymizer because the offset map and
per-document pseudonym numbering need the exact original and new position of every
replacement, which the anonymizer's merged output does not give back one to one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from curate.deid.offsets import Edit, OffsetMap
from curate.deid.policy import Policy
from curate.errors import CurateError


@dataclass(frozen=True, slots=True)
class Detection:
    """A detected entity (from a Presidio RecognizerResult), in original offsets."""

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    unsure: str | None = None  # why the machine is unsure (goes to the curator's review)
    operator: str | None = None  # set by a curator override or the allowlist, else policy


@dataclass(frozen=True, slots=True)
class Override:
    """A curator's verdict on one region of one field of a record (original offsets):
    `remove` replaces it whatever the detectors say, `keep` leaves it whatever they say.
    Stored per record and applied on every re-run."""

    start: int
    end: int
    verdict: str  # "remove" | "keep"
    entity_type: str = "PERSON"


@dataclass(slots=True)
class Decision:
    """What was done with one detection; stored in the vault for review."""

    field: str
    start: int
    end: int
    entity_type: str
    recognizer: str
    score: float
    operator: str
    new_start: int | None = None
    new_end: int | None = None
    unsure: str | None = None


def from_presidio(results: list[Any]) -> list[Detection]:
    out = []
    for r in results:
        meta = r.recognition_metadata or {}
        name = meta.get("recognizer_name") or (
            r.analysis_explanation.recognizer if r.analysis_explanation else "?"
        )
        unsure = meta.get("unsure")
        out.append(
            Detection(
                r.start,
                r.end,
                r.entity_type,
                float(r.score),
                str(name),
                str(unsure) if unsure else None,
            )
        )
    return out


def resolve(
    detections: list[Detection],
    policy: Policy,
    language: str,
    never_person: frozenset[str] = frozenset(),
    text: str = "",
    known_names: frozenset[str] = frozenset(),
    listed_names: frozenset[str] | None = None,
) -> list[Detection]:
    """Drop detections under their threshold; of overlapping ones keep one, preferring
    entities that get replaced (privacy first), then the higher score, then the longer.

    A person name the machine is unsure of is not dropped: scored just under the
    threshold (within the policy's `review.near_threshold`) it is kept and marked for
    the curator's review; just over it, replaced and marked."""
    margin = float((policy.data.get("review") or {}).get("near_threshold", 0.1))
    ner_person = [
        (d.start, d.end)
        for d in detections
        if d.entity_type == "PERSON" and d.recognizer.startswith("SpacyRecognizer")
    ]
    gaz_score = float((policy.data.get("gazetteer") or {}).get("score", 0.6))
    kept = []
    for d in detections:
        if d.end <= d.start:
            continue
        threshold = policy.threshold(d.entity_type, language)
        if d.entity_type == "URL" and text and not _plausible_url(text[d.start : d.end]):
            continue
        if d.entity_type == "PERSON" and text and d.operator is None:
            d = _trim_person(d, text, language, known_names)
            if d is None or text[d.start : d.end].casefold() in never_person:
                continue  # nothing name-like left, or a cultural term ('Jewish')
            if d.recognizer.startswith("SpacyRecognizer") and not _name_listed(
                text[d.start : d.end], known_names if listed_names is None else listed_names
            ):
                # the English model alone ('Kindergarten', 'Notary', 'Childhood Trauma'):
                # no word of it is a listed name: under the bar, for review
                d = dataclasses.replace(
                    d, score=min(d.score, threshold - margin / 2), unsure="NER only, no known name"
                )
            if (
                d.recognizer == "NameGazetteerRecognizer_en"
                and d.score <= gaz_score
                and not any(s < d.end and d.start < e for s, e in ner_person)
            ):
                # a name-list word the model did not read as a name, with no context
                # word around it ('the Yulin festival', 'Grad school'): for review
                d = dataclasses.replace(
                    d, score=min(d.score, threshold - margin / 2), unsure="name list, no context"
                )
            if d.score < threshold and d.unsure is not None and d.score >= threshold / 2:
                # the recognizer itself is unsure (a name-list hit without context):
                # not replaced, but queued for the curator
                d = dataclasses.replace(d, operator="keep")
            elif threshold - margin <= d.score < threshold:
                d = dataclasses.replace(
                    d, operator="keep", unsure=d.unsure or "score near threshold"
                )
            elif threshold <= d.score < threshold + margin / 2 and d.unsure is None:
                d = dataclasses.replace(d, unsure="score near threshold")
        if d.score < threshold and d.operator is None:
            continue
        kept.append(d)
    # before merging: a list's hit on what NER read as an organisation gives way, a
    # cue recognizer's name on the same words does not ("my sister Debbie Bell")
    kept = _defer_to_ner(kept, text, known_names)
    kept = _merge_same_type(kept)
    # a public name inside an e-mail, a link, a handle or a subreddit ('youtube.com/
    # @jonas', 'r/germany') is part of that match, not a name of its own; a handle
    # inside a link is part of the link, which is replaced whole
    patterns = [d for d in kept if _is_pattern(d)]
    # a public name inside a longer person name ('Youssef Nasser', 'Hillel Cohen') is
    # part of a private name, not the public one
    persons = [
        d for d in kept if d.entity_type == "PERSON" and d.operator is None and d.score >= 0.5
    ]
    kept = [
        d
        for d in kept
        if not (
            d.recognizer == "Allowlist"
            and any(
                p.start <= d.start and d.end <= p.end and (p.end - p.start) > (d.end - d.start)
                for p in persons
            )
        )
    ]
    kept = [
        d
        for d in kept
        if not (
            (d.recognizer == "Allowlist" and d.entity_type != "URL")
            and any(p.start < d.end and d.start < p.end for p in patterns)
        )
        and not (
            _is_pattern(d)
            and any(
                p is not d
                and p.start <= d.start
                and d.end <= p.end
                and p.end - p.start > d.end - d.start
                for p in patterns
            )
        )
    ]
    kept.sort(key=lambda d: (_priority(d, policy), -d.score, -(d.end - d.start), d.start))
    chosen: list[Detection] = []
    for d in kept:
        if all(d.end <= c.start or d.start >= c.end for c in chosen):
            chosen.append(d)
    return sorted(chosen, key=lambda d: d.start)


def _name_listed(value: str, known_names: frozenset[str]) -> bool:
    """A word of `value` is a known first name ('John', not 'Grace' the word)."""
    return any(w.casefold().strip(".,'’") in known_names for w in value.split())


def _trim_person(
    d: Detection, text: str, language: str, known_names: frozenset[str] = frozenset()
) -> Detection | None:
    """Clean up a PERSON detection, or drop it.

    NER takes in emoji and pronouns ('😔 My'), cultural words ('Jannah', 'Hadith'),
    brands and kinship words ('Facebook', 'Mum'), lower-case words ('kinda'), and,
    for the English model, words of scripts it cannot read: trim what is not a letter
    at the ends, and drop what is no name."""
    from curate.deid.data import cultural_terms, stop_words, zipf

    start, end = d.start, d.end
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    if text[max(start, end - 2) : end] in ("'s", "’s"):
        end -= 2  # "Sarah Miller's": the possessive is not part of the name
    raw_words = text[start:end].split()
    words = [w.casefold().strip(".,'’") for w in raw_words]
    noise = stop_words(language) | stop_words("en") | cultural_terms()
    if not words or all(w in noise for w in words):
        return None
    if d.recognizer.startswith("SpacyRecognizer"):
        if not any(_LATIN_UPPER.match(w) for w in raw_words):
            return None  # no capitalized Latin word: not a name the model can know
        if len(words) == 1 and zipf(words[0], "en") >= 4.3 and words[0] not in known_names:
            return None  # a common word ('Facebook', 'Moderate'), not a name ('John')
        if all((zipf(w, "en") >= 4.5 and w not in known_names) or w in noise for w in words):
            return None  # 'Good People', 'Orthodox Rabbis'

    return dataclasses.replace(d, start=start, end=end)


# The shape of every placeholder these operators write (`<PERSON>`, `<PERSON_1>`), for
# the readers that must recognise one in de-identified text (scan, right-to-left pages).
PLACEHOLDER = re.compile(r"<[A-Z_]+(?:_\d+)?>")
_LATIN_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_URL_TLDS = frozenset(
    "com org net edu gov io co me info app dev ly gg tv de at ch uk us ca au il eg sa ae "
    "jo lb cn tw hk fr it es nl eu ru in jp kr br".split()
)


def _plausible_url(text: str) -> bool:
    """Presidio's URL pattern also takes 'do..no' or 'sein.Na' (a missing space after a
    full stop) for domains: without a scheme or 'www.', ask for a lower-case host of
    three letters or more and a common top-level domain."""
    low = text.casefold()
    if low.startswith(("http://", "https://", "ftp://", "www.")):
        return True
    if ".." in text:
        return False
    host = text.split("/", 1)[0]
    labels = host.split(".")
    return (
        len(labels) >= 2
        and host == host.casefold()
        and labels[-1] in _URL_TLDS
        and len(labels[-2]) >= 3
    )


def _defer_to_ner(
    detections: list[Detection], text: str = "", known_names: frozenset[str] = frozenset()
) -> list[Detection]:
    """Where the NER model read the very same words as a place, an organization or a
    date ('Santa Barbara', 'Sinai'), or read a place or organization around them ('UC
    Davis'), a gazetteer's 'name' on them is dropped: the model saw the context, the
    list did not. ('Jewish Anna' read as a group keeps 'Anna'; a known first name the
    model took for a place, 'Tahlia', stays a name.)"""
    ner_other = [
        d
        for d in detections
        if d.recognizer.startswith("SpacyRecognizer") and d.entity_type != "PERSON"
    ]
    if not ner_other:
        return detections

    def defer(d: Detection) -> bool:
        if not d.recognizer.startswith("NameGazetteer"):
            return False
        words = [w.casefold().strip(".,'’") for w in text[d.start : d.end].split()]
        if words and all(w in known_names for w in words):
            return False
        return any(
            (d.start <= o.start and o.end <= d.end)
            or (
                o.entity_type in ("ORGANIZATION", "LOCATION")
                and o.start <= d.start
                and d.end <= o.end
            )
            for o in ner_other
        )

    return [d for d in detections if not defer(d)]


def _merge_same_type(detections: list[Detection]) -> list[Detection]:
    """Overlapping detections of one type become their union ('+49 (0)152 …' found whole
    by one recognizer and in part by another is one phone number)."""
    out: list[Detection] = []
    for d in sorted(detections, key=lambda d: (d.entity_type, d.start)):
        last = out[-1] if out else None
        if last and last.entity_type == d.entity_type and d.start < last.end:
            best = last if last.score >= d.score else d
            out[-1] = Detection(
                last.start,
                max(last.end, d.end),
                d.entity_type,
                max(last.score, d.score),
                best.recognizer,
                best.unsure,
                best.operator,
            )
        else:
            out.append(d)
    return out


def _is_pattern(d: Detection) -> bool:
    """Found by a pattern (an e-mail, a URL, a handle), not guessed by a model or a list."""
    return d.recognizer not in ("Allowlist", "curator") and not (
        d.entity_type == "PERSON" or d.recognizer.startswith("SpacyRecognizer")
    )


def _priority(d: Detection, policy: Policy) -> int:
    """A pattern match (an e-mail, a URL, a subreddit) before a public name the
    allowlist keeps, before a statistical guess (NER may take 'See https://…' or
    'r/GradSchool' for a name, a name list 'Rebbe Nachman'); then replaced before kept."""
    if d.recognizer == "Allowlist":
        return 1
    statistical = d.recognizer != "curator" and (
        d.entity_type == "PERSON" or d.recognizer.startswith("SpacyRecognizer")
    )
    return 2 * statistical + ((d.operator or policy.operator(d.entity_type)) == "keep")


@dataclass
class Pseudonyms:
    """Per-document replacement memory: the same value gets the same replacement across
    a post's title, text and response (and its annotated phrases)."""

    seed: str
    culture: str | None = None
    locales: dict[str, str] = field(default_factory=dict)
    _numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)
    _fakes: dict[tuple[str, str], str] = field(default_factory=dict)

    @staticmethod
    def key(value: str) -> str:
        return " ".join(value.casefold().split()).lstrip("/@")

    def number(self, entity_type: str, value: str) -> int:
        k = (entity_type, self.key(value))
        if k not in self._numbers:
            same = self._same_person(k[1]) if entity_type == "PERSON" else None
            if same is None:
                self._counts[entity_type] = self._counts.get(entity_type, 0) + 1
                same = self._counts[entity_type]
            self._numbers[k] = same
        return self._numbers[k]

    def _same_person(self, key: str) -> int | None:
        """'Jonas' after 'Jonas Weber' (or before it) is the same person."""
        words = set(key.split())
        for (etype, other), n in self._numbers.items():
            others = set(other.split())
            if etype == "PERSON" and (words <= others or others <= words):
                return n
        return None

    def surrogate(self, entity_type: str, value: str) -> str:
        k = (entity_type, self.key(value))
        if k not in self._fakes:
            self._fakes[k] = _fake(entity_type, value, self._locale(), f"{self.seed}|{k}")
        return self._fakes[k]

    def _locale(self) -> str:
        return self.locales.get(self.culture or "", self.locales.get("default", "en_US"))


def _fake(entity_type: str, value: str, locale: str, seed: str) -> str:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(int(hashlib.sha256(seed.encode()).hexdigest()[:12], 16))
    makers = {
        "PERSON": fake.name,
        "EMAIL_ADDRESS": fake.email,
        "PHONE_NUMBER": fake.phone_number,
        "URL": lambda: "https://example.org/" + fake.slug(),
        "REDDIT_USERNAME": lambda: "u/" + fake.user_name(),
        "SOCIAL_HANDLE": lambda: "@" + fake.user_name(),
        "IP_ADDRESS": fake.ipv4_private,
    }
    return makers.get(entity_type, lambda: f"<{entity_type}>")()


def _generalize(entity_type: str, value: str) -> str:
    if entity_type == "AGE" and (m := re.search(r"\d+", value)):
        return f"{int(m.group()) // 10 * 10}s"
    if entity_type == "DATE_TIME" and (m := re.search(r"\b(1[89]|20)\d{2}\b", value)):
        return m.group()
    return f"<{entity_type}>"


def replacement(operator: str, entity_type: str, value: str, pseudo: Pseudonyms) -> str | None:
    """The new text for one entity, or None to keep it."""
    if operator == "keep":
        return None
    if operator == "redact":
        return ""
    if operator == "tag":
        return f"<{entity_type}>"
    if operator == "surrogate":
        return pseudo.surrogate(entity_type, value)
    if operator == "generalize":
        return _generalize(entity_type, value)
    return f"<{entity_type}_{pseudo.number(entity_type, value)}>"


def apply(
    text: str, detections: list[Detection], policy: Policy, pseudo: Pseudonyms, field_name: str
) -> tuple[str, OffsetMap, list[Decision]]:
    """Replace the (resolved, non-overlapping) detections in `text`."""
    out: list[str] = []
    edits: list[Edit] = []
    decisions: list[Decision] = []
    cursor = shift = 0
    for d in detections:
        op = d.operator or policy.operator(d.entity_type)
        value = text[d.start : d.end]
        new = replacement(op, d.entity_type, value, pseudo)
        decision = Decision(
            field_name,
            d.start,
            d.end,
            d.entity_type,
            d.recognizer,
            round(d.score, 4),
            op,
            unsure=d.unsure,
        )
        decisions.append(decision)
        if new is None:
            decision.new_start, decision.new_end = d.start + shift, d.end + shift
            continue
        out.append(text[cursor : d.start])
        new_start = d.start + shift
        out.append(new)
        edits.append(Edit(d.start, d.end, new_start, new_start + len(new), d.entity_type))
        decision.new_start, decision.new_end = new_start, new_start + len(new)
        shift += len(new) - (d.end - d.start)
        cursor = d.end
    out.append(text[cursor:])
    new_text = "".join(out)
    return new_text, OffsetMap(edits, len(text), len(new_text)), decisions


CURATOR = "curator"  # the recognizer name of a decision a curator's verdict made


def apply_overrides(
    detections: list[Detection], overrides: list[Override], policy: Policy | None = None
) -> list[Detection]:
    """The detections of one text with the curator's verdicts on it applied.

    `detections` are resolved (non-overlapping) detections in original offsets; the
    result is too, sorted. `keep`: every detection lying inside the verdict's region is
    kept (operator `keep`, recognizer `curator`); one reaching beyond it is left as it
    is (the curator did not see the rest). `remove`: the region is replaced, grown to
    cover the detections it overlaps (privacy first), which give way to it; kept ones
    that overlap it are dropped (their words outside the region stay as they are). A
    remove wins over a keep on the same words. Applying twice gives the same result, so
    it can run after every detection pass. With the `policy`: a remove of an entity type
    the policy keeps is tagged (`<LOCATION>`), for a remove always removes."""
    for o in overrides:
        if o.verdict not in ("keep", "remove"):
            raise CurateError(f"unknown verdict {o.verdict!r} (remove or keep)")
    out = list(detections)
    for o in (o for o in overrides if o.verdict == "keep"):
        out = [
            dataclasses.replace(d, operator="keep", recognizer=CURATOR, score=1.0, unsure=None)
            if o.start <= d.start and d.end <= o.end
            else d
            for d in out
        ]
    for o in sorted((o for o in overrides if o.verdict == "remove"), key=lambda o: o.start):
        touching = [d for d in out if d.start < o.end and o.start < d.end]
        grow = [d for d in touching if d.operator != "keep"]
        start = min([o.start, *(d.start for d in grow)])
        end = max([o.end, *(d.end for d in grow)])
        operator = None
        if policy is not None and policy.operator(o.entity_type) == "keep":
            operator = "tag"
        out = [d for d in out if d not in touching]
        out.append(Detection(start, end, o.entity_type, 1.0, CURATOR, None, operator))
    return sorted(out, key=lambda d: d.start)
