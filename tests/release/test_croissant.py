"""croissant.json: validated by mlcroissant (the reference implementation), read back
record by record from the real Parquet files and compared with the rows written; checksums
match the files; the responsible-AI fields are there and carry the release's figures."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_card import SECRET, make_release

from curate.errors import CurateError
from curate.release.croissant import (
    CONFORMS_TO,
    CONTEXT,
    croissant_metadata,
    license_url,
    split_regex,
    write_croissant,
)

RAI_FIELDS = (
    "rai:dataCollection",
    "rai:dataCollectionType",
    "rai:dataAnnotationProtocol",
    "rai:dataAnnotationPlatform",
    "rai:annotatorDemographics",
    "rai:dataBiases",
    "rai:dataLimitations",
    "rai:personalSensitiveInformation",
    "rai:dataUseCases",
    "rai:dataSocialImpact",
    "rai:dataReleaseMaintenancePlan",
    "rai:dataPreprocessingProtocol",
)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release-croissant")
    info, data = make_release(folder, "text")
    path = write_croissant(folder, info)
    return folder, info, data, path


@pytest.fixture(scope="module")
def dataset(release):
    import mlcroissant as mlc

    return mlc.Dataset(jsonld=release[3])


def test_validates_with_mlcroissant(release, dataset) -> None:
    _, info, _, path = release
    issues = dataset.metadata.issues
    assert not issues.errors and not issues.warnings, issues.report()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["conformsTo"] == CONFORMS_TO
    assert doc["version"] == info.version and doc["datePublished"] == info.created
    assert doc["license"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert "@article{culturecare2025" in doc["citeAs"] and "2508.07902" in doc["citeAs"]
    assert doc["url"] == "https://huggingface.co/datasets/curate-test/culturecare"
    assert {rs["name"] for rs in doc["recordSet"]} >= set(info.configs)
    try:
        from mlcroissant._src.core.rdf import make_context
    except ImportError:  # private module moved: the validation above still holds
        return
    assert make_context() == CONTEXT  # the standard 1.0 context, nothing else


def test_checksums_and_file_sets_match_the_files(release) -> None:
    folder, info, _, path = release
    doc = json.loads(path.read_text(encoding="utf-8"))
    objects = {d["@id"]: d for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    files = {f for splits in info.configs.values() for fs in splits.values() for f in fs}
    assert set(objects) == files
    for rel, obj in objects.items():
        blob = (folder / rel).read_bytes()
        assert obj["sha256"] == hashlib.sha256(blob).hexdigest()
        assert obj["contentUrl"] == rel and obj["contentSize"] == f"{len(blob)} B"
    sets = {d["@id"]: d for d in doc["distribution"] if d["@type"] == "cr:FileSet"}
    for config, splits in info.configs.items():
        assert sorted(sets[f"parquet-{config}"]["includes"]) == sorted(
            f for fs in splits.values() for f in fs
        )


def _plain(value: Any) -> Any:
    """mlcroissant record values -> Python values, keys without the record-set prefix."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict):
        return {k.rsplit("/", 1)[-1]: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_records_read_back_equal_the_rows(release, dataset) -> None:
    _, _, data, _ = release
    got = sorted((_plain(r) for r in dataset.records("German")), key=lambda r: r["id"])
    want = sorted(
        ({"split": split, **row} for split, rows in data["German"].items() for row in rows),
        key=lambda r: r["id"],
    )
    assert got == want


def test_class_labels_have_their_names_and_definitions(release, dataset) -> None:
    _, info, _, _ = release
    family = info.taxonomy.family("emotional_support")
    rows = [_plain(r) for r in dataset.records("labels-emotional_support-strategy")]
    assert [(r["index"], r["name"]) for r in rows] == list(enumerate(family.values))
    assert all(r["definition"] == family.definitions[r["name"]] for r in rows)
    cultures = [_plain(r)["name"] for r in dataset.records("labels-culture")]
    assert cultures == list(info.taxonomy.cultures)


def test_rai_fields_carry_the_release_figures(release, dataset) -> None:
    _, _, _, path = release
    doc = json.loads(path.read_text(encoding="utf-8"))
    for key in RAI_FIELDS:
        assert doc[key], key
    meta = dataset.metadata  # the RAI vocabulary was recognised, not just written
    assert meta.data_collection and meta.data_social_impact and meta.data_release_maintenance_plan
    assert meta.annotator_demographics and meta.data_preprocessing_protocol
    preprocessing = " ".join(doc["rai:dataPreprocessingProtocol"])
    assert "cf12600a096a6a38" in preprocessing and "recall 0.9234" in preprocessing
    assert "57 expectations evaluated, 1 failed" in preprocessing
    assert any("empathy_missing" in x for x in doc["rai:dataLimitations"])
    assert any("Release mode: text" in x for x in doc["rai:personalSensitiveInformation"])
    assert any(x.startswith("Out of scope: Diagnosis") for x in doc["rai:dataUseCases"])
    assert "span F1 (overlap) 0.8771" in " ".join(doc["rai:dataAnnotationAnalysis"])
    assert SECRET not in path.read_text(encoding="utf-8")  # no text of the data, anywhere


def test_missing_figures_say_so(release) -> None:
    folder, info, _, _ = release
    bare = copy.copy(info)
    bare.agreement = bare.deid = bare.audit = None
    bare.validation = None
    bare.org = None
    doc = croissant_metadata(folder, bare)
    text = json.dumps(doc)
    for sentence in (
        "Inter-annotator agreement: not computed for this release.",
        "De-identification details: not computed for this release.",
        "Label-noise audit (cleanlab): not computed for this release.",
        "Validation gate result: not computed for this release.",
    ):
        assert sentence in text
    assert "url" not in doc


def test_reference_release(tmp_path: Path) -> None:
    import mlcroissant as mlc

    info, data = make_release(tmp_path, "reference")
    ds = mlc.Dataset(jsonld=write_croissant(tmp_path, info))
    assert not ds.metadata.issues.errors
    rows = [_plain(r) for r in ds.records("Arabic")]
    assert sorted(r["url"] for r in rows) == sorted(
        row["url"] for rows_ in data["Arabic"].values() for row in rows_
    )
    assert "Release mode: reference" in " ".join(ds.metadata.personal_sensitive_information)


def test_missing_data_file_is_a_user_error(tmp_path: Path, release) -> None:
    _, info, _, _ = release
    with pytest.raises(CurateError, match=re.escape("data/all/train-00000-of-00001.parquet")):
        croissant_metadata(tmp_path, info)


def test_split_regex_names_the_split_or_gives_up() -> None:
    assert split_regex({"train": ["data/test/train-00000-of-00002.parquet"]})
    assert split_regex({"test": ["data/x/test/0.parquet"], "train": ["data/x/train/0.parquet"]})
    assert split_regex({"train": ["data/x/part-0.parquet"]}) is None
    assert license_url("apache-2.0") == "https://www.apache.org/licenses/LICENSE-2.0"
    assert license_url("other") == "other"
