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

from curate.schema import Family, Taxonomy, load_taxonomy

GENERATED_NOTICE = (
    "<!-- generated from schemas/taxonomy.yaml by curate.annotate.labeling; do not edit -->"
)
CONFIG_FILE = "labeling_config.xml"
GUIDE_FILE = "annotator_guide.md"
REGENERATE_COMMAND = "python -m curate.annotate.labeling"

# Task data keys shown in the small header above the texts (not annotated).
META_KEYS = ("record_id", "culture", "language")
# Demographics describe the post's author, so their text areas hang off the post.
DEMOGRAPHICS_FIELD = "post"
EMPATHY_CONTROL = "empathy"

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
    `empathy` (Choices name), `demographics` {field: TextArea name}, plus `objects`
    {field: Text name, equal to the task data key} and `data` (all task data keys).
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
    objects = {field: field for field in taxonomy.fields}
    names = [
        *objects.values(),
        *spans.values(),
        *attributes.values(),
        EMPATHY_CONTROL,
        *demographics.values(),
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
        "objects": objects,
        "data": (*META_KEYS, "title", *taxonomy.fields),
    }


def _family_hint(fam: Family) -> str:
    return f"{fam.title}: {fam.description}"


def _add_field_block(
    view: ET.Element,
    taxonomy: Taxonomy,
    field: str,
    names: dict[str, Any],
    colours: dict[str, str],
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
                {"value": fam.name, "background": colours[fam.name], "hint": _family_hint(fam)},
            )
    ET.SubElement(view, "Text", {"name": field, "value": f"${field}"})
    for fam in families:
        when = {
            "visibleWhen": "region-selected",
            "whenTagName": spans,
            "whenLabelValue": fam.name,
        }
        # The wrapping View hides the header together with the choices it explains.
        box = ET.SubElement(view, "View", dict(when))
        ET.SubElement(box, "Header", {"value": f"{fam.title}: {fam.attribute}", "size": "6"})
        choices = ET.SubElement(
            box,
            "Choices",
            {
                "name": names["attributes"][(field, fam.name)],
                "toName": field,
                "perRegion": "true",
                "choice": "single",
                "required": "false",
                "showInline": "true",
                **when,
            },
        )
        for value in fam.values:
            ET.SubElement(choices, "Choice", {"value": value, "hint": fam.definitions[value]})


def labeling_config(taxonomy: Taxonomy) -> str:
    """The Label Studio labeling config (XML), deterministic for a given taxonomy.

    Label values are the family names (stable machine keys the pull code maps back to
    records); the human title and description go into hints so annotators still see them.
    The result starts with the do-not-edit notice and ends with a newline.
    """
    names = control_names(taxonomy)
    colours = {fam: PALETTE[i % len(PALETTE)] for i, fam in enumerate(taxonomy.families)}
    root = ET.Element("View")
    meta = " · ".join(f"{key.replace('_', ' ')} ${key}" for key in META_KEYS)
    ET.SubElement(root, "Header", {"value": meta, "size": "6"})
    for field in taxonomy.fields:
        _add_field_block(root, taxonomy, field, names, colours)

    empathy = taxonomy.raw.get("empathy", {})
    scale = sorted(taxonomy.empathy)
    empathy_header = (
        f"{empathy.get('title', 'Empathy')}: {empathy.get('description', '')} "
        f"({taxonomy.empathy[scale[0]]} … {taxonomy.empathy[scale[-1]]})"
    )
    ET.SubElement(root, "Header", {"value": empathy_header, "size": "5"})
    choices = ET.SubElement(
        root,
        "Choices",
        {
            "name": names["empathy"],
            "toName": _empathy_field(taxonomy),
            "choice": "single",
            "required": "false",
            "showInline": "true",
        },
    )
    for value in scale:
        ET.SubElement(choices, "Choice", {"value": str(value), "hint": taxonomy.empathy[value]})

    demo = taxonomy.raw.get("demographics", {})
    descriptions = {f["name"]: f.get("description", "") for f in demo.get("fields", [])}
    panel = ET.SubElement(ET.SubElement(root, "Collapse"), "Panel", {"value": "Demographics"})
    if demo.get("description"):
        ET.SubElement(panel, "Header", {"value": demo["description"], "size": "6"})
    for name in taxonomy.demographic_fields:
        kind = taxonomy.demographic_kinds.get(name, "text")
        ET.SubElement(
            panel,
            "Header",
            {"value": f"{name} ({kind}): {descriptions.get(name, '')}", "size": "6"},
        )
        ET.SubElement(
            panel,
            "TextArea",
            {
                "name": names["demographics"][name],
                "toName": DEMOGRAPHICS_FIELD,
                "maxSubmissions": "1",
                "editable": "true",
                "rows": "1",
                "placeholder": "unknown",
            },
        )

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
        fams = ", ".join(f"`{fam.name}`" for fam in _families_on(taxonomy, field))
        out.append(f"- In the **{field}**, the span labels are {fams}.")
    out += [
        "",
        "1. Click a label above the text (or press its hotkey).",
        "2. Select the phrase in the text with the mouse. Select the whole phrase that "
        "carries the meaning, not single words out of it, and no surrounding spaces or "
        "punctuation that do not belong to it.",
        "3. Click the new region to select it. The attribute choices for its label appear "
        "below the text; pick exactly one.",
        "4. To fix a span, select the region and delete it, then mark it again.",
        "",
        "Hover over a label or a choice to see its definition.",
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
        "what the post itself states about its author. Leave a box empty (it shows "
        "'unknown') when the post does not state it: an empty box is recorded as unknown. "
        "Never guess from the culture, the language or the writing style.",
        "",
        "| Field | Kind | What to write |",
        "| --- | --- | --- |",
    ]
    for name in taxonomy.demographic_fields:
        kind = taxonomy.demographic_kinds.get(name, "text")
        out.append(f"| {_cell(name)} | {kind} | {_cell(descriptions.get(name, ''))} |")
    out += [
        "",
        "For integer fields write digits only (e.g. `34`); for category fields write the "
        "plain word the post uses.",
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


def generated_files(taxonomy: Taxonomy) -> dict[str, str]:
    """File name -> content of every generated file (what `write_generated` writes)."""
    return {CONFIG_FILE: labeling_config(taxonomy), GUIDE_FILE: annotator_guide(taxonomy)}


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
