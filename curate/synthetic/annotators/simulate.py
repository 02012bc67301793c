"""One simulated annotator's annotation of one task: planted truth + seeded noise, as a
Label Studio result (offsets in the unit the Label Studio frontend uses, `offsets.ls_index`).

Noise, for an annotator with noise level q (0 = perfect), each draw independent:
- a true span is missed with probability q;
- its value is flipped with probability q (intensity to a neighbouring level, other
  families to any other value);
- one of its boundaries moves by one word with probability min(1, 2q) (extended or
  shrunk; CJK text, written without spaces, moves by one character);
- each annotated text gets one spurious span (a random 2-5 word window, random family
  and value) with probability q;
- the empathy score changes with probability q: half of the time by one step, half of
  the time to any other score;
- each stated demographic fact is left out with probability q.

The random stream is seeded by (seed, annotator number, record id) alone, so a task's
annotation does not depend on which other tasks are annotated, their order, or --limit.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from curate.annotate.agreement import ORDINAL
from curate.annotate.labeling import demographic_result, label_value
from curate.annotate.offsets import ls_index
from curate.schema import Taxonomy
from curate.synthetic.annotators.lexicon import (
    CJK_CLASS,
    TrueSpan,
    demographics_truth,
    empathy_truth,
    true_spans,
)

# A "word": a de-identification placeholder (<PERSON_1>), one CJK character, or a run of
# other word characters (apostrophes inside).
_WORD = re.compile(rf"<[A-Z_]+_\d+>|[{CJK_CLASS}]|[^\W{CJK_CLASS}]+(?:['’][^\W{CJK_CLASS}]+)*")


@dataclass(frozen=True)
class Controls:
    """Label Studio tag names and targets, read from the generated labeling config."""

    spans: dict[str, str]  # field -> Labels name
    attributes: dict[tuple[str, str], str]  # (field, family) -> per-region Choices name
    empathy: str | None  # Choices name
    empathy_to: str | None  # the Text object it refers to
    demographics: dict[str, tuple[str, str]]  # field -> (TextArea name, toName)


def controls(taxonomy: Taxonomy) -> Controls:
    """The controls the labeling config really has (`control_names` says what they are
    called; the XML says which exist and what they point at)."""
    from curate.annotate.labeling import control_names, labeling_config

    names = control_names(taxonomy)
    to_name = {
        el.get("name"): el.get("toName")
        for el in ET.fromstring(labeling_config(taxonomy)).iter()
        if el.get("name") and el.get("toName")
    }
    return Controls(
        spans={f: n for f, n in names["spans"].items() if n in to_name},
        attributes={k: n for k, n in names["attributes"].items() if n in to_name},
        empathy=names["empathy"] if names["empathy"] in to_name else None,
        empathy_to=to_name.get(names["empathy"]),
        demographics={f: (n, to_name[n]) for f, n in names["demographics"].items() if n in to_name},
    )


@dataclass(frozen=True)
class Planned:
    """What one annotator will submit for one task (code points), and the LS result."""

    spans: list[TrueSpan]
    empathy: int | None
    demographics: dict[str, str]
    result: list[dict[str, Any]]


def rng_for(seed: int, annotator: int, record_id: str) -> random.Random:
    return random.Random(f"curate-demo-annotate:{seed}:{annotator}:{record_id}")


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def _jitter(
    rng: random.Random, span: TrueSpan, text: str, words: list[tuple[int, int]]
) -> TrueSpan:
    """Move one boundary by one word: extend or shrink at the start or the end (never
    across a line break)."""
    inside = [w for w in words if span.start <= w[0] and w[1] <= span.end]
    before = [w for w in words if w[1] <= span.start]
    after = [w for w in words if w[0] >= span.end]
    options: list[tuple[int, int]] = []
    if before and "\n" not in text[before[-1][1] : span.start]:
        options.append((before[-1][0], span.end))
    if after and "\n" not in text[span.end : after[0][0]]:
        options.append((span.start, after[0][1]))
    if len(inside) >= 2:
        options.append((inside[1][0], span.end))
        options.append((span.start, inside[-2][1]))
    if not options:
        return span
    start, end = rng.choice(options)
    return TrueSpan(span.field, start, end, span.family, span.value)


def _flip(rng: random.Random, values: tuple[str, ...], value: str, ordinal: bool) -> str:
    i = values.index(value)
    if ordinal:
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(values)]
        return values[rng.choice(near)]
    return rng.choice([v for v in values if v != value])


def _spurious(
    rng: random.Random, taxonomy: Taxonomy, field: str, text: str, words: list[tuple[int, int]]
) -> TrueSpan | None:
    families = [f for f in taxonomy.families.values() if field in f.fields]
    lines: list[list[tuple[int, int]]] = [[]]
    for i, word in enumerate(words):
        if i and "\n" in text[words[i - 1][1] : word[0]]:
            lines.append([])
        lines[-1].append(word)
    lines = [line for line in lines if len(line) >= 2]
    if not lines or not families:
        return None
    line = rng.choice(lines)
    size = min(len(line), rng.randint(2, 5))
    first = rng.randrange(0, len(line) - size + 1)
    family = rng.choice(families)
    value = rng.choice(family.values)
    return TrueSpan(field, line[first][0], line[first + size - 1][1], family.name, value)


def plan(
    taxonomy: Taxonomy,
    ctl: Controls,
    data: dict[str, Any],
    record_id: str,
    annotator: int,
    noise: float,
    seed: int,
) -> Planned:
    """The annotation of annotator number `annotator` (1-based) with noise level `noise`
    on the task `data` (title, post, response: the de-identified texts LS shows)."""
    rng = rng_for(seed, annotator, record_id)
    texts = {f: str(data.get(f) or "") for f in ctl.spans}
    truth = true_spans(taxonomy, texts)
    words = {f: _words(t) for f, t in texts.items()}
    spans: list[TrueSpan] = []
    for span in truth:
        if rng.random() < noise:
            continue  # missed
        family = taxonomy.family(span.family)
        if rng.random() < noise:
            flipped = _flip(rng, family.values, span.value, family.attribute in ORDINAL)
            span = TrueSpan(span.field, span.start, span.end, span.family, flipped)
        if rng.random() < min(1.0, 2 * noise):
            span = _jitter(rng, span, texts[span.field], words[span.field])
        spans.append(span)
    for field, text in texts.items():
        if text.strip() and rng.random() < noise:
            extra = _spurious(rng, taxonomy, field, text, words[field])
            if extra is not None:
                spans.append(extra)
    # Label Studio takes anything, but pull rejects two regions with the same family
    # on the same characters: keep the first.
    unique: dict[tuple, TrueSpan] = {}
    for span in spans:
        unique.setdefault((span.field, span.start, span.end, span.family), span)
    spans = sorted(unique.values(), key=lambda s: (s.field, s.start, s.end, s.family))

    empathy = None
    if ctl.empathy and ctl.empathy_to:
        empathy = empathy_truth(taxonomy, truth, texts.get(ctl.empathy_to, ""))
    if empathy is not None:
        scale = sorted(taxonomy.empathy)
        draw = rng.random()
        i = scale.index(empathy)
        if draw < noise / 2:
            empathy = rng.choice([v for v in scale if v != empathy])
        elif draw < noise:
            near = [j for j in (i - 1, i + 1) if 0 <= j < len(scale)]
            empathy = scale[rng.choice(near)]

    demographics = {}
    if ctl.demographics:
        stated = demographics_truth(taxonomy, str(data.get("title") or ""), texts.get("post", ""))
        demographics = {
            f: v for f, v in stated.items() if f in ctl.demographics and rng.random() >= noise
        }
    return Planned(
        spans, empathy, demographics, _result(taxonomy, ctl, texts, spans, empathy, demographics)
    )


def _result(
    taxonomy: Taxonomy,
    ctl: Controls,
    texts: dict[str, str],
    spans: list[TrueSpan],
    empathy: int | None,
    demographics: dict[str, str],
) -> list[dict[str, Any]]:
    """Label Studio result items: a labels item and its per-region choice (same id) per
    span, with Label Studio offsets; the empathy choice; the demographic answers as the
    labeling config's controls record them (`demographic_result`)."""
    index = {f: ls_index(t) for f, t in texts.items()}
    out: list[dict[str, Any]] = []
    for n, span in enumerate(spans, start=1):
        family = taxonomy.family(span.family)
        value = {
            "start": index[span.field].to_ls(span.start),
            "end": index[span.field].to_ls(span.end),
            "text": texts[span.field][span.start : span.end],
        }
        rid = f"sim{n:03d}"
        out.append(
            {
                "id": rid,
                "from_name": ctl.spans[span.field],
                "to_name": span.field,
                "type": "labels",
                "origin": "manual",
                "value": {**value, "labels": [label_value(family)]},
            }
        )
        attr = ctl.attributes.get((span.field, family.name))
        if attr:
            out.append(
                {
                    "id": rid,
                    "from_name": attr,
                    "to_name": span.field,
                    "type": "choices",
                    "origin": "manual",
                    "value": {**value, "choices": [span.value]},
                }
            )
    if empathy is not None and ctl.empathy:
        out.append(
            {
                "from_name": ctl.empathy,
                "to_name": ctl.empathy_to,
                "type": "choices",
                "origin": "manual",
                "value": {"choices": [str(empathy)]},
            }
        )
    for field, value in sorted(demographics.items()):
        out += demographic_result(taxonomy, field, value, ctl.demographics[field][1])
    return out
