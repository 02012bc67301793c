"""The paper-compatible export inverts the CultureCare reader: a synthetic release file
(with the real release's kinds of defects) goes in through `curate ingest` and comes back
line for line, except the documented normalizations."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
from helpers import release_record, write_lines

from curate.formats.culturecare_jsonl import write_culturecare_jsonl
from curate.ingest import ingest

DEMOGRAPHICS = {
    "settlement": "Köln",
    "gender": "Männlich",
    "age": "19",
    "born_in": "unknown",
    "marital_status": "ledig",
    "number_of_people_in_household": "unknown",
    "education": "Abitur",
    "profession": "unknown",
    "employment": "Student",
    "social_class": "unknown",
    "religion": "unknown",
}


def _line(pid: str, culture: str = "German") -> dict:
    support = [
        {"phrase": "Du schaffst das!", "strategy": "Affirmation and Reassurance"},
        {"phrase": "Wie lange noch?", "strategy": "Questions"},
    ]
    return release_record(
        pid,
        culture,
        **{
            "post.demographic_info": dict(DEMOGRAPHICS),
            "response.emotional_support": support,
            "response.cultural_signals": [{"phrase": "Brot", "type": "Artifacts"}],
        },
    )


def _variants() -> list[dict]:
    lines = [_line("p1"), _line("a1", "Arabic")]
    null_attr = _line("p2")
    null_attr["post"]["emotional_distress"][0]["intensity"] = None  # JSON null: kept
    no_score = _line("p3")
    no_score["response"]["empathy_score"] = ""
    empty = _line("p4")
    empty["response"] = {"emotional_support": [], "cultural_signals": [], "empathy_score": ""}
    number = _line("p5")
    number["post"]["demographic_info"]["age"] = 23  # a number where others give strings
    placeholder = _line("p6")
    placeholder["response"]["cultural_signals"][0]["type"] = "None"  # normalized to null
    return [*lines, null_attr, no_score, empty, number, placeholder]


def test_release_file_comes_back_line_for_line(store, config, tmp_path: Path) -> None:
    originals = _variants()
    source = write_lines(tmp_path / "German_data.jsonl", originals)
    ingest([source], config, store)
    records = list(store.iter_records())
    assert len(records) == len(originals)
    out = tmp_path / "out"
    counts = write_culturecare_jsonl(records, config.taxonomy(), out)
    assert counts == {"Arabic": 1, "German": 6}

    written = {
        json.loads(line)["post_id"]: line
        for name in ("German_data.jsonl", "Arabic_data.jsonl")
        for line in (out / name).read_text(encoding="utf-8").splitlines()
    }
    for original in originals:
        expected = copy.deepcopy(original)
        if original["post_id"] == "p6":  # the one documented normalization here
            expected["response"]["cultural_signals"][0]["type"] = None
        assert written[original["post_id"]] == json.dumps(expected, ensure_ascii=False)

    # read as the authors' code reads it: the same frame as from the original file
    got = pd.read_json(out / "German_data.jsonl", lines=True)
    want = pd.read_json(source, lines=True)
    want = want[want["culture"] == "German"].reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert got["post_id"].tolist() == want["post_id"].tolist()  # the workspace's order
    assert got["post"].tolist() == want["post"].tolist()


def test_records_from_another_source_get_the_layout(store, config, tmp_path: Path) -> None:
    """Records ingested from Reddit dumps have no raw demographics: the normalized
    values are written, "unknown" where missing, as the release writes them."""
    from release_helpers import synthetic_record

    record = synthetic_record(store, "x1", "Jewish")
    write_culturecare_jsonl([record], config.taxonomy(), tmp_path)
    (line,) = (tmp_path / "Jewish_data.jsonl").read_text(encoding="utf-8").splitlines()
    obj = json.loads(line)
    assert obj["post_id"] == "srcid-x1" and obj["post"]["text"].endswith("/srcid-x1")
    assert obj["post"]["demographic_info"]["age"] == 30
    assert obj["post"]["demographic_info"]["religion"] == "unknown"
    assert obj["response"]["emotional_support"] == [
        {"phrase": "Do you have friends nearby?", "strategy": "Questions"}
    ]
    assert obj["post"]["cultural_signals"] == [{"phrase": "mother", "type": "Values"}]
