"""The taxonomy in schemas/ is the one source of truth, and the record schema follows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.config import load_config
from curate.demographics import normalize_demographics
from curate.schema import load_taxonomy, record_json_schema, record_validator

REPO = Path(__file__).resolve().parent.parent


def test_taxonomy_matches_the_paper():
    tax = load_taxonomy()
    assert tax.cultures == ("Arabic", "Chinese", "German", "Jewish")
    assert tax.family("emotional_distress").values == ("light", "moderate", "high")
    assert len(tax.family("cultural_signal").values) == 7
    assert tax.family("cultural_signal").fields == ("post", "response")
    assert len(tax.family("emotional_support").values) == 8
    assert sorted(tax.empathy) == [1, 2, 3, 4, 5]
    assert tax.empathy_value("3 moderately empathetic") == 3
    assert tax.empathy_value("7 wildly empathetic") is None
    assert len(tax.demographic_fields) == 11
    for fam in tax.families.values():
        assert all(fam.definitions[v] for v in fam.values)


def test_extra_culture_from_config(tmp_path):
    (tmp_path / "curate.toml").write_text('[taxonomy]\nextra_cultures = ["Persian"]\n')
    config = load_config(tmp_path / "curate.toml")
    tax = config.taxonomy()
    assert tax.cultures[-1] == "Persian"
    assert "Persian" in record_json_schema(tax)["properties"]["culture"]["enum"]


def test_no_label_list_is_repeated_in_code():
    """Label names appear in schemas/ only (and in tests, docs, demo data)."""
    tax = load_taxonomy()
    needles = [v for f in tax.families.values() for v in f.values if " " in v or "-" in v]
    needles += list(tax.empathy.values())
    for path in (REPO / "curate").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "demo.py":
            continue
        for needle in needles:
            assert needle not in text, f"{needle!r} hard-coded in {path}"


def test_record_schema_rejects_unknown_labels():
    validator = record_validator(load_taxonomy())
    good = {
        "id": "cc-0123456789abcdef",
        "culture": "German",
        "language": "de",
        "language_confidence": 0.99,
        "source": {"platform": "reddit", "source_id": "abc"},
        "post": {"title": None, "text": None},
        "response": {"text": None},
        "spans": [
            {
                "field": "post",
                "start": None,
                "end": None,
                "text": "x",
                "label": "emotional_distress",
                "attributes": {"intensity": "high"},
            }
        ],
        "empathy": 3,
        "demographics": {"age": 23},
        "demographics_raw": {"age": "23"},
        "provenance": {
            "input_file": "f",
            "line": 1,
            "content_hash": "0" * 64,
            "run_id": "r",
            "format": "culturecare",
        },
    }
    assert list(validator.iter_errors(good)) == []
    for path, value in [
        (("culture",), "Klingon"),
        (("empathy",), 6),
        (("spans", 0, "label"), "joy"),
        (("spans", 0, "field"), "title"),
        (("id",), "reddit-abc"),
    ]:
        bad = __import__("copy").deepcopy(good)
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert list(validator.iter_errors(bad)), f"{path}={value!r} accepted"


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("gender", "Männlich", "male"),
        ("gender", " M ", "male"),
        ("gender", "w", "female"),
        ("gender", "unknown", None),
        ("gender", "", None),
        ("age", "23", 23),
        ("age", 17, 17),
        ("age", "late 20s", None),
        ("religion", "Judaism", "Judaism"),
        ("religion", "jewish", "Judaism"),
        ("religion", "Islam", "Islam"),
        ("religion", "muslim", "Islam"),
        ("marital_status", "verheiratet", "married"),
        ("education", "  high   school ", "high school"),
    ],
)
def test_demographics_normalization(field, raw, expected):
    norm, _ = normalize_demographics({field: raw}, load_taxonomy())
    assert norm[field] == expected


def test_demographics_defects_are_reported():
    raw = {f: "unknown" for f in load_taxonomy().demographic_fields}
    raw.update(age=17, gender="Klingon", hobby="chess")
    norm, defects = normalize_demographics(raw, load_taxonomy())
    kinds = {(f, p) for f, p, *_ in defects}
    assert ("demographics.age", "number instead of string: mixed types") in kinds
    assert any(f == "demographics.gender" for f, *_ in defects)
    assert ("demographics.hobby", "field not in the taxonomy; dropped") in kinds
    assert norm["gender"] == "Klingon" and "hobby" not in norm
