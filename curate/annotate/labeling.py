"""The Label Studio labeling interface and the annotator guide, generated from the taxonomy.

Both artefacts are derived from `schemas/taxonomy.yaml` so that annotators never see a
label the record schema would reject, and so that adding a culture or a value is a
one-line change in the taxonomy followed by `python -m curate.annotate.labeling`.
The control names are produced here too (`control_names`), so the push/pull code reads
them instead of repeating strings that could drift from the XML.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from curate.schema import Family, Taxonomy, load_normalization, load_taxonomy

GENERATED_NOTICE = (
    "<!-- generated from schemas/taxonomy.yaml by curate.annotate.labeling; do not edit -->"
)
CONFIG_FILE = "labeling_config.xml"
REVIEW_CONFIG_FILE = "review_config.xml"
GUIDE_FILE = "annotator_guide.md"
REGENERATE_COMMAND = "python -m curate.annotate.labeling"

# Task data keys shown in the small header above the texts (not annotated).
META_KEYS = ("record_id", "culture", "language")
# Demographics describe the post's author, so their text areas hang off the post.
DEMOGRAPHICS_FIELD = "post"
EMPATHY_CONTROL = "empathy"
# The choices of a category demographic beyond its normalization table's values.
UNKNOWN, OTHER = "unknown", "other"

# Label Studio's own single-key shortcuts on a text task (its keymap: `u` unselects a
# region; the rest use ctrl/alt/shift or Enter, Escape, Backspace). Hotkeys we assign
# avoid these, and we assign every one, because Label Studio gives any control without
# one the next free key of "1234567890qwe…", which put the digits on intensity and left
# the fifth empathy score without a key.
RESERVED_KEYS = frozenset({"u"})
HOTKEY_POOL = "abcdefghijklmnopqrstuvwxyz67890"
# The keys Label Studio 1.23.2 hands out itself, in order, to every control that can take
# one and has none (`makeComb` in its frontend). Every one of them must be taken by a
# control of ours, or a demographic choice gets one and a stray key press sets it.
LABEL_STUDIO_AUTO_KEYS = "1234567890qwetasdfgzxcvbyiopjklnm"

# Right-to-left text (Arabic, Hebrew) must read right to left, and the Arabic project
# also holds English posts, so direction is decided per paragraph by its own first strong
# character (`unicode-bidi: plaintext`), never per project. Label Studio 1.23 draws each
# paragraph of a Text as one `span.lsf-richtext__line` followed by `<br>`; CSS changes
# no character of the DOM text, so the offsets Label Studio computes stay exact. The
# region list and the region details get the same rule.
STYLE = """
.lsf-richtext__line { unicode-bidi: plaintext; text-align: start; width: 100%; }
.lsf-htx-richtext { font-size: 18px; line-height: 1.75; max-width: 48em; }
.lsf-main-view__annotation :is(h1, h2, h3, h4, h5, h6) {
  unicode-bidi: plaintext; text-align: start;
}
.lsf-outliner-item__title, .lsf-outliner-item__text, .lsf-region-item__title,
.lsf-detailed-region__text, .lsf-region-meta__value {
  unicode-bidi: plaintext; text-align: start; white-space: normal;
}
"""

# The review queue's explanation box (`labeling_config(review=True)`).
REVIEW_OBJECT = "why"
REVIEW_STYLE = """
.curate-why { background: #fff8e1; border: 1px solid #f2c94c; border-radius: 6px;
  padding: 0.5em 1em; margin: 0.5em 0 1em; max-width: 48em; }
.curate-why li { unicode-bidi: plaintext; text-align: start; margin: 0.3em 0; }
"""

# Span colours, assigned to families in taxonomy order (cycled if there are more families).
# Chosen to be distinguishable from each other and readable under dark text.
PALETTE = ("#E4572E", "#2E86DE", "#17A398", "#F2A541", "#8E44AD", "#7F8C8D")

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def default_out_dir() -> Path:
    """The repo's `label_studio/` folder, next to the `curate/` package."""
    return Path(__file__).resolve().parents[2] / "label_studio"


def _families_on(taxonomy: Taxonomy, field: str) -> list[Family]:
    """Families annotated on `field`, in taxonomy order (the order annotators see)."""
    return [fam for fam in taxonomy.families.values() if field in fam.fields]


def _empathy_field(taxonomy: Taxonomy) -> str:
    """The text the empathy score is about (the response), as declared in the taxonomy."""
    return str(taxonomy.raw.get("empathy", {}).get("field", taxonomy.fields[-1]))


def control_names(taxonomy: Taxonomy) -> dict[str, Any]:
    """Every Label Studio tag name the config uses, so push/pull never hard-code them.

    Keys: `spans` {field: Labels name}, `attributes` {(field, family): Choices name},
    `empathy` (Choices name), `demographics` {field: control name: Choices for category
    fields, Number for integer fields, TextArea for text}, `demographics_other` {category
    field: TextArea name for a value outside the table}, `labels` {family: span label
    value in Label Studio}, plus `objects` {field: Text
    name, equal to the task data key} and `data` (all task data keys).
    Raises ValueError if the taxonomy would produce an invalid or duplicate name, since
    Label Studio silently mis-routes results when two controls share a name.
    """
    spans = {field: f"{field}_spans" for field in taxonomy.fields}
    attributes = {
        (field, fam.name): f"{field}_{fam.name}_{fam.attribute}"
        for field in taxonomy.fields
        for fam in _families_on(taxonomy, field)
    }
    demographics = {name: f"demo_{name}" for name in taxonomy.demographic_fields}
    other = {
        name: f"demo_{name}_other"
        for name in taxonomy.demographic_fields
        if taxonomy.demographic_kinds.get(name) == "category"
    }
    objects = {field: field for field in taxonomy.fields}
    names = [
        *objects.values(),
        *spans.values(),
        *attributes.values(),
        EMPATHY_CONTROL,
        *demographics.values(),
        *other.values(),
    ]
    bad = [name for name in names if not _NAME.match(name)]
    if bad:
        raise ValueError(f"taxonomy yields invalid Label Studio tag names: {bad}")
    dupes = sorted({name for name in names if names.count(name) > 1})
    if dupes:
        raise ValueError(f"taxonomy yields duplicate Label Studio tag names: {dupes}")
    return {
        "spans": spans,
        "attributes": attributes,
        "empathy": EMPATHY_CONTROL,
        "demographics": demographics,
        "demographics_other": other,
        "labels": {fam.name: label_value(fam) for fam in taxonomy.families.values()},
        "objects": objects,
        "data": (*META_KEYS, "title", *taxonomy.fields),
    }


def label_value(fam: Family) -> str:
    """A family's span label in Label Studio: its readable title ("Emotional distress").

    Not the machine name with the title as `alias`: Label Studio 1.23 shows a per-region
    control by the label's value but checks that it is filled by the stored one, so with
    an alias a span could be submitted without its attribute. `family_of` maps back."""
    return fam.title


def family_of(taxonomy: Taxonomy, value: str) -> Family | None:
    """The family of a span label as Label Studio stores it (its title, or its machine
    name in older annotations and in predictions made before titles were shown)."""
    for fam in taxonomy.families.values():
        if value in (fam.title, fam.name):
            return fam
    return None


def category_choices(taxonomy: Taxonomy, name: str) -> tuple[str, ...]:
    """The choices of category demographic `name`: its normalization table's values, then
    `unknown` and `other` (with a free-text box), so annotators pick what the release
    normalizes to instead of typing a variant of it."""
    table = load_normalization()["categories"].get(name, {})
    return (*table, UNKNOWN, OTHER)


def demographic_result(
    taxonomy: Taxonomy, name: str, value: str, to_name: str = DEMOGRAPHICS_FIELD
) -> list[dict[str, Any]]:
    """The Label Studio result items an annotator's answer `value` for demographic `name`
    makes in this config (what the frontend sends; the simulated annotators send the
    same). `demographic_value` reads them back."""
    names = control_names(taxonomy)
    control = names["demographics"][name]
    kind = taxonomy.demographic_kinds.get(name, "text")
    item = {"from_name": control, "to_name": to_name, "origin": "manual"}
    if kind == "integer" and str(value).strip().isdigit():
        return [{**item, "type": "number", "value": {"number": int(value)}}]
    if kind == "category":
        choices = category_choices(taxonomy, name)
        if value in choices:
            return [{**item, "type": "choices", "value": {"choices": [value]}}]
        other = {**item, "from_name": names["demographics_other"][name]}
        return [
            {**item, "type": "choices", "value": {"choices": [OTHER]}},
            {**other, "type": "textarea", "value": {"text": [value]}},
        ]
    return [{**item, "type": "textarea", "value": {"text": [str(value)]}}]


def demographic_value(items: dict[str, dict[str, Any]]) -> str:
    """An annotator's answer for one demographic from its result values by control role
    (`main`, and `other` for a category's free text): "" for unknown or unanswered, else
    the text normalization reads (a chosen value, the free text of `other`, or digits)."""
    main = items.get("main") or {}
    if "number" in main:
        number = main["number"]
        return "" if number is None else str(int(number))
    if "choices" in main:
        chosen = (main.get("choices") or [""])[0]
        if chosen == UNKNOWN:
            return ""
        if chosen == OTHER:
            return ((items.get("other") or {}).get("text") or [""])[0]
        return str(chosen)
    return (main.get("text") or [""])[0]


def _family_hint(fam: Family) -> str:
    return f"{fam.title}: {fam.description}"


def _title(name: str) -> str:
    """`number_of_people_in_household` -> `Number of people in household`."""
    return name.replace("_", " ").capitalize()


class _Hotkeys:
    """One keyboard shortcut per control, unique in the whole config: the first free
    letter of the shown name (a mnemonic), else the first free key of the pool."""

    def __init__(self, taken: set[str]) -> None:
        self.used = set(RESERVED_KEYS) | taken

    def take(self, shown: str) -> str:
        letters = [c for c in shown.lower() if "a" <= c <= "z"]
        for key in [*letters, *HOTKEY_POOL]:
            if key not in self.used:
                self.used.add(key)
                return key
        for key in HOTKEY_POOL:  # the pool is spent: shift + a key
            if f"shift+{key}" not in self.used:
                self.used.add(f"shift+{key}")
                return f"shift+{key}"
        raise ValueError("no free hotkey left")

    def spare_auto_key(self) -> str | None:
        """The first key Label Studio would hand out itself that no control took yet."""
        for key in LABEL_STUDIO_AUTO_KEYS:
            if key not in self.used:
                self.used.add(key)
                return key
        return None


def _add_field_block(
    view: ET.Element,
    taxonomy: Taxonomy,
    field: str,
    names: dict[str, Any],
    colours: dict[str, str],
    keys: _Hotkeys,
) -> None:
    """The text of one field, its span labels, and the per-span attribute choices."""
    description = taxonomy.raw["fields"][field].get("description", "")
    ET.SubElement(view, "Header", {"value": f"{field.capitalize()}: {description}", "size": "5"})
    if field == "post":  # the post's title, shown above its text (not annotated)
        ET.SubElement(view, "Header", {"value": "$title", "size": "4"})
    families = _families_on(taxonomy, field)
    spans = names["spans"][field]
    if families:
        labels = ET.SubElement(view, "Labels", {"name": spans, "toName": field})
        for fam in families:
            ET.SubElement(
                labels,
                "Label",
                {
                    "value": label_value(fam),
                    "background": colours[fam.name],
                    "hint": _family_hint(fam),
                    "hotkey": keys.take(fam.title),
                },
            )
    ET.SubElement(view, "Text", {"name": field, "value": f"${field}", "granularity": "symbol"})
    for fam in families:
        when = {
            "visibleWhen": "region-selected",
            "whenTagName": spans,
            "whenLabelValue": label_value(fam),
        }
        # The wrapping View hides the header together with the choices it explains.
        box = ET.SubElement(view, "View", dict(when))
        ET.SubElement(
            box,
            "Header",
            {"value": f"{fam.attribute.capitalize()} of this {fam.title.lower()}", "size": "6"},
        )
        choices = ET.SubElement(
            box,
            "Choices",
            {
                "name": names["attributes"][(field, fam.name)],
                "toName": field,
                "perRegion": "true",
                "choice": "single-radio",
                "required": "true",
                "requiredMessage": (
                    f"Every {fam.title.lower()} span in the {field} needs its "
                    f"{fam.attribute}: select the span and pick one."
                ),
                "showInline": "true",
                **when,
            },
        )
        for value in fam.values:
            ET.SubElement(
                choices,
                "Choice",
                {"value": value, "hint": fam.definitions[value], "hotkey": keys.take(value)},
            )


def _add_demographics(
    root: ET.Element, taxonomy: Taxonomy, names: dict[str, Any], keys: _Hotkeys
) -> None:
    """The collapsed demographics panel: choices for categories (the normalization
    table's values, `unknown`, `other` with free text), numbers for integers, a text box
    for the rest. No hotkeys here: a panel of forms is filled with the mouse."""
    demo = taxonomy.raw.get("demographics", {})
    descriptions = {f["name"]: f.get("description", "") for f in demo.get("fields", [])}
    panel = ET.SubElement(ET.SubElement(root, "Collapse"), "Panel", {"value": "Demographics"})
    if demo.get("description"):
        ET.SubElement(panel, "Header", {"value": demo["description"], "size": "6"})
    for name in taxonomy.demographic_fields:
        kind = taxonomy.demographic_kinds.get(name, "text")
        control = names["demographics"][name]
        header = f"{_title(name)}: {descriptions.get(name, '')}"
        ET.SubElement(panel, "Header", {"value": header, "size": "6"})
        if kind == "category":
            choices = ET.SubElement(
                panel,
                "Choices",
                {
                    "name": control,
                    "toName": DEMOGRAPHICS_FIELD,
                    "choice": "single-radio",
                    "showInline": "true",
                },
            )
            for value in category_choices(taxonomy, name):
                attrs = {"value": value}
                if value == UNKNOWN and (key := keys.spare_auto_key()):
                    attrs["hotkey"] = key  # harmless: unknown is what no answer means
                ET.SubElement(choices, "Choice", attrs)
            # A View carries the condition: Label Studio ignores visibleWhen on a TextArea.
            when = {"visibleWhen": "choice-selected", "whenTagName": control}
            other = ET.SubElement(panel, "View", {**when, "whenChoiceValue": OTHER})
            ET.SubElement(
                other,
                "TextArea",
                {
                    "name": names["demographics_other"][name],
                    "toName": DEMOGRAPHICS_FIELD,
                    "maxSubmissions": "1",
                    "editable": "true",
                    "rows": "1",
                    "placeholder": f"{_title(name)}, as the post states it",
                },
            )
        elif kind == "integer":
            ET.SubElement(
                panel,
                "Number",
                {"name": control, "toName": DEMOGRAPHICS_FIELD, "min": "0", "max": "150"},
            )
        else:
            ET.SubElement(
                panel,
                "TextArea",
                {
                    "name": control,
                    "toName": DEMOGRAPHICS_FIELD,
                    "maxSubmissions": "1",
                    "editable": "true",
                    "rows": "1",
                    "placeholder": "unknown",
                },
            )


def labeling_config(taxonomy: Taxonomy, review: bool = False) -> str:
    """The Label Studio labeling config (XML), deterministic for a given taxonomy.

    Span labels show the family titles (`label_value`; pull maps them back with
    `family_of`). Every control has a hotkey of its
    own (empathy the digits of its scale), every span must get its attribute before
    submit, and a `<Style>` lays right-to-left paragraphs out right to left.
    The result starts with the do-not-edit notice and ends with a newline.

    `review`: the review queue's config (`curate.audit.review`): the same controls, so a
    reviewer's decision pulls like an annotation, under a view of its own that says why the
    record was flagged (the task's `why`, HTML that curate writes with every text
    escaped); no demographics, which are not adjudicated.
    """
    names = control_names(taxonomy)
    colours = {fam: PALETTE[i % len(PALETTE)] for i, fam in enumerate(taxonomy.families)}
    scale = sorted(taxonomy.empathy)
    keys = _Hotkeys({str(value) for value in scale})
    root = ET.Element("View")
    ET.SubElement(root, "Style").text = STYLE + (REVIEW_STYLE if review else "")
    meta = " · ".join(f"{key.replace('_', ' ')} ${key}" for key in META_KEYS)
    ET.SubElement(root, "Header", {"value": meta, "size": "6"})
    if review:
        why = ET.SubElement(root, "View", {"className": "curate-why"})
        ET.SubElement(
            why, "Header", {"value": "Why this record is in the review queue", "size": "4"}
        )
        ET.SubElement(
            why,
            "HyperText",
            {
                "name": REVIEW_OBJECT,
                "value": f"${REVIEW_OBJECT}",
                "inline": "true",
                "selectionEnabled": "false",
            },
        )
    for field in taxonomy.fields:
        _add_field_block(root, taxonomy, field, names, colours, keys)

    empathy = taxonomy.raw.get("empathy", {})
    empathy_header = (
        f"{empathy.get('title', 'Empathy')} of the {_empathy_field(taxonomy)}: "
        f"{empathy.get('description', '')} Keys {scale[0]}–{scale[-1]}."
    )
    ET.SubElement(root, "Header", {"value": empathy_header, "size": "5"})
    choices = ET.SubElement(
        root,
        "Choices",
        {
            "name": names["empathy"],
            "toName": _empathy_field(taxonomy),
            "choice": "single-radio",
            "required": "false",
            "showInline": "true",
        },
    )
    for value in scale:
        label = taxonomy.empathy[value]
        shown = label if label.startswith(str(value)) else f"{value} {label}"
        ET.SubElement(
            choices,
            "Choice",
            {"value": shown, "alias": str(value), "hint": label, "hotkey": str(value)},
        )

    if not review:
        _add_demographics(root, taxonomy, names, keys)
    ET.indent(root, space="  ")
    return f"{GENERATED_NOTICE}\n{ET.tostring(root, encoding='unicode')}\n"


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, whitespace collapsed to one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def annotator_guide(taxonomy: Taxonomy) -> str:
    """The Markdown annotator guide; every label, definition and field comes from the taxonomy."""
    raw = taxonomy.raw
    dataset = raw.get("dataset", "the dataset")
    names = control_names(taxonomy)
    out: list[str] = [GENERATED_NOTICE, "", f"# {dataset} annotator guide", ""]

    out += [
        "## Purpose",
        "",
        f"{dataset} collects posts from people in distress in online peer-support settings, "
        "each optionally with one peer response. You mark the phrases that express distress, "
        "the phrases that carry culture, and what the supporter does in the response; you "
        "rate how empathetic the response is; and you note what the post says about its "
        "author. Your annotations train and evaluate models of culturally aware support, so "
        "consistency matters more than speed.",
        "",
        "## What you see",
        "",
        "- A small header with the record id, the culture and the language of the record.",
    ]
    for field in taxonomy.fields:
        desc = raw["fields"][field].get("description", "")
        out.append(f"- **{field.capitalize()}**: {desc}")
    out += [
        "- The empathy score and a collapsed **Demographics** panel below the texts.",
        "",
        "The response may be empty; then leave its spans and the empathy score blank.",
        "",
        "This guide is also the project's instructions in Label Studio: it opens before "
        "you start labeling, and again from the **Instructions** button at the top.",
        "",
        "### Cultures",
        "",
    ]
    for culture in taxonomy.cultures:
        desc = next(
            (c.get("description", "") for c in raw.get("cultures", []) if c["name"] == culture),
            "",
        )
        out.append(f"- **{culture}**" + (f": {desc}" if desc else ""))

    out += ["", "## How to mark spans", ""]
    for field in taxonomy.fields:
        fams = ", ".join(f"**{label_value(fam)}**" for fam in _families_on(taxonomy, field))
        out.append(f"- In the **{field}**, the span labels are {fams}.")
    out += [
        "",
        "1. Click a label above the text (or press the key shown beside it).",
        "2. Select the phrase in the text with the mouse. Select the whole phrase that "
        "carries the meaning, not single words out of it, and no surrounding spaces or "
        "punctuation that do not belong to it.",
        "3. Select the new span (click it in the **Regions** list). Its choices appear "
        "under the text: pick exactly one, with the mouse or the key shown beside it. "
        "Every span needs its choice: Submit refuses an annotation with a span that has "
        "none, and selects that span for you.",
        "4. To fix a span, select it and press Backspace (or the bin icon), then mark it again.",
        "",
        "Hover over a label or a choice to see its definition. Every span label and "
        "span choice has a key of its own, shown beside it; the empathy scores are the "
        "digits. Use a choice's key only while its choices are on screen: the key of "
        "another label's choice adds that choice to the selected span, and the curator "
        "gets it back as an error. Arabic and Hebrew "
        "paragraphs are laid out right to left, each paragraph by its own first letter: "
        "one that starts with a placeholder such as `<PERSON_1>` may be laid out left to "
        "right.",
        "",
        "### Overlapping spans",
        "",
        "Spans of different families may overlap or nest: one phrase can carry labels of "
        "two families. Do not mark the same text twice with the same label; if one phrase "
        "fits two values of the same family, choose the one that fits best.",
        "",
        "## Span families",
        "",
    ]
    for fam in taxonomy.families.values():
        where = " and ".join(f"the {field}" for field in fam.fields)
        out += [
            f"### {fam.title} (`{fam.name}`)",
            "",
            f"Marked in {where}. {fam.description}",
            "",
            f"Attribute **{fam.attribute}**, one per span:",
            "",
            "| Value | Definition |",
            "| --- | --- |",
        ]
        out += [f"| {_cell(v)} | {_cell(fam.definitions[v])} |" for v in fam.values]
        out.append("")

    empathy = raw.get("empathy", {})
    out += [
        f"## {empathy.get('title', 'Empathy score')} (`{names['empathy']}`)",
        "",
        f"{empathy.get('description', '')} Rate the {_empathy_field(taxonomy)} as a whole, "
        "once, by clicking one number.",
        "",
        "| Score | Meaning |",
        "| --- | --- |",
    ]
    out += [f"| {value} | {_cell(label)} |" for value, label in sorted(taxonomy.empathy.items())]

    demo = raw.get("demographics", {})
    descriptions = {f["name"]: f.get("description", "") for f in demo.get("fields", [])}
    out += [
        "",
        "## Demographics",
        "",
        f"{demo.get('description', '')} Open the **Demographics** panel and fill in only "
        "what the post itself states about its author. Category fields are choices: pick "
        "`unknown` (or nothing) when the post does not say, and `other` with the words of "
        "the post when no choice fits. Integer fields take a number. Leave a text box "
        "empty when the post does not state it: empty is recorded as unknown. Never "
        "guess from the culture, the language or the writing style.",
        "",
        "| Field | Kind | What to write |",
        "| --- | --- | --- |",
    ]
    for name in taxonomy.demographic_fields:
        kind = taxonomy.demographic_kinds.get(name, "text")
        what = descriptions.get(name, "")
        if kind == "category":
            what += " Choices: " + ", ".join(category_choices(taxonomy, name)) + "."
        out.append(f"| {_cell(_title(name))} | {kind} | {_cell(what)} |")
    out += [
        "",
        "## Privacy",
        "",
        "- All texts are de-identified before you see them. Placeholders such as "
        "`<PERSON_1>` stand for people (and similar ones for places, contacts and other "
        "identifiers); the same placeholder means the same person everywhere in one "
        "record (title, post and response). Some names may instead have been replaced by "
        "realistic made-up ones: treat every name as possibly invented.",
        "- Annotate placeholders like any other word: they can be part of a span.",
        "- Never try to re-identify anyone: do not work out who wrote a post or who it "
        "mentions, never search for the text online, and never copy texts out of Label "
        "Studio.",
        "- If you see something that still identifies a person (a name, an address, a "
        "username, a phone number), do not annotate the record: skip it and tell the "
        "curator its record id.",
        "",
    ]
    return "\n".join(out)


def guide_html(taxonomy: Taxonomy) -> str:
    """The annotator guide as HTML, for the project's instructions in Label Studio (which
    shows them before labeling). Rendered by markdown-it with raw HTML off, so nothing
    in the taxonomy's text can inject markup into the labeling page."""
    from markdown_it import MarkdownIt

    guide = annotator_guide(taxonomy).removeprefix(GENERATED_NOTICE).lstrip()
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(guide)


def reviewer_guide(taxonomy: Taxonomy) -> str:
    """The review projects' instructions (Markdown): what a reviewer decides and how."""
    return "\n".join(
        [
            "# Reviewing flagged labels",
            "",
            "Each task is one record that the label audit flagged. The yellow box says why:",
            "which span and label family, the label given and by whom, what the other",
            "annotators gave (the consensus), what the model suggests and how sure it is, and",
            "any near-duplicate phrase labelled differently elsewhere.",
            "",
            "The task opens with the record's current labels already filled in (the",
            "annotators' consensus, or your earlier decision). Check the flagged items:",
            "",
            "1. Keep a label that is right: change nothing.",
            "2. Correct a wrong label: select the span and pick the right value (or empathy",
            "   score). Delete a span that should not be there; add one that is missing.",
            "3. **Submit.** Your decision replaces the annotators' labels of this record in",
            "   the dataset, and the record is not queued again unless its labels change.",
            "",
            "The labels mean what the annotator guide says (project *CultureCare*",
            "instructions); the same keys work here.",
            "",
        ]
    )


def reviewer_guide_html(taxonomy: Taxonomy) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(reviewer_guide(taxonomy))


def generated_files(taxonomy: Taxonomy) -> dict[str, str]:
    """File name -> content of every generated file (what `write_generated` writes)."""
    return {
        CONFIG_FILE: labeling_config(taxonomy),
        REVIEW_CONFIG_FILE: labeling_config(taxonomy, review=True),
        GUIDE_FILE: annotator_guide(taxonomy),
    }


def write_generated(out_dir: Path, taxonomy: Taxonomy) -> list[Path]:
    """Write the labeling config and the guide into `out_dir` (the `label_studio/` folder)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_files(taxonomy).items():
        path = out_dir / name
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m curate.annotate.labeling [OUT_DIR]`: regenerate both files."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or any(a in ("-h", "--help") for a in args):
        print(f"usage: {REGENERATE_COMMAND} [OUT_DIR]  (default: {default_out_dir()})")
        return 0 if args and args[0] in ("-h", "--help") else 2
    out_dir = Path(args[0]) if args else default_out_dir()
    for path in write_generated(out_dir, load_taxonomy()):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
