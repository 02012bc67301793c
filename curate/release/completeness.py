"""Is the dataset card complete? The facts a curator must declare (`dataset.yaml`), checked
before a release is built.

Why a list of fields here and not only a template: a card template silently renders
whatever it is given, so a missing consent statement would simply not be there, and a
reviewer at a datasets venue (Datasheets for Datasets; the NeurIPS datasets track
checklist; the Hugging Face dataset card guide) would notice before the curator did.
`FIELDS` names every fact a curator provides, the Datasheets section it answers and
whether a release needs it:

- **required**: `curate export` lists it when it is missing, and the card says "Not
  provided" in its place (it is never silently omitted);
- **recommended**: listed too, but only as advice;
- **gated** (ethics review and consent): a *text* release, which carries the texts of
  real people, refuses to build without them; `--allow-failures card_ethics_consent`
  with a `--reason` lets it through, like a failed expectation of the validation gate.

Statistics are not facts: the size of a release, its small splits and the limits that
follow from them are derived from the release itself (`derived_limitations`), never
written in `dataset.yaml`, so they cannot go stale.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REQUIRED = "required"
RECOMMENDED = "recommended"
# The name of the card's gate in the release gate (like an expectation's name).
ETHICS_GATE = "card_ethics_consent"
ORIGINS = ("real", "synthetic", "mixed")
NOT_PROVIDED = "not provided"
# What `annotation.per_culture.<culture>` must say.
PER_CULTURE = ("annotators", "background")
# Values that mean "not written yet".
_PLACEHOLDERS = {"", "todo", "tbd", "tba", "xxx", "unknown", "?", "..."}
# A split with fewer items than this gets a warning: its label shares are noise.
SMALL_SPLIT = 30


@dataclass(frozen=True)
class Field:
    """One fact of `dataset.yaml`: its dotted path, whether a release needs it, the
    Datasheets section it answers and the question it answers there."""

    path: str
    level: str
    section: str
    question: str
    gated: bool = False  # a text release refuses to build without it


FIELDS: tuple[Field, ...] = (
    # Motivation
    Field("summary", REQUIRED, "Motivation", "What is the dataset, in two sentences?"),
    Field("rationale", REQUIRED, "Motivation", "For what purpose was the dataset created?"),
    Field("curated_by", REQUIRED, "Motivation", "Who created the dataset, on behalf of whom?"),
    Field("funding", RECOMMENDED, "Motivation", "Who funded the creation of the dataset?"),
    Field("description", RECOMMENDED, "Motivation", "What is it, in a paragraph?"),
    # Composition
    Field(
        "source_data.origin",
        REQUIRED,
        "Composition",
        "Are the texts real (found), synthetic (generated) or mixed? One of: " + ", ".join(ORIGINS),
    ),
    Field("content_warning", RECOMMENDED, "Composition", "Could the data upset readers?"),
    # Collection process
    Field("source_data.collection", REQUIRED, "Collection", "How was the data collected?"),
    Field(
        "source_data.collection_period",
        REQUIRED,
        "Collection",
        "Over what timeframe was the data collected (and written)?",
    ),
    Field("source_data.producers", REQUIRED, "Collection", "Who wrote the texts?"),
    Field(
        "ethics.review",
        REQUIRED,
        "Collection",
        "Was an ethical review (e.g. an IRB) conducted? By whom, with what outcome?",
        gated=True,
    ),
    Field(
        "ethics.consent",
        REQUIRED,
        "Collection",
        "Did the people the texts are about consent, or on what basis were they used "
        "without consent? Can they withdraw?",
        gated=True,
    ),
    # Preprocessing / labeling
    Field("preprocessing", REQUIRED, "Preprocessing", "What cleaning or de-identification?"),
    Field("annotation.process", REQUIRED, "Annotation", "How were the labels made?"),
    Field("annotation.guidelines", REQUIRED, "Annotation", "Where are the annotation guidelines?"),
    Field("annotation.annotators", REQUIRED, "Annotation", "Who are the annotators?"),
    Field("annotation.recruitment", REQUIRED, "Annotation", "How were the annotators recruited?"),
    Field(
        "annotation.compensation",
        REQUIRED,
        "Annotation",
        "How were the annotators paid or otherwise compensated?",
    ),
    Field(
        "annotation.per_culture",
        REQUIRED,
        "Annotation",
        "Per culture of the release: how many annotators, and their cultural background.",
    ),
    # Uses
    Field("uses.direct", REQUIRED, "Uses", "What is the dataset meant to be used for?"),
    Field("uses.out_of_scope", REQUIRED, "Uses", "What should it not be used for?"),
    Field("biases", REQUIRED, "Uses", "What biases and risks should a user know of?"),
    Field("limitations", RECOMMENDED, "Uses", "Limitations beyond its size and splits?"),
    Field("recommendations", RECOMMENDED, "Uses", "What should users do about them?"),
    Field("social_impact", RECOMMENDED, "Uses", "What impact could its use have on people?"),
    # Distribution
    Field("license", REQUIRED, "Distribution", "The Hub licence id of the release's files."),
    Field("licence_notes", REQUIRED, "Distribution", "Which terms apply to which part?"),
    Field(
        "licence_reasoning",
        REQUIRED,
        "Distribution",
        "Why is the licence chosen compatible with the sources' terms?",
    ),
    Field("citation.bibtex", RECOMMENDED, "Distribution", "How should the dataset be cited?"),
    Field("citation.apa", RECOMMENDED, "Distribution", "The same, as an APA reference."),
    Field("paper.url", RECOMMENDED, "Distribution", "Which paper describes the dataset?"),
    Field("paper.title", RECOMMENDED, "Distribution", "The paper's title."),
    Field("paper.venue", RECOMMENDED, "Distribution", "Where was the paper published?"),
    Field("repository", RECOMMENDED, "Distribution", "Where is the code that built it?"),
    Field("homepage", RECOMMENDED, "Distribution", "Where is the dataset's page?"),
    Field("card_authors", RECOMMENDED, "Maintenance", "Who wrote this card?"),
    # Maintenance
    Field("maintainers", REQUIRED, "Maintenance", "Who maintains the dataset?"),
    Field("contact", REQUIRED, "Maintenance", "How can the maintainers be contacted?"),
    Field(
        "removal_requests",
        REQUIRED,
        "Maintenance",
        "How can a person have their data removed, and how fast is it honoured?",
    ),
    Field("maintenance", RECOMMENDED, "Maintenance", "How is the dataset versioned/updated?"),
    # Hub metadata
    Field(
        "hub.annotations_creators",
        REQUIRED,
        "Hub metadata",
        "Who made the labels (expert-generated, crowdsourced, machine-generated, ...)?",
    ),
    Field(
        "hub.language_creators",
        REQUIRED,
        "Hub metadata",
        "Who wrote the texts (found, machine-generated, ...)?",
    ),
)
BY_PATH = {f.path: f for f in FIELDS}


@dataclass(frozen=True)
class Missing:
    """A fact the card lacks (or has in a form that cannot be right): its path, why."""

    path: str
    level: str
    section: str
    problem: str
    gated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "level": self.level,
            "section": self.section,
            "problem": self.problem,
            "gated": self.gated,
        }


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, None where any step is missing."""
    value: Any = facts
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def is_blank(value: Any) -> bool:
    """No fact: nothing, an empty container, or a placeholder such as "TODO"."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _PLACEHOLDERS
    if isinstance(value, Mapping | list | tuple):
        return not value or all(is_blank(v) for v in value)
    return False


def check(facts: Mapping[str, Any], mode: str, cultures: Iterable[str]) -> list[Missing]:
    """Every required or recommended fact the facts lack for a release of `mode` with
    these cultures, in `FIELDS` order. Also: the origin must be one of `ORIGINS`, the
    release mode's own prose (`modes.<mode>`) must be there, and the annotators must be
    described for every culture of the release."""
    problems: list[Missing] = []

    def add(field: Field, problem: str, path: str | None = None) -> None:
        problems.append(
            Missing(path or field.path, field.level, field.section, problem, field.gated)
        )

    for field in FIELDS:
        value = lookup(facts, field.path)
        if field.path == "annotation.per_culture":
            per = value if isinstance(value, Mapping) else {}
            for culture in cultures:
                entry = per.get(culture)
                if isinstance(entry, Mapping):
                    for key in PER_CULTURE:
                        if is_blank(entry.get(key)):
                            add(field, NOT_PROVIDED, f"{field.path}.{culture}.{key}")
                elif is_blank(entry):
                    add(field, f"no annotators described for {culture}", f"{field.path}.{culture}")
            continue
        if is_blank(value):
            add(field, NOT_PROVIDED)
        elif field.path == "source_data.origin" and str(value).strip() not in ORIGINS:
            add(field, f"must be one of {', '.join(ORIGINS)}, not {value!r}")
    mode_facts = lookup(facts, f"modes.{mode}") or {}
    for key in ("headline", "contains", "withheld", "access", "personal_information"):
        if is_blank(mode_facts.get(key) if isinstance(mode_facts, Mapping) else None):
            problems.append(Missing(f"modes.{mode}.{key}", REQUIRED, "Composition", NOT_PROVIDED))
    return problems


def gate_failure(problems: list[Missing], mode: str) -> dict[str, Any] | None:
    """The card's failure for the release gate: a text release whose facts lack the
    ethics review or consent statement. None when there is nothing to refuse."""
    gated = [p.path for p in problems if p.gated]
    if mode != "text" or not gated:
        return None
    return {
        "name": ETHICS_GATE,
        "suite": "card",
        "expectation": "a text release declares its ethics review and consent",
        "column": ", ".join(gated),
        "count": len(gated),
        "todo": "add them to the facts file ([release] facts, docs/card.md), or "
        f"--allow-failures {ETHICS_GATE} with a --reason",
    }


def with_placeholders(
    facts: Mapping[str, Any], problems: list[Missing], placeholder: str
) -> dict[str, Any]:
    """A copy of `facts` where every missing fact is `placeholder` (a list of it for a
    list-valued fact), so the card shows "not provided" rather than omitting a section.
    Facts that are there but wrong (an unknown origin) stay as they are."""
    out = copy.deepcopy(dict(facts))
    for problem in problems:
        per_culture = problem.path.startswith("annotation.per_culture.")
        if problem.problem != NOT_PROVIDED and not per_culture:
            continue
        keys = problem.path.split(".")
        node = out
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        listy = problem.path in _LIST_FIELDS or keys[-1] in ("contains", "withheld")
        node[keys[-1]] = [placeholder] if listy else placeholder
    return out


_LIST_FIELDS = {
    "uses.direct",
    "uses.out_of_scope",
    "biases",
    "limitations",
    "recommendations",
    "hub.annotations_creators",
    "hub.language_creators",
}


def small_splits(split_sizes: Mapping[str, Mapping[str, int]]) -> list[tuple[str, str, int]]:
    """(config, split, items) of every non-empty split under `SMALL_SPLIT` items."""
    return [
        (config, split, n)
        for config, sizes in split_sizes.items()
        for split, n in sizes.items()
        if 0 < n < SMALL_SPLIT
    ]


def derived_limitations(
    split_sizes: Mapping[str, Mapping[str, int]], default_config: str
) -> list[str]:
    """The limitations that follow from the release's size, computed from it: how many
    items in all and per culture, and which splits are too small for their label shares
    to mean anything. Why derived: "a few hundred items per culture" written by hand was
    false of a 14-item demo release and would go stale with every release."""
    totals = {c: sum(sizes.values()) for c, sizes in split_sizes.items()}
    cultures = {c: n for c, n in totals.items() if c != default_config}
    lines = []
    if cultures:
        low, high = min(cultures.values()), max(cultures.values())
        span = f"{low}" if low == high else f"{low}–{high}"
        each = ", ".join(f"{c} {n}" for c, n in cultures.items())
        lines.append(
            f"Size: {totals.get(default_config, sum(cultures.values()))} items in all, "
            f"{span} per culture ({each})"
            + (
                "; too few for reliable per-label statistics in the smaller cells."
                if low < 1000
                else "."
            )
        )
    small = small_splits(split_sizes)
    if small:
        listed = "; ".join(f"{c} {s}: {n}" for c, s, n in small)
        lines.append(
            f"Small splits (items): {listed}. A label share in a split of fewer than "
            f"{SMALL_SPLIT} items rests on a handful of labels (100 % may be a single one): "
            "compare counts, not percentages, and do not report per-culture results on them."
        )
    return lines
