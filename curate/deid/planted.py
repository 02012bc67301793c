"""Identifiers planted in real phrases: recall and collateral damage on real text.

Why: the synthetic corpus measures recall on sentences written for it, and the
hand-labelled real phrases hold almost no private identifier (19 in 4296), so neither
says how well a name or an e-mail address is found *inside the text people really
write*: dialect, lower case, religious vocabulary, quotes, run-on sentences. Here real
phrases of the released data are the carriers: an identifier is planted into each (a
name with or without a cue phrase of the carrier's language, an e-mail address, a phone
number, a URL, a Reddit username, a handle, an IP address; before the phrase, after it,
or at a sentence boundary inside it) with its offsets recorded, and the whole engine
de-identifies the result. Two figures come out, per language and type:

- recall: planted identifiers whose every letter and digit was replaced;
- carrier unchanged: planted phrases in which nothing outside the planted identifier
  (carrier text or the cue words around it) was replaced. Beside it, the share of the
  carriers left unchanged when de-identified alone, without anything planted.

A carrier's language is read from its text (script, then langid), not from its
culture: most Jewish-, Arabic- and Chinese-culture phrases are English. Phrases the
hand labels (`../shared/deid-realtext/dev.jsonl`) mark as holding a private identifier
are left out; the unlabelled half may still hold a few (19 in 4296 in all).

The phrases are licensed data: nothing from them goes into results or reports (counts
only; the misses are given by language, type, cue and position).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.charclasses import ARABIC, HAN, HEBREW
from curate.errors import CurateError
from curate.synthetic.corpus import ENTITY_TYPES, LANGUAGES
from curate.synthetic.data import load
from curate.synthetic.planter import Planter

TYPES = ENTITY_TYPES
DEFAULT_DIR = Path("../shared/culturecare")
DEFAULT_LABELS = Path("../shared/deid-realtext/dev.jsonl")
# where the released records keep their annotated phrases
_PHRASE_FIELDS = (
    ("post", "emotional_distress"),
    ("post", "cultural_signals"),
    ("response", "emotional_support"),
    ("response", "cultural_signals"),
)
_SCRIPTS = (
    ("ar", re.compile(f"[{ARABIC}]")),
    ("he", re.compile(f"[{HEBREW}]")),
    ("zh", re.compile(f"[{HAN}]")),
)
_BOUNDARY = re.compile(r"(?<=[.!?؟])\s+(?=\S)|(?<=[。！？])(?=\S)")

# Frames written for this measurement, in each carrier language (`data/frames.yaml` of
# `curate.synthetic`). `{X}` is the planted identifier (`{F}`, `{M}`: a woman's, a man's
# name, to agree with the cue). "cue": a sentence that says who or what it is; "bare":
# the identifier with punctuation only (a name as address or signature, an address in
# brackets). Each frame is (before the carrier or inside it, after it).
_Frames = dict[str, dict[str, tuple[tuple[str, str], ...]]]
FRAMES: dict[str, _Frames] = {
    language: {
        kind: {cue: tuple((lead, tail) for lead, tail in frames) for cue, frames in cues.items()}
        for kind, cues in kinds.items()
    }
    for language, kinds in load("frames").items()
}
POSITIONS = ("before", "inside", "after")


@dataclass(frozen=True)
class Carrier:
    """A real phrase to plant into: its language (read from the text) and its culture."""

    language: str
    culture: str
    text: str


@dataclass(frozen=True)
class Planted:
    """A carrier with one identifier planted. `carrier` holds the spans of the planted
    text that are the carrier's own (two when the identifier went inside it)."""

    language: str
    culture: str
    text: str
    start: int
    end: int
    type: str
    cue: str  # "cue" | "bare"
    position: str  # "before" | "inside" | "after"
    carrier: tuple[tuple[int, int], ...]


def carrier_language(text: str) -> str | None:
    """The language of a phrase: its main non-Latin script; for Latin text English or
    German by the router's function-word vote when that is clear, else by langid
    (slower); anything else, or too short to tell, is None."""
    from curate.deid.segments import _vote
    from curate.langid import detect

    letters = sum(ch.isalpha() for ch in text)
    if not letters:
        return None
    for language, rx in _SCRIPTS:
        n = len(rx.findall(text)) * (3 if language == "zh" else 1)
        if n >= 0.3 * letters:
            return language
    vote = _vote(text)
    if abs(vote) >= 3:
        return "de" if vote > 0 else "en"
    language, _ = detect(text)
    return language if language in ("en", "de") else None


def _long_enough(text: str, language: str) -> bool:
    if language == "zh":
        return len(_SCRIPTS[2][1].findall(text)) >= 6
    return len(text.split()) >= 3


def load_carriers(release_dir: Path, labels: Path | None = None) -> tuple[list[Carrier], int]:
    """The distinct annotated phrases of the released records that can carry a planted
    identifier, and how many were left out because the hand labels mark a private
    identifier in them."""
    files = sorted(release_dir.glob("*_data.jsonl"))
    if not files:
        raise CurateError(f"{release_dir}: no *_data.jsonl (the released CultureCare records)")
    private: set[str] = set()
    if labels is not None and labels.is_file():
        with labels.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    if row.get("private"):
                        private.add(str(row.get("text")))
    seen: set[str] = set()
    carriers: list[Carrier] = []
    excluded = 0
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                record = json.loads(line)
                culture = str(record.get("culture") or path.name.split("_")[0])
                for text in _phrases(record):
                    if text in seen:
                        continue
                    seen.add(text)
                    if text in private:
                        excluded += 1
                        continue
                    language = carrier_language(text)
                    if language and _long_enough(text, language):
                        carriers.append(Carrier(language, culture, text))
    return carriers, excluded


def _phrases(record: dict) -> Iterable[str]:
    for side, name in _PHRASE_FIELDS:
        items = (record.get(side) or {}).get(name)
        for item in items if isinstance(items, list) else ():
            phrase = item.get("phrase") if isinstance(item, dict) else None
            if isinstance(phrase, str) and phrase.strip():
                yield phrase.strip()


def sample(carriers: Sequence[Carrier], per_language: int, seed: int) -> list[Carrier]:
    """Up to `per_language` carriers of each language, the same for the same seed."""
    out: list[Carrier] = []
    for language in LANGUAGES:
        mine = [c for c in carriers if c.language == language]
        rng = random.Random(f"{seed}:carriers:{language}")
        out += rng.sample(mine, min(per_language, len(mine)))
    return out


_SLOT = re.compile(r"\{[XFM]\}")


def plant(
    carrier: Carrier,
    kind: str,
    value: str,
    cue: str,
    position: str,
    frame: tuple[str, str],
    rng: random.Random,
) -> Planted:
    """Put `value` (an identifier of type `kind`) into the carrier with `frame` (one of
    `FRAMES`: its text before the carrier or inside it, after it); `inside` goes to a
    sentence boundary of the carrier (after it, when the carrier has none)."""
    text, language = carrier.text, carrier.language
    lead, tail = (_SLOT.sub("{X}", f) for f in frame)
    sep = "" if language == "zh" else " "
    cuts = [m.start() for m in _BOUNDARY.finditer(text)] if position == "inside" else []
    if position == "inside" and not cuts:
        position = "after"
    if position == "after":
        before, frame, after = text + sep, tail, ""
    elif position == "before":
        before, frame, after = "", lead, sep + text
    else:
        cut = rng.choice(cuts)
        # a boundary's whitespace stays before the frame, a space goes after it
        end = next(m.end() for m in _BOUNDARY.finditer(text) if m.start() == cut)
        before, frame, after = text[:end], lead, sep + text[end:]
    offset = len(before) + frame.index("{X}")
    planted = before + frame.replace("{X}", value) + after
    carrier_spans = [(0, len(before.rstrip()))] if before.strip() else []
    if after.strip():
        carrier_spans.append((len(planted) - len(after.lstrip()), len(planted)))
    return Planted(
        language,
        carrier.culture,
        planted,
        offset,
        offset + len(value),
        kind,
        cue,
        position,
        tuple(carrier_spans),
    )


def plant_all(
    carriers: Sequence[Carrier], seed: int, kinds: Sequence[str] = TYPES
) -> list[Planted]:
    """Every carrier gets every type once, and a name twice (with and without a cue);
    cue and position go round so each language has all of them."""
    out: list[Planted] = []
    for language in LANGUAGES:
        rng = random.Random(f"{seed}:plant:{language}")
        planter = Planter(language, random.Random(f"{seed}:values:{language}"), seed, hard=True)
        turn = 0
        for carrier in (c for c in carriers if c.language == language):
            jobs = [("PERSON", "cue"), ("PERSON", "bare")] if "PERSON" in kinds else []
            jobs += [(k, ("cue", "bare")[turn % 2]) for k in kinds if k != "PERSON"]
            for kind, cue in jobs:
                frame = rng.choice(FRAMES[language][kind][cue])
                gender = "f" if "{F}" in frame[0] else "m" if "{M}" in frame[0] else None
                value = planter.fill(kind, gender)
                position = POSITIONS[turn % len(POSITIONS)]
                turn += 1
                out.append(plant(carrier, kind, value, cue, position, frame, rng))
    return out


def _covered(text: str, start: int, end: int, done: set[int]) -> bool:
    return all(i in done for i in range(start, end) if text[i].isalnum())


def score(
    planted: Sequence[Planted],
    regions: Sequence[list[tuple[int, int, str]]],
    alone: Sequence[Carrier] = (),
    alone_regions: Sequence[list[tuple[int, int, str]]] = (),
) -> dict[str, Any]:
    """Recall per language and type, carriers unchanged, and the misses by language,
    type, cue and position. `regions`: per planted text, the replaced (start, end,
    type) regions; `alone_regions` the same for the carriers de-identified alone."""
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    misses: dict[str, Counter] = defaultdict(Counter)
    changed_by: dict[str, Counter] = defaultdict(Counter)
    for p, found in zip(planted, regions, strict=True):
        done = {i for s, e, _ in found for i in range(s, e)}
        hit = _covered(p.text, p.start, p.end, done)
        c = counts[p.language]
        c[p.type]["planted"] += 1
        c[p.type]["found"] += hit
        if p.type == "PERSON":
            c[f"PERSON {p.cue}"]["planted"] += 1
            c[f"PERSON {p.cue}"]["found"] += hit
        if not hit:
            misses[p.language][f"{p.type} {p.cue} {p.position}"] += 1
        outside = [
            (s, e, t)
            for s, e, t in found
            if any(p.text[i].isalnum() for i in range(s, e) if not p.start <= i < p.end)
        ]
        in_carrier = [t for s, e, t in outside if any(s < ce and cs < e for cs, ce in p.carrier)]
        c["_carrier"]["planted"] += 1
        c["_carrier"]["unchanged"] += not in_carrier
        c["_carrier"]["frame_changed"] += bool(outside) and not in_carrier
        for t in set(in_carrier):
            changed_by[p.language][t] += 1
    for carrier, found in zip(alone, alone_regions, strict=True):
        c = counts[carrier.language]["_alone"]
        c["carriers"] += 1
        c["unchanged"] += not found
    by_language: dict[str, dict[str, Any]] = {}
    total: Counter = Counter()
    by_type: dict[str, Counter] = defaultdict(Counter)
    for language in sorted(counts):
        c = counts[language]
        row: dict[str, Any] = {}
        for kind in TYPES:
            if c[kind]["planted"]:
                row[kind] = _recall(c[kind])
                by_type[kind].update(c[kind])
                total.update(c[kind])
        direct = Counter()
        for kind in TYPES:
            if kind != "PERSON":
                direct.update(c[kind])
        row["DIRECT"] = _recall(direct)
        for cue in ("cue", "bare"):
            if c[f"PERSON {cue}"]["planted"]:
                row[f"PERSON {cue}"] = _recall(c[f"PERSON {cue}"])
        row["carriers"] = c["_alone"]["carriers"]
        row["planted"] = c["_carrier"]["planted"]
        row["carrier_unchanged"] = c["_carrier"]["unchanged"]
        row["carrier_unchanged_rate"] = _ratio(c["_carrier"]["unchanged"], c["_carrier"]["planted"])
        row["frame_changed"] = c["_carrier"]["frame_changed"]
        row["alone_unchanged_rate"] = _ratio(c["_alone"]["unchanged"], c["_alone"]["carriers"])
        row["carrier_changed_by"] = dict(changed_by[language].most_common())
        by_language[language] = row
    carrier_total = Counter()
    for c in counts.values():
        carrier_total.update(c["_carrier"])
    return {
        "by_language": by_language,
        "by_type": {k: _recall(v) for k, v in by_type.items()},
        "overall": {
            **_recall(total),
            "carrier_unchanged_rate": _ratio(carrier_total["unchanged"], carrier_total["planted"]),
        },
        "misses": {lang: dict(m.most_common()) for lang, m in sorted(misses.items())},
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _recall(c: Counter) -> dict[str, Any]:
    return {
        "planted": c["planted"],
        "found": c["found"],
        "recall": _ratio(c["found"], c["planted"]),
    }


def replaced_regions(
    engine, items: Sequence[Planted | Carrier]
) -> list[list[tuple[int, int, str]]]:
    """Run the whole engine (routing, recognizers, allowlist of the culture, re-analysis
    passes) on each text as one document; the regions it replaced."""
    from curate.deid.realtext import engine_regions

    return engine_regions(engine, [(it.language, it.culture, it.text) for it in items])


def release_dir(config, given: Path | None) -> Path | None:
    """The released records to read carriers from: the folder given (must exist), else
    the shared one beside the project when it is there."""
    if given is not None:
        if not given.is_dir():
            raise CurateError(f"{given}: no such folder (the released CultureCare records)")
        return given
    default = (config.root / DEFAULT_DIR).resolve()
    return default if default.is_dir() else None


def evaluate_planted(
    config,
    source: Path,
    per_language: int = 40,
    seed: int = 13,
    engine=None,
    labels: Path | None = None,
) -> dict[str, Any]:
    """Sample carriers from the release at `source`, plant, de-identify, score."""
    import time

    from curate.deid.stage import make_engine

    if labels is None:
        labels = (config.root / DEFAULT_LABELS).resolve()
    carriers, excluded = load_carriers(source, labels)
    chosen = sample(carriers, per_language, seed)
    planted = plant_all(chosen, seed)
    engine = engine or make_engine(config)
    start = time.perf_counter()
    regions = replaced_regions(engine, planted)
    alone = replaced_regions(engine, chosen)
    result = score(planted, regions, chosen, alone)
    result["corpus"] = {
        "source": source.name,
        "carriers_available": dict(Counter(c.language for c in carriers)),
        "carriers_used": dict(Counter(c.language for c in chosen)),
        "left_out_private": excluded,
        "planted": len(planted),
        "per_language": per_language,
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 2),
        "policy": engine.policy.fingerprint,
    }
    return result
