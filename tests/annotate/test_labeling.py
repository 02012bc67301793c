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
    REGENERATE_COMMAND,
    annotator_guide,
    control_names,
    default_out_dir,
    generated_files,
    labeling_config,
    write_generated,
)
from curate.schema import Taxonomy, _build_taxonomy, load_taxonomy

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


@pytest.mark.parametrize("name", [CONFIG_FILE, GUIDE_FILE])
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
    assert [p.name for p in paths] == [CONFIG_FILE, GUIDE_FILE]
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
        assert got == [fam.name for fam in tax.families.values() if field in fam.fields]
        for label in labels.iter("Label"):
            fam = tax.family(label.get("value"))
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
        assert choices.get("choice") == "single"
        assert choices.get("visibleWhen") == "region-selected"
        assert choices.get("whenTagName") == f"{field}_spans"
        assert choices.get("whenLabelValue") == family
        got = {c.get("value"): c.get("hint") for c in choices.iter("Choice")}
        assert got == {v: fam.definitions[v] for v in fam.values}
        assert [c.get("value") for c in choices.iter("Choice")] == list(fam.values)


def test_empathy_choices(tax: Taxonomy, root: ET.Element):
    empathy = _by_name(root)["empathy"]
    assert empathy.tag == "Choices" and empathy.get("toName") == "response"
    assert empathy.get("choice") == "single"
    got = [(c.get("value"), c.get("hint")) for c in empathy.iter("Choice")]
    assert got == [(str(v), tax.empathy[v]) for v in sorted(tax.empathy)]
    assert [v for v, _ in got] == ["1", "2", "3", "4", "5"]


def test_demographic_text_areas(tax: Taxonomy, root: ET.Element):
    by_name = _by_name(root)
    demo = control_names(tax)["demographics"]
    assert len(demo) == len(tax.demographic_fields) == 11
    panel = root.find("./Collapse/Panel")
    assert panel is not None and panel.get("value") == "Demographics"
    in_panel = {el.get("name") for el in panel.iter("TextArea")}
    assert in_panel == set(demo.values())
    headers = " ".join(h.get("value") for h in panel.iter("Header"))
    descriptions = {f["name"]: f["description"] for f in tax.raw["demographics"]["fields"]}
    for field, name in demo.items():
        area = by_name[name]
        assert name == f"demo_{field}"
        assert area.tag == "TextArea" and area.get("toName") == "post"
        assert area.get("maxSubmissions") == "1" and area.get("editable") == "true"
        assert area.get("placeholder") == "unknown"
        assert field in headers and descriptions[field] in headers


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
    assert "emotional_distress" in [label.get("value") for label in labels.iter("Label")]


def test_guide_covers_the_whole_taxonomy(tax: Taxonomy):
    guide = annotator_guide(tax)
    for fam in tax.families.values():
        assert fam.title in guide and fam.description in guide and fam.attribute in guide
        for value in fam.values:
            assert f"| {value} | {fam.definitions[value]} |" in guide
    for value, label in tax.empathy.items():
        assert f"| {value} | {label} |" in guide
    for field in tax.raw["demographics"]["fields"]:
        assert field["name"] in guide and field["description"] in guide
    for culture in tax.cultures:
        assert culture in guide
    assert "unknown" in guide
    assert "<PERSON_1>" in guide and "re-identify" in guide
    lowered = guide.lower()
    assert "de-identified" in lowered and "overlap" in lowered
