"""The Label Studio config and annotator guide are generated from the taxonomy and stay in sync.

A stale committed file would make annotators label with an outdated taxonomy, so the
committed copies are compared with freshly generated ones here.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from curate.annotate.labeling import (
    CONFIG_FILE,
    GENERATED_NOTICE,
    GUIDE_FILE,
    LABEL_STUDIO_AUTO_KEYS,
    REGENERATE_COMMAND,
    RESERVED_KEYS,
    REVIEW_CONFIG_FILE,
    annotator_guide,
    control_names,
    default_out_dir,
    demographic_result,
    demographic_value,
    family_of,
    generated_files,
    guide_html,
    labeling_config,
    write_generated,
)
from curate.schema import Taxonomy, _build_taxonomy, load_normalization, load_taxonomy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def root(tax: Taxonomy) -> ET.Element:
    return ET.fromstring(labeling_config(tax))


def _variant(tax: Taxonomy, edit) -> Taxonomy:
    """A taxonomy built from an edited deep copy of the YAML document."""
    doc = copy.deepcopy(tax.raw)
    edit(doc)
    return _build_taxonomy(doc, ())


def _by_name(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("name"): el for el in root.iter() if el.get("name")}


def test_default_out_dir_is_the_repo_label_studio_folder():
    assert default_out_dir() == REPO / "label_studio"


@pytest.mark.parametrize("name", [CONFIG_FILE, REVIEW_CONFIG_FILE, GUIDE_FILE])
def test_committed_files_are_fresh(tax: Taxonomy, name: str):
    path = default_out_dir() / name
    fresh = generated_files(tax)[name]
    assert path.is_file(), f"{path} is missing; run `{REGENERATE_COMMAND}`"
    assert path.read_text(encoding="utf-8") == fresh, (
        f"{path} is stale (schemas/taxonomy.yaml or the generator changed); "
        f"regenerate it with `{REGENERATE_COMMAND}`"
    )


def test_write_generated_and_cli(tmp_path: Path, tax: Taxonomy):
    paths = write_generated(tmp_path / "a", tax)
    assert [p.name for p in paths] == [CONFIG_FILE, REVIEW_CONFIG_FILE, GUIDE_FILE]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert text.startswith(GENERATED_NOTICE + "\n")
        assert text.endswith("\n") and not text.endswith("\n\n")
    out = tmp_path / "b"
    subprocess.run(
        [sys.executable, "-m", "curate.annotate.labeling", str(out)], check=True, cwd=REPO
    )
    for path in paths:
        assert (out / path.name).read_bytes() == path.read_bytes()


def test_output_is_deterministic(tax: Taxonomy):
    assert labeling_config(tax) == labeling_config(load_taxonomy())
    assert annotator_guide(tax) == annotator_guide(load_taxonomy())


def test_names_are_unique_and_match_control_names(tax: Taxonomy, root: ET.Element):
    named = [el.get("name") for el in root.iter() if el.get("name")]
    assert len(named) == len(set(named))
    names = control_names(tax)
    expected = {
        *names["spans"].values(),
        *names["attributes"].values(),
        names["empathy"],
        *names["demographics"].values(),
        *names["demographics_other"].values(),
        *names["objects"].values(),
    }
    assert set(named) == expected
    assert names["spans"] == {"post": "post_spans", "response": "response_spans"}
    assert names["empathy"] == "empathy"
    assert set(names["attributes"]) == {
        (field, fam.name) for fam in tax.families.values() for field in fam.fields
    }
    # every control points at an object that exists
    objects = set(names["objects"].values())
    assert all(el.get("toName") in objects for el in root.iter() if el.get("toName"))


def test_texts_and_header(root: ET.Element):
    by_name = _by_name(root)
    assert by_name["post"].tag == "Text" and by_name["post"].get("value") == "$post"
    assert by_name["response"].tag == "Text" and by_name["response"].get("value") == "$response"
    values = " ".join(el.get("value", "") for el in root.iter("Header"))
    for key in ("$record_id", "$culture", "$language"):
        assert key in values


def test_span_families_under_the_right_labels(tax: Taxonomy, root: ET.Element):
    by_name = _by_name(root)
    names = control_names(tax)
    colours: dict[str, str] = {}
    for field in tax.fields:
        labels = by_name[names["spans"][field]]
        assert labels.tag == "Labels" and labels.get("toName") == field
        got = [label.get("value") for label in labels.iter("Label")]
        # readable titles in the UI; pull maps them back to the family names
        assert got == [fam.title for fam in tax.families.values() if field in fam.fields]
        for label in labels.iter("Label"):
            fam = family_of(tax, label.get("value"))
            assert fam is not None and names["labels"][fam.name] == label.get("value")
            assert fam.title in label.get("hint") and fam.description in label.get("hint")
            assert colours.setdefault(fam.name, label.get("background")) == label.get("background")
    assert sorted(colours) == sorted(tax.families)
    assert len(set(colours.values())) == len(colours), "families share a colour"


def test_attribute_values_are_per_region_choices(tax: Taxonomy, root: ET.Element):
    by_name = _by_name(root)
    for (field, family), name in control_names(tax)["attributes"].items():
        fam = tax.family(family)
        choices = by_name[name]
        assert choices.tag == "Choices"
        assert name == f"{field}_{family}_{fam.attribute}"
        assert choices.get("toName") == field
        assert choices.get("perRegion") == "true"
        assert choices.get("choice") == "single-radio"  # radio buttons, not checkboxes
        # required per region: a span cannot be submitted without its attribute
        assert choices.get("required") == "true" and fam.attribute in choices.get("requiredMessage")
        assert choices.get("visibleWhen") == "region-selected"
        assert choices.get("whenTagName") == f"{field}_spans"
        # the value Label Studio both shows by and checks `required` by
        assert choices.get("whenLabelValue") == fam.title
        got = {c.get("value"): c.get("hint") for c in choices.iter("Choice")}
        assert got == {v: fam.definitions[v] for v in fam.values}
        assert [c.get("value") for c in choices.iter("Choice")] == list(fam.values)


def test_empathy_choices(tax: Taxonomy, root: ET.Element):
    empathy = _by_name(root)["empathy"]
    assert empathy.tag == "Choices" and empathy.get("toName") == "response"
    assert empathy.get("choice") == "single-radio"
    got = [(c.get("alias"), c.get("value"), c.get("hotkey")) for c in empathy.iter("Choice")]
    assert got == [(str(v), tax.empathy[v], str(v)) for v in sorted(tax.empathy)]
    assert [a for a, _, _ in got] == ["1", "2", "3", "4", "5"]
    for alias, value, _ in got:  # what the result holds reads back as the score
        assert tax.empathy_value(alias) == tax.empathy_value(value) == int(alias)


def test_every_control_has_its_own_hotkey(tax: Taxonomy, root: ET.Element):
    keyed = [el for el in root.iter() if el.tag in ("Label", "Choice") and el.get("hotkey")]
    keys = [el.get("hotkey") for el in keyed]
    assert len(keys) == len(set(keys)), "two controls share a hotkey"
    assert not set(keys) & RESERVED_KEYS
    # every span label and span attribute has one (Label Studio would otherwise hand out
    # its own, which once put the digits on intensity and left empathy 5 without a key)
    span_controls = [
        el
        for name in [
            *control_names(tax)["spans"].values(),
            *control_names(tax)["attributes"].values(),
        ]
        for el in _by_name(root)[name]
    ]
    assert all(el.get("hotkey") for el in span_controls)
    # Label Studio hands its own keys to controls without one (`makeComb`): none may be
    # left, or a stray press would set a hidden demographic choice (it once set gender
    # "male" on `0`). Leftovers go to `unknown` choices, which record no answer.
    assert set(LABEL_STUDIO_AUTO_KEYS) <= set(keys)
    demo_keyed = [el for el in keyed if el.get("value") == "unknown"]
    assert len(keys) == len(span_controls) + len(tax.empathy) + len(demo_keyed)


def test_rtl_style_decides_direction_per_paragraph(root: ET.Element):
    style = root.find("Style")
    assert style is not None and root[0] is style
    assert "unicode-bidi: plaintext" in style.text and "text-align: start" in style.text
    assert ".lsf-richtext__line" in style.text


def test_demographic_controls_follow_the_schema(tax: Taxonomy, root: ET.Element):
    by_name = _by_name(root)
    names = control_names(tax)
    demo = names["demographics"]
    assert len(demo) == len(tax.demographic_fields) == 11
    panel = root.find("./Collapse/Panel")
    assert panel is not None and panel.get("value") == "Demographics"
    in_panel = {el.get("name") for el in panel.iter() if el.get("name")}
    assert in_panel == set(demo.values()) | set(names["demographics_other"].values())
    headers = " ".join(h.get("value") for h in panel.iter("Header"))
    assert "number_of_people" not in headers and "Number of people in household" in headers
    descriptions = {f["name"]: f["description"] for f in tax.raw["demographics"]["fields"]}
    table = load_normalization()["categories"]
    for field, name in demo.items():
        control = by_name[name]
        kind = tax.demographic_kinds[field]
        assert name == f"demo_{field}" and control.get("toName") == "post"
        assert descriptions[field] in headers
        if kind == "category":
            assert control.tag == "Choices" and control.get("choice") == "single-radio"
            values = [c.get("value") for c in control.iter("Choice")]
            assert values == [*table[field], "unknown", "other"]
            other = by_name[names["demographics_other"][field]]
            box = next(v for v in panel.iter("View") if other in list(v))
            assert other.tag == "TextArea" and box.get("whenChoiceValue") == "other"
            assert box.get("whenTagName") == name and box.get("visibleWhen") == "choice-selected"
        elif kind == "integer":
            assert control.tag == "Number" and control.get("min") == "0"
        else:
            assert control.tag == "TextArea" and control.get("placeholder") == "unknown"


@pytest.mark.parametrize(
    ("field", "value", "back"),
    [
        ("gender", "female", "female"),
        ("gender", "genderqueer", "genderqueer"),  # other + its free text
        ("gender", "unknown", ""),
        ("age", "34", "34"),
        ("settlement", "Haifa", "Haifa"),
    ],
)
def test_demographic_results_read_back(tax: Taxonomy, field: str, value: str, back: str):
    names = control_names(tax)
    roles = {v: "main" for v in names["demographics"].values()}
    roles |= {v: "other" for v in names["demographics_other"].values()}
    items = demographic_result(tax, field, value)
    by_role = {roles[item["from_name"]]: item["value"] for item in items}
    assert demographic_value(by_role) == back
    if value == "genderqueer":
        assert by_role["main"] == {"choices": ["other"]}


def test_guide_html_is_the_guide_without_raw_html(tax: Taxonomy):
    html = guide_html(tax)
    assert "<h1>" in html and "<table>" in html
    for fam in tax.families.values():
        assert fam.title in html

    def edit(doc):
        doc["span_families"]["cultural_signal"]["description"] = "x <script>alert(1)</script>"

    assert "<script>" not in guide_html(_variant(tax, edit))


def test_xml_escaping_survives_awkward_text(tax: Taxonomy):
    def edit(doc):
        fam = doc["span_families"]["cultural_signal"]
        fam["values"].append({"name": 'Food & "Drink" <x>', "description": "a | b & <c>"})

    variant = _variant(tax, edit)
    root = ET.fromstring(labeling_config(variant))
    choices = _by_name(root)["post_cultural_signal_type"]
    assert {c.get("value"): c.get("hint") for c in choices.iter("Choice")}[
        'Food & "Drink" <x>'
    ] == "a | b & <c>"
    assert "a \\| b & <c>" in annotator_guide(variant)


def test_adding_a_value_changes_both_files(tax: Taxonomy):
    def edit(doc):
        doc["span_families"]["emotional_support"]["values"].append(
            {"name": "Prayer", "description": "Offers to pray or prays for the author."}
        )

    variant = _variant(tax, edit)
    xml = labeling_config(variant)
    assert xml != labeling_config(tax)
    choices = _by_name(ET.fromstring(xml))["response_emotional_support_strategy"]
    assert "Prayer" in [c.get("value") for c in choices.iter("Choice")]
    guide = annotator_guide(variant)
    assert guide != annotator_guide(tax)
    assert "| Prayer | Offers to pray or prays for the author. |" in guide


def test_adding_a_culture_changes_the_output(tax: Taxonomy):
    def edit(doc):
        doc["cultures"].append({"name": "Persian", "description": "Posts by Persian people."})

    variant = _variant(tax, edit)
    assert variant.cultures[-1] == "Persian"
    assert generated_files(variant) != generated_files(tax)
    assert "**Persian**: Posts by Persian people." in annotator_guide(variant)


def test_a_new_field_family_gets_its_own_controls(tax: Taxonomy):
    def edit(doc):
        doc["span_families"]["emotional_distress"]["fields"] = ["post", "response"]

    variant = _variant(tax, edit)
    names = control_names(variant)
    assert names["attributes"][("response", "emotional_distress")] == (
        "response_emotional_distress_intensity"
    )
    root = ET.fromstring(labeling_config(variant))
    labels = _by_name(root)["response_spans"]
    assert "Emotional distress" in [label.get("value") for label in labels.iter("Label")]


def test_guide_covers_the_whole_taxonomy(tax: Taxonomy):
    guide = annotator_guide(tax)
    for fam in tax.families.values():
        assert fam.title in guide and fam.description in guide and fam.attribute in guide
        for value in fam.values:
            assert f"| {value} | {fam.definitions[value]} |" in guide
    for value, label in tax.empathy.items():
        assert f"| {value} | {label} |" in guide
    for field in tax.raw["demographics"]["fields"]:
        assert field["description"] in guide
    for culture in tax.cultures:
        assert culture in guide
    assert "unknown" in guide
    assert "<PERSON_1>" in guide and "re-identify" in guide
    lowered = guide.lower()
    assert "de-identified" in lowered and "overlap" in lowered


def test_review_config_explains_and_has_the_same_controls(tax: Taxonomy):
    """The review queue's config: the why view, the annotators' span and empathy
    controls under the same names (a decision pulls like an annotation), no
    demographics."""
    review = ET.fromstring(labeling_config(tax, review=True).split("\n", 1)[1])
    why = [el for el in review.iter("HyperText") if el.get("name") == "why"]
    assert len(why) == 1 and why[0].get("value") == "$why"
    names = control_names(tax)
    controls = {el.get("name") for el in review.iter() if el.get("toName")}
    assert set(names["spans"].values()) <= controls
    assert set(names["attributes"].values()) <= controls and names["empathy"] in controls
    assert not controls & set(names["demographics"].values())
