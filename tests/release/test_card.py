"""The dataset card: a real release folder (typed Parquet files written by `datasets`)
and a hand-made ReleaseInfo go in; the README must load with `load_dataset`, state the
release mode, carry every taxonomy definition and every figure given, say so when a
figure is missing, escape data, and never contain a text of the data.

`make_release` is shared with test_croissant.py.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from curate.errors import CurateError
from curate.release.card import render_card, write_card
from curate.release.card.metadata import card_metadata
from curate.release.card.view import md_escape
from curate.release.info import ReleaseInfo
from curate.release.splits import SplitPolicy
from curate.release.summaries import DeidEval, DeidSummary
from curate.schema import Taxonomy, load_taxonomy
from curate.validate.gate import GateResult

CULTURES = ("Arabic", "German")
SPLIT_ROWS = {"train": 3, "validation": 1, "test": 1}  # per culture
SECRET = "SECRET"  # every text of the data contains it; no output may


def features_for(taxonomy: Taxonomy):
    """Typed columns exactly as `curate export` writes them (one schema for both modes)."""
    from curate.release.row import build_features

    return build_features(taxonomy)


def _rows(taxonomy: Taxonomy, culture: str, split: str, n: int, mode: str) -> list[dict]:
    text_mode = mode == "text"
    rows = []
    for i in range(n):
        rid = f"cc-{culture[:2].lower()}-{split[:2]}-{i}"
        post = f"{SECRET} post {rid}: I feel so alone since the move."
        response = None if i == 0 else f"{SECRET} reply {rid}: do you have friends there?"
        texts = {"post": post, "response": response}
        row: dict[str, Any] = {
            "id": rid,
            "culture": taxonomy.cultures.index(culture),
            "language": "de" if culture == "German" else "en",
            "post": {"title": f"{SECRET} title" if text_mode else None},
            "response": {"text": response if text_mode else None},
            "url": None if text_mode else f"https://www.reddit.com/r/x/comments/{rid}/",
        }
        row["post"]["text"] = post if text_mode else None
        for k, family in enumerate(taxonomy.families.values()):
            where = family.fields[-1]
            text = texts[where]
            if text is None:  # a post without a response: no spans there
                row[family.name] = []
                continue
            phrase = text.split(":")[1].strip()[:12]
            start = text.index(phrase)
            value = None if (i, k) == (1, 0) else (i + k) % len(family.values)
            row[family.name] = [
                {
                    "field": where,
                    "start": start if text_mode else None,
                    "end": start + len(phrase) if text_mode else None,
                    "text": phrase,
                    family.attribute: value,
                    "annotator": "ann-0a1b2c3d4e" if i % 2 else None,
                }
            ]
        row["empathy"] = None if i == 0 else 1 + i % 5
        row["demographics"] = {
            name: (23 if kind == "integer" else "unknown")
            for name, kind in taxonomy.demographic_kinds.items()
        }
        rows.append(row)
    return rows


def _label_counts(taxonomy: Taxonomy, rows: list[dict]) -> dict[str, dict[str, int]]:
    """As export counts them: every taxonomy label (zeros too), empathy keyed by the bare
    score, a missing value as "(missing)"."""
    out: dict[str, dict[str, int]] = {}
    for family in taxonomy.families.values():
        counter = Counter(s[family.attribute] for row in rows for s in row[family.name])
        out[family.name] = {v: counter.get(i, 0) for i, v in enumerate(family.values)}
        if counter.get(None):
            out[family.name]["(missing)"] = counter[None]
    empathy = Counter(r["empathy"] for r in rows)
    out["empathy"] = {str(v): empathy.get(v, 0) for v in taxonomy.empathy}
    if empathy.get(None):
        out["empathy"]["(missing)"] = empathy[None]
    return out


def make_release(folder: Path, mode: str = "text") -> tuple[ReleaseInfo, dict]:
    """Write data/<config>/<split>-00000-of-00001.parquet for "all" and each culture and
    return a ReleaseInfo with every figure filled in, plus the rows per config/split."""
    from datasets import Dataset

    taxonomy = load_taxonomy()
    features = features_for(taxonomy)
    by_culture = {
        c: {s: _rows(taxonomy, c, s, n, mode) for s, n in SPLIT_ROWS.items()} for c in CULTURES
    }
    data = {"all": {s: [r for c in CULTURES for r in by_culture[c][s]] for s in SPLIT_ROWS}}
    data |= by_culture
    configs: dict[str, dict[str, list[str]]] = {}
    for config, splits in data.items():
        configs[config] = {}
        for split, rows in splits.items():
            rel = f"data/{config}/{split}-00000-of-00001.parquet"
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            Dataset.from_list(rows, features=features).to_parquet(str(folder / rel))
            configs[config][split] = [rel]
    info = ReleaseInfo(
        name="culturecare",
        version="1.2.0",
        mode=mode,
        created="2026-03-01T12:00:00Z",
        taxonomy=taxonomy,
        features=features.to_dict(),
        configs=configs,
        split_sizes={c: {s: len(r) for s, r in splits.items()} for c, splits in data.items()},
        label_counts={
            c: {s: _label_counts(taxonomy, r) for s, r in splits.items()}
            for c, splits in data.items()
        },
        languages=["de", "en"],
        org="curate-test",
        agreement={
            "all": {
                "items": 12,
                "annotators": 3,
                "emotional_distress": {
                    "pairs": 12,
                    "spans": 40,
                    "f1_exact": 0.5123,
                    "f1_overlap": 0.8771,
                    "alpha_intensity": 0.6543,
                    "matched_spans": 17,
                },
                "empathy": {"items": 11, "alpha_empathy": None},
            }
        },
        deid={
            "policy": "policy.yaml",
            "fingerprint": "cf12600a096a6a38",
            "current_fingerprint": "cf12600a096a6a38",
            "records_by_policy": {"cf12600a096a6a38": 9, "0ld0ld0ld0ld0ld0": 1},
            "eval": {
                "same_policy": True,
                "overall": {"precision": 0.9511, "recall": 0.9234, "f2": 0.9288},
                "by_language": {
                    "de": {"ALL": {"recall": 0.9412, "precision": 0.97}, "PERSON": {"recall": 0.8}}
                },
                "corpus": {"documents": 200, "seed": 13},
            },
        },
        audit={
            "run_id": "r1",
            "out_dir": "/home/someone/workspace/reports/audit",
            "families": {
                "emotional_support": {
                    "examples": 1042,
                    "flags": {"label_issue": 300, "outlier": 41, "near_duplicate": 0},
                    "flags_per_culture": {"German": {"label_issue": 200, "outlier": 41}},
                },
                "emotional_distress": {"examples": 80, "flags": 8, "flags_per_culture": {}},
                "empathy": {"examples": 4, "skipped": "needs 10+ examples of 2+ labels"},
            },
        },
        validation=GateResult(
            evaluated=57,
            failures=[
                {
                    "name": "empathy_missing",
                    "suite": "records.rules",
                    "expectation": "expect_column_values_to_be_in_set",
                    "column": "e",
                    "count": 1,
                    "record_ids": ["cc-ar-tr-0"],
                }
            ],
            allowed=["empathy_missing"],
            reason="upstream <defect> | kept *as is*",
        ),
        split_policy=SplitPolicy(seed=13, ratios={"train": 0.8, "validation": 0.1, "test": 0.1}),
        split_bytes={c: {s: 1000 for s in SPLIT_ROWS} for c in data},
        changes={
            "version": "1.2.0",
            "previous": "1.1.0",
            "date": "2026-03-01",
            "added": ["cc-1", "cc-2"],
            "removed": ["cc-3", "cc-4", "cc-5"],
            "relabelled": [],
        },
    )
    return info, data


@pytest.fixture(scope="module")
def text_release(tmp_path_factory) -> tuple[Path, ReleaseInfo, dict, str]:
    folder = tmp_path_factory.mktemp("release-text")
    info, data = make_release(folder, "text")
    readme = write_card(folder, info).read_text(encoding="utf-8")
    return folder, info, data, readme


def _header_and_body(readme: str) -> tuple[dict, str]:
    assert readme.startswith("---\n")
    head, body = readme[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def test_yaml_header_loads_with_datasets(text_release) -> None:
    from datasets import load_dataset

    folder, info, data, readme = text_release
    meta, _ = _header_and_body(readme)
    assert meta["curate"] == {"version": "1.2.0", "mode": "text", "created": info.created}
    assert meta["pretty_name"] == "CultureCare"
    assert meta["annotations_creators"] == ["other"]  # from release/dataset.yaml
    assert "extra_gated_fields" in meta
    assert {c["config_name"] for c in meta["configs"]} == {"all", *CULTURES}
    for config in ("German", "all"):
        ds = load_dataset(str(folder), config)
        assert set(ds) == set(SPLIT_ROWS)
        for split in SPLIT_ROWS:
            assert ds[split].num_rows == info.split_sizes[config][split]
            assert sorted(ds[split]["id"]) == sorted(r["id"] for r in data[config][split])
        assert ds["train"].features == info.features


def test_body_has_every_section_definition_and_figure(text_release) -> None:
    _, info, _, readme = text_release
    _, body = _header_and_body(readme)
    headings = set(re.findall(r"^#+ (.+)$", body, flags=re.M))
    for section in (
        "Dataset Description",
        "Languages",
        "Cultures",
        "Release mode",
        "How to load",
        "Data fields",
        "Label definitions",
        "Statistics",
        "Label distribution",
        "Curation Rationale",
        "Annotation process",
        "Personal and Sensitive Information",
        "Label-noise audit",
        "Validation",
        "Direct Use",
        "Out-of-Scope Use",
        "Bias, Risks, and Limitations",
        "Known limitations",
        "Changes in this version",
        "Licence",
        "Citation",
    ):
        assert section in headings, section
    # the mode, first and prominently
    assert body.index("**Text release.**") < body.index("## Dataset Details")
    assert "**de-identified**" in body and "**gated**" in body and "**not** included" in body
    # how to load, pinned to the version
    assert 'load_dataset("curate-test/culturecare", "Arabic", revision="v1.2.0")' in body
    # every column, every label and definition of the taxonomy
    for column in info.features:
        assert f"| `{column}` |" in body
    taxonomy = info.taxonomy
    for family in taxonomy.families.values():
        assert family.description in body
        for value in family.values:
            assert f"| `{value}` | {md_escape(family.definitions[value])} |" in body
    for label in taxonomy.empathy.values():
        assert f"`{label}`" in body
    for name in taxonomy.demographic_fields:
        assert f"`{name}`" in body
    # figures: sizes, label counts, agreement, de-identification, audit, gate, changes
    assert "| `German` | 3 | 1 | 1 | 5 |" in body
    assert "| `all` | 6 | 2 | 2 | 10 |" in body
    assert "0.877" in body and "0.654 (intensity)" in body and "n/a (score)" in body
    assert "precision 0.951, recall 0.923" in body and "cf12600a096a6a38" in body
    assert "| 1042 | 341 (32.7 %) | label issue 300, outlier 41 | German 241 |" in body
    assert "| 80 | 8 (10.0 %) | n/a | n/a |" in body and "skipped: needs 10+" in body
    assert "`0ld0ld0ld0ld0ld0` (1 items)" in body
    assert "(train 80 %, validation 10 %, test 10 %)" in body and "seed 13" in body
    assert "/home/someone" not in body  # workspace paths are not for readers
    assert "57 expectations" in body
    assert "| `empathy_missing` | `expect_column_values_to_be_in_set` | records.rules" in body
    assert "cc-ar-tr-0" not in body  # failing record ids are for the curator, not the card
    assert "compared with version 1.1.0" in body and "CHANGELOG.md" not in body
    assert "| 2 | 3 | 0 |" in body  # added (a list of ids, counted), removed, relabelled
    assert "@article{culturecare2025" in body and "2508.07902" in body
    assert "Reddit" in body and "research use only" in body
    for item in ("Diagnosis", "re-identify"):
        assert item in body


def test_data_is_escaped_and_texts_never_appear(text_release) -> None:
    _, _, _, readme = text_release
    assert SECRET not in readme
    assert "upstream &lt;defect&gt; \\| kept \\*as is\\*" in readme
    assert "<defect>" not in readme
    assert md_escape("a|b <PERSON_1> *x*\nnext") == "a\\|b &lt;PERSON\\_1&gt; \\*x\\* next"


def test_charts_are_valid_deterministic_svgs_linked_from_the_card(text_release) -> None:
    from curate.release.charts import write_charts

    folder, info, _, readme = text_release
    assert set(info.charts) == {"all", *CULTURES}
    before = {}
    for rel in info.charts.values():
        path = folder / rel
        root = ET.parse(path).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = path.read_text(encoding="utf-8")
        assert "<dc:date>" not in text
        assert "Emotional support strategy" in text  # a family title, as text
        assert f"]({rel})" in readme
        before[rel] = path.read_bytes()
    write_charts(folder, info)
    assert {rel: (folder / rel).read_bytes() for rel in before} == before


def test_missing_figures_render_gracefully(text_release) -> None:
    _, info, _, _ = text_release
    bare = copy.copy(info)
    bare.agreement = None
    bare.deid = None
    bare.audit = None
    bare.validation = None
    bare.changes = None
    bare.charts = {}
    bare.org = None
    _, body = _header_and_body(render_card(bare))
    for sentence in (
        "Inter-annotator agreement: not computed for this release",
        "De-identification method and quality: not computed for this release",
        "Label-noise audit: not computed for this release",
        "Validation gate result: not computed for this release",
        "No changelog entry was recorded for this release.",
    ):
        assert sentence in body
    assert "None" not in body and "![" not in body
    assert 'load_dataset("culturecare", "Arabic", revision="v1.2.0")' in body

    no_eval = copy.copy(info)
    no_eval.deid = DeidSummary(policy="strict.yaml", fingerprint="ab12", eval=None)
    no_eval.label_counts = {}
    _, body = _header_and_body(render_card(no_eval))
    assert "Measured de-identification quality: not computed for this release" in body
    assert "`strict.yaml`" in body
    assert "Label counts: not computed for this release" in body


def test_reference_mode_card(tmp_path: Path) -> None:
    info, _ = make_release(tmp_path, "reference")
    info.label_counts = {}  # no charts needed here: keeps the test fast
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    readme = write_card(tmp_path, info).read_text(encoding="utf-8")
    meta, body = _header_and_body(readme)
    assert meta["curate"]["mode"] == "reference"
    assert "extra_gated_fields" not in meta
    assert body.index("**Reference release.**") < body.index("## Dataset Details")
    assert "**no post or response texts**" in body and "**hydrate them yourself**" in body
    assert "| `url` |" in body and "null in a reference release" in body
    assert not (tmp_path / "images").exists() and info.charts == {}
    assert "[CHANGELOG.md](CHANGELOG.md)" in body


def test_unknown_mode_is_a_user_error(text_release) -> None:
    _, info, _, _ = text_release
    wrong = copy.copy(info)
    wrong.mode = "full"
    with pytest.raises(CurateError, match="unknown release mode"):
        render_card(wrong)


def test_card_metadata_keeps_its_contract(text_release) -> None:
    _, info, _, _ = text_release
    meta = card_metadata(info)
    all_config = next(c for c in meta["configs"] if c["config_name"] == "all")
    assert all_config["default"] is True
    assert all_config["data_files"][0] == {
        "split": "train",
        "path": ["data/all/train-00000-of-00001.parquet"],
    }
    assert meta["size_categories"] == ["n<1K"] and meta["multilinguality"] == "multilingual"


def test_deid_figures_on_real_text_beside_the_synthetic(text_release) -> None:
    """The card prints the real-text figures (hand-labelled phrases) and the planted-name
    figures beside the synthetic ones, and says so when there are none."""
    _, info, _, _ = text_release
    _, body = _header_and_body(render_card(info))
    assert "No measurement on hand-labelled real text was made for this release" in body
    results = copy.deepcopy(info.deid.eval.to_dict())
    results["real"] = {
        "overall": {
            "phrases": 1961,
            "replaced": 8,
            "replaced_right": 5,
            "precision": 0.625,
            "private": 6,
            "private_removed": 4,
            "recall": 0.6667,
            "public": 921,
            "public_kept": 918,
            "public_kept_rate": 0.9967,
            "plain_phrases": 1953,
            "plain_changed": 2,
            "plain_changed_rate": 0.001,
        },
        "corpus": {"file": "dev.jsonl", "phrases": 1961},
    }
    results["planted"] = {
        "overall": {"carrier_unchanged_rate": 0.993},
        "corpus": {"carriers": 143},
        "by_language": {
            "ar": {"PERSON": {"recall": 0.537}, "DIRECT": {"recall": 1.0}, "carriers": 40}
        },
    }
    real = copy.copy(info)
    real.deid = dataclasses.replace(info.deid, eval=DeidEval.from_dict(results))
    _, body = _header_and_body(render_card(real))
    flat = " ".join(body.split())
    assert "Measured on real text (`curate deid eval` on 1961 hand-labelled phrases" in flat
    assert "of the 8 regions replaced, 5 were private (precision 0.625)" in flat
    assert "918 of 921 public names" in flat and "2 of 1953 phrases" in flat
    assert "| `ar` | 40 | 0.537 | 1.000 |" in body
    assert "0.993 of them were" in flat
