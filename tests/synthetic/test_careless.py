"""The careless demo folder (`demo/careless/`) through the real CLI, as scripts/demo.sh
runs it: each bad line loses only itself, the damaged files are reported by name and the
others read, `--strict` fails the run, and the planted label value is printed and
reported nowhere.

The expected counts are written out here from the files' documented cases
(demo/README.md), and the lines each file holds are counted from the files themselves,
not from the ingest, so a reader that drops or double-counts a line fails.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
import zstandard
from helpers import REPO, run_cli

from curate.synthetic.careless import PLANTED_LABEL

CARELESS = REPO / "demo" / "careless"
# file -> lines read (CSV: rows), kept, quarantined (by reason); nothing is skipped
EXPECTED = {
    "RS_careless.zst": (
        5,
        3,
        {
            2: "lone surrogate escape (\\ud800-\\udfff) in a JSON string",
            4: "author is not a string (int)",
        },
    ),
    "RC_careless.zst": (4, 3, {2: "score is out of range (beyond a 64-bit integer)"}),
    "survey.csv": (4, 3, {4: "more cells than header columns"}),
    "forum.jsonl": (
        4,
        2,
        {2: "column 'text' (text) holds a list, not text", 3: "JSON nested too deeply"},
    ),
    "German_data.jsonl": (2, 2, {}),
    "export.parquet": (0, 0, {}),
}
TRUNCATED = "truncated (zst data ends before its end marker)"
NOT_PARQUET = "not a readable Parquet file (ArrowInvalid)"


def _lines_in(path: Path) -> int:
    """How many input units the file holds, counted without curate."""
    data = path.read_bytes()
    if path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if path.suffix == ".parquet":
        return 0
    if path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        return len(rows) - 1  # the header
    return len(data.splitlines())


def _ingest(workspace: Path, *flags: str):
    proc = run_cli(
        "-w", str(workspace), "ingest", str(CARELESS), "--no-deid", "--no-progress", *flags
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory):
    """`curate ingest demo/careless --strict --json` once: (process, report, workspace)."""
    workspace = tmp_path_factory.mktemp("careless") / "w"
    proc = _ingest(workspace, "--strict", "--json")
    return proc, json.loads(proc.stdout), workspace


def test_each_file_holds_its_documented_lines() -> None:
    assert {p.name for p in CARELESS.iterdir()} == set(EXPECTED)
    assert {name: _lines_in(CARELESS / name) for name in EXPECTED} == {
        name: read for name, (read, _, _) in EXPECTED.items()
    }
    # every file is small, but the deep line really is deeper than the parser goes
    assert all((CARELESS / n).stat().st_size < 32_000 for n in EXPECTED)
    with pytest.raises(RecursionError):
        json.loads((CARELESS / "forum.jsonl").read_text(encoding="utf-8").splitlines()[2])


def test_strict_exits_1_naming_both_file_problems(strict) -> None:
    proc, report, _ = strict
    assert proc.returncode == 1, proc.stderr
    assert report["status"] == "completed" and report["reconciles"]
    problems = {Path(f).name: why for f, why in report["file_problems"].items()}
    assert problems.keys() == {"RS_careless.zst", "export.parquet"}
    assert problems["RS_careless.zst"] == TRUNCATED
    assert problems["export.parquet"].startswith(NOT_PARQUET)
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 2 and any(TRUNCATED in w and "RS_careless.zst" in w for w in warnings)
    assert (
        proc.stderr.strip().splitlines()[-1]
        == "--strict: 6 input(s) quarantined, 2 file problem(s)"
    )


def test_counts_reconcile_per_file(strict) -> None:
    """read = kept + quarantined for every file (nothing is skipped or duplicate here):
    kept counted in the store by the record's input file, quarantined in the quarantine."""
    from curate.store import Store

    _, report, workspace = strict
    (qfile,) = (workspace / "quarantine").glob("*.jsonl")
    assert report["quarantine"] == str(qfile)
    entries = [json.loads(line) for line in qfile.read_text(encoding="utf-8").splitlines()]
    lines = [e for e in entries if e["kind"] != "file"]
    files = {Path(e["file"]).name: e["reason"] for e in entries if e["kind"] == "file"}
    assert files.keys() == {"RS_careless.zst", "export.parquet"}
    assert all(e["line"] is None and e["payload"] is None for e in entries if e["kind"] == "file")
    with Store.open(workspace, create=False) as store:
        records = list(store.iter_records())
    kept = Counter(Path(r.provenance.input_file).name for r in records)
    responses = {r.source.source_id: r.source.response_id for r in records if r.source.response_id}
    kept["RC_careless.zst"] = len(responses)  # comments are kept as the posts' responses
    for name, (read, n_kept, reasons) in EXPECTED.items():
        quarantined = {e["line"]: e["reason"] for e in lines if Path(e["file"]).name == name}
        assert quarantined == reasons, name
        assert kept[name] == n_kept, name
        assert read == n_kept + len(quarantined), name
    # the comment with a score of 1e30 would have been the top-scored response
    assert responses == {"cc0001": "cx0001", "cc0003": "cx0003", "cc0005": "cx0004"}
    total = report["total"]
    assert (total["read"], total["kept"], total["skipped"], total["quarantined"]) == (15, 10, 0, 5)
    assert report["comments"]["read"] == 4 and report["comments"]["quarantined"] == 1
    assert len(entries) == 8


def test_defects_name_the_field_never_the_value(strict) -> None:
    _, report, _ = strict
    assert report["defects"] == {
        "post.emotional_distress[].intensity: intensity not in the taxonomy": 1,
        "post.demographics.age: not a finite number; kept raw only": 1,
        "source.created_utc: is out of range (…); left empty": 1,
    }
    rows = [json.loads(ln) for ln in Path(report["defects_file"]).read_text().splitlines()]
    label = next(r for r in rows if r["field"] == "post.emotional_distress[1].intensity")
    assert (label["source_id"], label["line"], label["value_chars"]) == ("careless2", 2, 40)


def test_planted_label_is_printed_and_reported_nowhere(strict, tmp_path: Path) -> None:
    """Not in what either run prints, nor in any file of the workspace outside the store
    and the quarantine (which hold raw input by design: docs/ingest.md)."""
    proc, _, workspace = strict
    lenient = _ingest(tmp_path / "w")  # the table, as a person reads it
    assert lenient.returncode == 0, lenient.stderr
    assert (
        "file problems: 2" in lenient.stdout and "intensity not in the taxonomy" in lenient.stdout
    )
    needle = "careless@example.org"
    assert needle in PLANTED_LABEL and needle in (CARELESS / "German_data.jsonl").read_text()
    for output in (proc.stdout, proc.stderr, lenient.stdout, lenient.stderr):
        assert needle not in output
    for ws in (workspace, tmp_path / "w"):
        files = [p for p in ws.rglob("*") if p.is_file()]
        assert any(p.parent.name == "reports" for p in files)
        for path in files:
            if path.parent.name == "quarantine" or path.name.startswith("curate.sqlite"):
                continue
            assert needle.encode() not in path.read_bytes(), path
