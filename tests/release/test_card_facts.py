"""Every statement of the dataset card is derived from the release or declared by the
curator (issue 17): the facts file is the project's (`[release] facts`), a completeness
check names what is missing and the card says "not provided" there, a text release is
refused without its ethics review and consent statement (unless allowed with a reason),
the size and small-split limitations come from the release, the charts carry counts, and
the Hub metadata is checked against the Hub's vocabularies.

The demo's facts (demo/dataset.yaml) must make its card say it is synthetic; the bundled
CultureCare facts (release/dataset.yaml) must pass the completeness check. All texts here
are synthetic."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from release_helpers import CULTURES, put_deidentified, synthetic_record
from test_card import make_release

from curate.config import load_config
from curate.errors import CurateError
from curate.release import completeness
from curate.release.card import render_card, write_card
from curate.release.card.metadata import metadata_problems
from curate.release.export import export
from curate.release.facts import dataset_facts, load_facts
from curate.validate.gate import GateError

REPO = Path(__file__).resolve().parents[2]
DEMO_FACTS = REPO / "demo" / "dataset.yaml"


def _without(facts: dict, *paths: str) -> dict:
    out = copy.deepcopy(facts)
    for path in paths:
        node = out
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node.pop(last)
    return out


def _config_with_facts(tmp_path: Path, facts: dict):
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    toml = tmp_path / "curate.toml"
    toml.write_text('[release]\nfacts = "facts.yaml"\n', encoding="utf-8")
    return load_config(toml, tmp_path / "ws")


# -- the completeness check ----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["text", "reference"])
def test_the_bundled_culturecare_facts_are_complete(mode) -> None:
    assert completeness.check(dataset_facts(), mode, CULTURES) == []


def test_the_demo_facts_are_complete_and_say_synthetic() -> None:
    config = load_config(REPO / "demo" / "curate.toml")
    facts = load_facts(config)
    assert facts["source_data"]["origin"] == "synthetic"
    for mode in ("text", "reference"):
        assert completeness.check(facts, mode, CULTURES) == []


def test_missing_blank_and_wrong_facts_are_named() -> None:
    facts = _without(dataset_facts(), "ethics.consent", "annotation.per_culture.German")
    facts["funding"] = "TODO"
    facts["source_data"]["origin"] = "found on the web"
    problems = {p.path: p for p in completeness.check(facts, "text", ["Arabic", "German"])}
    assert set(problems) == {
        "ethics.consent",
        "annotation.per_culture.German",
        "funding",
        "source_data.origin",
    }
    assert problems["ethics.consent"].gated and problems["ethics.consent"].level == "required"
    assert problems["funding"].level == "recommended"
    assert "must be one of real, synthetic, mixed" in problems["source_data.origin"].problem
    failure = completeness.gate_failure(list(problems.values()), "text")
    assert failure["name"] == completeness.ETHICS_GATE and failure["column"] == "ethics.consent"
    assert completeness.gate_failure(list(problems.values()), "reference") is None


def test_a_missing_fact_shows_as_not_provided_and_is_listed(tmp_path) -> None:
    info, _ = make_release(tmp_path)
    info.facts = _without(
        dataset_facts(), "ethics", "annotation.recruitment", "limitations", "maintainers"
    )
    card = render_card(info)
    ethics = card.split("#### Ethics review and consent", 1)[1].split("\n#", 1)[0]
    assert ethics.count("Not provided by the curator") == 2  # the section is there
    assert "- **Recruitment:** *Not provided by the curator.*" in card
    assert "- **Maintainers:** *Not provided by the curator.*" in card
    completeness_part = card.split("### Card completeness", 1)[1]
    for path in ("ethics.review", "ethics.consent", "annotation.recruitment", "maintainers"):
        assert f"`{path}`" in completeness_part
    complete = render_card(dataclasses.replace(info, facts=dataset_facts()))
    assert "Not provided" not in complete
    assert "Every required and recommended fact of the card is provided." in complete


# -- derived, not declared ------------------------------------------------------------------
def test_size_and_small_splits_are_derived_from_the_release(tmp_path) -> None:
    info, _ = make_release(tmp_path)  # 5 items per culture: 3 / 1 / 1
    card = render_card(info)
    limits = card.split("### Known limitations", 1)[1].split("\n### ", 1)[0]
    assert "Size: 10 items in all, 5 per culture (Arabic 5, German 5)" in limits
    assert "Small splits (items): all train: 6; all validation: 2; all test: 2" in limits
    assert "few hundred" not in card
    distribution = card.split("### Label distribution", 1)[1].split("\n## ", 1)[0]
    assert "**Small splits.**" in distribution and "German test (1)" in distribution

    big = dataclasses.replace(
        info,
        split_sizes={c: {"train": 800, "validation": 100, "test": 100} for c in info.configs},
    )
    card = render_card(big)
    assert "Small splits" not in card
    assert "1000 per culture" in card


def test_charts_label_each_bar_with_its_count_and_mark_small_splits(tmp_path) -> None:
    info, _ = make_release(tmp_path)
    write_card(tmp_path, info)
    svg = (tmp_path / info.charts["German"]).read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)  # svg.fonttype none: real text
    assert "test (1 item, too few)" in texts and "train (3 items, too few)" in texts
    # every non-zero bar carries its count: the numbers drawn, less the axes' ticks
    # (0, 10, ..., 100 on each family's panel), are exactly the non-zero label counts
    by_split = info.label_counts["German"]
    families = {f for split in by_split.values() for f in split}
    ticks = [str(t) for t in range(0, 101, 10)] * len(families)
    numbers = [t for t in texts if t.isdigit()]
    for tick in ticks:
        numbers.remove(tick)
    bars = [n for split in by_split.values() for f in split.values() for n in f.values() if n]
    assert sorted(map(int, numbers)) == sorted(bars)


# -- the demo card ----------------------------------------------------------------------------
def test_the_demo_card_says_it_is_synthetic(tmp_path) -> None:
    info, _ = make_release(tmp_path)
    info.facts = load_facts(load_config(REPO / "demo" / "curate.toml"))
    card = render_card(info)
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["annotations_creators"] == ["machine-generated"]
    assert header["language_creators"] == ["machine-generated"]
    assert "synthetic" in header["tags"] and "mental-health" in header["tags"]
    assert "> **Synthetic data.**" in card
    assert "- **Data origin:** synthetic" in card
    body = card.split("---\n", 2)[2]
    for claim in ("The texts are real posts", "Posts come from Reddit", "in-culture annotators"):
        assert claim not in body, claim


# -- Hub metadata ---------------------------------------------------------------------------
def test_hub_metadata_outside_the_hubs_vocabulary_is_refused(tmp_path) -> None:
    info, _ = make_release(tmp_path)
    assert metadata_problems(render_card(info)) == []
    info.facts = copy.deepcopy(dataset_facts())
    info.facts["hub"]["annotations_creators"] = ["in-culture annotators"]
    problems = metadata_problems(render_card(info))
    assert problems == [
        "annotations_creators: in-culture annotators is not one of the Hub's values"
    ]
    with pytest.raises(CurateError, match="would be refused by the Hub"):
        write_card(tmp_path / "out", info)
    assert metadata_problems("---\n- a list\n---\nbody") != []


# -- the text-release gate --------------------------------------------------------------------
def test_a_text_release_without_ethics_facts_is_refused_unless_allowed(
    store, tmp_path, deid_engine
) -> None:
    config = _config_with_facts(tmp_path, _without(dataset_facts(), "ethics.review"))
    put_deidentified(store, [synthetic_record(store, f"e{i}", "German") for i in range(3)])
    with pytest.raises(GateError, match=completeness.ETHICS_GATE) as refused:
        export(store, config, mode="text", engine=deid_engine)
    assert "ethics.review" in str(refused.value)
    assert not (store.root / "releases").exists()

    reference = export(store, config, mode="reference", version="1.0.0", engine=deid_engine)
    assert any(m["path"] == "ethics.review" for m in reference.card_missing)

    reason = "internal rehearsal; the ethics board's decision is pending"
    result = export(
        store,
        config,
        mode="text",
        version="1.1.0",
        allow=[completeness.ETHICS_GATE],
        reason=reason,
        engine=deid_engine,
    )
    assert result.validation["allowed"] == [completeness.ETHICS_GATE]
    card = (result.folder / "README.md").read_text(encoding="utf-8")
    assert reason in card
    assert "- **Ethics review:** *Not provided by the curator.*" in card
    # the validation report of the refused export lists the card's failure too
    pages = sorted((store.root / "reports").glob("validation-*.html"))
    assert any(completeness.ETHICS_GATE in p.read_text(encoding="utf-8") for p in pages)


# -- the documentation ------------------------------------------------------------------------
def test_docs_list_every_fact_and_their_example_is_complete() -> None:
    doc = (REPO / "docs" / "card.md").read_text(encoding="utf-8")
    table = doc.split("## The facts a curator provides", 1)[1].split("\n## ", 1)[0]
    for field in completeness.FIELDS:
        shown = field.path.replace("annotation.per_culture", "annotation.per_culture.<culture>")
        assert f"`{shown}`" in table, field.path
    example = table.split("# dataset.yaml\n", 1)[1].split("```", 1)[0]
    facts = yaml.safe_load(example)
    assert completeness.check(facts, "text", ["Arabic", "German"]) == []


def test_the_docs_example_renders_a_complete_card(tmp_path) -> None:
    doc = (REPO / "docs" / "card.md").read_text(encoding="utf-8")
    example = doc.split("# dataset.yaml\n", 1)[1].split("```", 1)[0]
    info, _ = make_release(tmp_path)
    info.facts = yaml.safe_load(example)
    info.license = None
    info.__post_init__()  # the licence comes from the facts
    card = render_card(info)
    assert "Not provided" not in card
    assert yaml.safe_load(card.split("---\n")[1])["license"] == "apache-2.0"
    assert "[My sample (a lab report)](https://example.org/report) (Example Lab)" in card
    assert metadata_problems(card) == []


def test_a_half_described_culture_and_a_missing_licence_are_not_hidden(tmp_path) -> None:
    info, _ = make_release(tmp_path)
    facts = _without(dataset_facts(), "annotation.per_culture.German.annotators", "license")
    problems = [p.path for p in completeness.check(facts, "reference", CULTURES)]
    assert problems == ["annotation.per_culture.German.annotators", "license"]
    info.facts, info.license = facts, None
    info.__post_init__()
    card = render_card(info)
    assert yaml.safe_load(card.split("---\n")[1])["license"] == "other"  # no silent choice
    assert "| German | *Not provided by the curator.* | German culture" in card
