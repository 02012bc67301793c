"""De-identification measured on real, hand-labelled text (`../shared/deid-realtext/`).

Why: a detector tuned on planted names in template sentences over-redacts real posts
(dialect words, capitalised German nouns, religious figures look like names to it) and
still misses the nicknames people really use. The labels mark, in real CultureCare
phrases, what must go (`private`: PERSON, USERNAME, ...) and what must stay (`public`:
public figures, brands, places, religious terms). Four figures come out:

- precision: of the regions replaced, the share that overlaps a private identifier;
- recall: of the private identifiers not marked unsure, the share whose every letter and
  digit was replaced (a part left behind can still identify);
- public kept: of the public names, the share left untouched;
- plain changed: of the phrases with no private identifier, the share changed at all.

The labelled file is licensed data and never part of the project: the report holds
counts and (for `errors`) phrase numbers, offsets and types, no text.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import CurateError

CULTURE_LANGUAGE = {"Arabic": "ar", "Chinese": "zh", "German": "de", "Jewish": "en"}
DEFAULT_PATH = Path("../shared/deid-realtext/dev.jsonl")


@dataclass(frozen=True)
class Labelled:
    """One real phrase with its hand labels (code-point offsets, end exclusive)."""

    number: int  # line number in the file
    culture: str
    text: str
    private: tuple[dict, ...]
    public: tuple[dict, ...]


def load(path: Path) -> list[Labelled]:
    if not path.is_file():
        raise CurateError(f"{path}: no such file (the hand-labelled real phrases)")
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append(
                    Labelled(
                        number,
                        str(row["culture"]),
                        str(row["text"]),
                        tuple(row.get("private") or ()),
                        tuple(row.get("public") or ()),
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise CurateError(f"{path}:{number}: not a labelled phrase") from None
    return out


def _overlaps(a: tuple[int, int], b: dict) -> bool:
    return a[0] < b["end"] and b["start"] < a[1]


def score(
    phrases: Iterable[Labelled], replaced: Iterable[list[tuple[int, int, str]]]
) -> dict[str, Any]:
    """The four figures, overall and per culture. `replaced` holds, per phrase, the
    (start, end, entity type) regions of the original text that were replaced."""
    counts: dict[str, Counter] = defaultdict(Counter)
    errors: list[dict] = []
    for phrase, regions in zip(phrases, replaced, strict=True):
        text = phrase.text
        for c in (counts[phrase.culture], counts["ALL"]):
            c["phrases"] += 1
        done = {i for s, e, _ in regions for i in range(s, e)}
        for s, e, etype in regions:
            right = any(_overlaps((s, e), p) for p in phrase.private)
            for c in (counts[phrase.culture], counts["ALL"]):
                c["replaced"] += 1
                c["right"] += right
            if not right:
                kind = next(
                    (p["kind"] for p in phrase.public if _overlaps((s, e), p)), "plain word"
                )
                errors.append(
                    {
                        "line": phrase.number,
                        "start": s,
                        "end": e,
                        "error": "over",
                        "type": etype,
                        "label": kind,
                    }
                )
        for p in phrase.private:
            if p.get("unsure"):
                continue
            removed = all(i in done for i in range(p["start"], p["end"]) if text[i].isalnum())
            for c in (counts[phrase.culture], counts["ALL"]):
                c["private"] += 1
                c["removed"] += removed
            if not removed:
                errors.append(
                    {
                        "line": phrase.number,
                        "start": p["start"],
                        "end": p["end"],
                        "error": "missed",
                        "type": p["type"],
                    }
                )
        for p in phrase.public:
            kept = not any(_overlaps((s, e), p) for s, e, _ in regions)
            for c in (counts[phrase.culture], counts["ALL"]):
                c["public"] += 1
                c["public_kept"] += kept
        if not phrase.private:
            for c in (counts[phrase.culture], counts["ALL"]):
                c["plain"] += 1
                c["plain_changed"] += bool(regions)
    return {
        "overall": _summary(counts.pop("ALL", Counter())),
        "by_culture": {k: _summary(v) for k, v in sorted(counts.items())},
        "errors": errors,
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _summary(c: Counter) -> dict[str, Any]:
    return {
        "phrases": c["phrases"],
        "replaced": c["replaced"],
        "replaced_right": c["right"],
        "precision": _ratio(c["right"], c["replaced"]),
        "private": c["private"],
        "private_removed": c["removed"],
        "recall": _ratio(c["removed"], c["private"]),
        "public": c["public"],
        "public_kept": c["public_kept"],
        "public_kept_rate": _ratio(c["public_kept"], c["public"]),
        "plain_phrases": c["plain"],
        "plain_changed": c["plain_changed"],
        "plain_changed_rate": _ratio(c["plain_changed"], c["plain"]),
    }


def replaced_regions(engine, phrases: list[Labelled]) -> list[list[tuple[int, int, str]]]:
    """Run the whole engine (routing, recognizers, policy, re-analysis passes) on each
    phrase as one document; the regions it replaced, in original offsets."""
    return engine_regions(
        engine,
        [(CULTURE_LANGUAGE.get(p.culture), p.culture, p.text) for p in phrases],
    )


def engine_regions(
    engine, texts: list[tuple[str | None, str | None, str]]
) -> list[list[tuple[int, int, str]]]:
    """(start, end, entity type) of what the engine replaced in each (language, culture,
    text), each text de-identified as one document: what the real-text and the planted
    evaluations score."""
    from curate.deid.engine import DeidInput, run_all

    docs = [
        DeidInput(f"eval-{i}", language, culture, {"text": text})
        for i, (language, culture, text) in enumerate(texts)
    ]
    out: dict[str, list[tuple[int, int, str]]] = {}
    for chunk in run_all(engine, docs, workers=1):
        for o in chunk:
            out[o.key] = [
                (d.start, d.end, d.entity_type) for d in o.decisions if d.operator != "keep"
            ]
    return [out[d.key] for d in docs]


def labelled_file(config, given: Path | None) -> Path | None:
    """The labelled file to use: the one given (must exist), else the shared one beside
    the project when it is there."""
    if given is not None:
        if not given.is_file():
            raise CurateError(f"{given}: no such file (the hand-labelled real phrases)")
        return given
    default = (config.root / DEFAULT_PATH).resolve()
    return default if default.is_file() else None


def evaluate_real(config, path: Path, engine=None) -> dict[str, Any]:
    """Score the workspace policy's engine on the labelled real phrases at `path`."""
    import time

    from curate.deid.stage import make_engine

    phrases = load(path)
    engine = engine or make_engine(config)
    start = time.perf_counter()
    regions = replaced_regions(engine, phrases)
    result = score(phrases, regions)
    result["corpus"] = {
        "file": path.name,
        "phrases": len(phrases),
        "seconds": round(time.perf_counter() - start, 2),
        "policy": engine.policy.fingerprint,
    }
    return result
