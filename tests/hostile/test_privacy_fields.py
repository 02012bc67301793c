"""Issue 12, point 1: free-text values outside the post texts (here the demographics of a
CultureCare record) are de-identified and scanned like the texts, end to end: ingest ->
`curate deid scan` -> the store -> every export -> a public publish on the test Hub ->
`load_dataset(..., token=False)`. And a value planted after de-identification is found by
the scan and stops the release gate."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, write_lines

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

PROFESSION = "nurse, mail jonas.weber@example.de, tel +49 151 23456789"
SETTLEMENT = "Musterstr. 5, Berlin, http://jonas-weber.example.de/me"
# what must never leave: the e-mail address, the phone number, the URL, the street
SECRETS = ("jonas.weber@example.de", "151 23456789", "jonas-weber.example.de", "Musterstr")


def culturecare_line(i: int, **demographics: str) -> dict:
    """One synthetic record in the CultureCare release shape (../shared/culturecare/README)."""
    demo = {
        "settlement": "Berlin",
        "gender": "female",
        "age": str(30 + i),
        "born_in": "Germany",
        "marital_status": "single",
        "number_of_people_in_household": "1",
        "education": "unknown",
        "profession": "teacher",
        "employment": "employed",
        "social_class": "unknown",
        "religion": "unknown",
        **demographics,
    }
    return {
        "culture": "German",
        "post_id": f"pf{i:04d}",
        "post": {
            "text": f"https://www.reddit.com/r/germany/comments/pf{i:04d}/x/",
            "emotional_distress": [
                {"phrase": "I feel so alone since the move", "intensity": "moderate"}
            ],
            "cultural_signals": [
                {"phrase": "Sunday lunch with the whole family", "type": "Norms and Morals"}
            ],
            "demographic_info": demo,
        },
        "response": {
            "emotional_support": [
                {"phrase": "That sounds really hard", "strategy": "Reflection of Feelings"}
            ],
            "cultural_signals": [],
            "empathy_score": "3 moderately empathetic",
        },
    }


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def folder_text(folder: Path) -> str:
    """Everything in a release folder as text: Parquet read back as rows (its bytes are
    compressed), every other file as it is."""
    import pyarrow.parquet as pq

    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False))
        else:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def the_record(rows: list[dict]) -> dict:
    (row,) = [r for r in rows if "nurse" in (r["demographics"]["profession"] or "")]
    return row


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the issue's record and eleven plain ones, ingested (and so
    de-identified) by the real CLI."""
    root = tmp_path_factory.mktemp("privacy")
    src = write_lines(
        root / "German_data.jsonl",
        [culturecare_line(0, profession=PROFESSION, settlement=SETTLEMENT)]
        + [culturecare_line(i) for i in range(1, 12)],
    )
    ws = root / "ws"
    run_cli("-w", str(ws), "ingest", str(src), "--no-progress", check=True)
    return ws


def test_demographics_are_deidentified_everywhere_they_go(
    ingested: Path, tmp_path: Path, hub_server
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(ingested, ws)
    scan = run_cli("-w", str(ws), "deid", "scan")
    assert scan.returncode == 0 and "no direct identifier" in scan.stdout, scan.stdout
    # ... because nothing is left to find: the records hold the de-identified values
    with sqlite3.connect(ws / "curate.sqlite") as conn:
        docs = [json.loads(d) for (d,) in conn.execute("SELECT doc FROM records")]
    assert leaked(json.dumps(docs, ensure_ascii=False)) == []
    (doc,) = [d for d in docs if "nurse" in d["demographics"]["profession"]]
    tagged = "nurse, mail <EMAIL_ADDRESS_1>, tel <PHONE_NUMBER_1>"
    assert doc["demographics"]["profession"] == tagged
    assert doc["demographics_raw"]["profession"] == tagged
    assert doc["demographics"]["settlement"] == "<STREET_ADDRESS_1>, Berlin, <URL_1>"

    run_cli("-w", str(ws), "validate", "--release", "--no-docs", check=True)
    run_cli("-w", str(ws), "export", "--version", "1.0.0", check=True)
    run_cli("-w", str(ws), "export", "--version", "1.1.0", "--mode", "text", check=True)
    paper = ws / "paper"
    run_cli(
        "-w", str(ws), "export", "--format", "culturecare-jsonl", "--out", str(paper), check=True
    )
    reference = ws / "releases" / "culturecare-1.0.0"
    for folder in (reference, ws / "releases" / "culturecare-1.1.0", paper):
        text = folder_text(folder)
        assert "nurse" in text, folder  # the record is exported ...
        assert leaked(text) == [], folder  # ... de-identified

    repo = "curate-test/privacy-fields"
    run_cli(
        "publish", str(reference), "--repo", repo, "--public",
        env={"HF_TOKEN": hub_server.token}, check=True,
    )  # fmt: skip
    assert hub_server.meta(repo).private is False and hub_server.meta(repo).gated is False
    rows = load_anonymously(repo, tmp_path / "hf-cache")
    assert the_record(rows)["demographics"]["profession"] == tagged
    assert leaked(json.dumps(rows, ensure_ascii=False)) == []


LOADER = r"""
import json, sys
import datasets
datasets.disable_progress_bars()
ds = datasets.load_dataset(sys.argv[1], "all", revision="v1.0.0", token=False,
                           cache_dir=sys.argv[2])
print(json.dumps([row for split in ds.values() for row in split.to_list()]))
"""


def load_anonymously(repo: str, cache: Path) -> list[dict]:
    """`datasets.load_dataset(repo, token=False)` in a fresh process, as anyone would."""
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, repo, str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_value_planted_after_deidentification_fails_the_scan_and_the_gate(
    ingested: Path, tmp_path: Path
) -> None:
    from curate.store import Store

    ws = tmp_path / "ws"
    shutil.copytree(ingested, ws)
    with Store.open(ws) as store:
        first, second = list(store.iter_records(deidentified=True))[:2]
        first.demographics["born_in"] = "Rostock, write to anna.schmidt@example.org"
        second.demographics_raw["profession"] = "call me on +49 160 98765432"
        store.update_records([first, second])

    scan = run_cli("-w", str(ws), "deid", "scan", "--json")
    assert scan.returncode == 1, scan.stdout + scan.stderr
    found = {(f["id"], f["type"]) for f in json.loads(scan.stdout)}
    assert found == {
        (f"{first.id}:demographics.born_in", "EMAIL_ADDRESS"),
        (f"{second.id}:demographics_raw.profession", "PHONE_NUMBER"),
    }
    human = run_cli("-w", str(ws), "deid", "scan")
    assert human.returncode == 1 and "demographics.born_in" in human.stdout
    assert "anna.schmidt" not in human.stdout + human.stderr  # never the value

    gate = run_cli("-w", str(ws), "validate", "--release", "--no-docs", "--json")
    assert gate.returncode == 1
    failed = {f["name"]: f for f in json.loads(gate.stdout)["failures"]}
    assert set(failed["no_residual_pii"]["record_ids"]) == {first.id, second.id}
